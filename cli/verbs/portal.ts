import type { Command } from 'commander';

/** `campaign portal`: runs the departments' and the coordinator's web portal until Ctrl-C / SIGTERM. */
export function register(program: Command): void {
  program
    .command('portal')
    .description('run the web portal: departments submit through the links in their emails (/d/<token>), the coordinator follows the campaign at /c (PORTAL_PORT, PORTAL_SECRET, PORTAL_COORDINATOR_PASSWORD)')
    .action(async () => {
      const { loadEnv, connectTemporal, openStoresFor } = await import('../context');
      const { UserError } = await import('../errors');
      const { startPortal, portalConfigFromEnv, portalDeps } = await import('../../portal/server');
      const { secureDataDir } = await import('../../store/stores');
      const env = loadEnv();
      let config;
      try {
        config = portalConfigFromEnv(env);
        // Submitted attachments are stored there: private to this user.
        secureDataDir(env);
      } catch (err) {
        throw new UserError((err as Error).message);
      }
      const stores = await openStoresFor(env);
      let connection;
      let portal;
      try {
        const connected = await connectTemporal(env);
        connection = connected.connection;
        portal = await startPortal(config, portalDeps(env, connected.client, stores), { port: env.PORTAL_PORT, host: env.PORTAL_HOST });
      } catch (err) {
        await connection?.close();
        await stores.close();
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE' || e.code === 'EACCES') throw new UserError(`cannot listen on ${env.PORTAL_HOST}:${env.PORTAL_PORT} (${e.code}); set PORTAL_PORT`);
        throw err;
      }
      process.stderr.write(
        `portal listening on ${portal.url} (links in emails point at ${env.PORTAL_BASE_URL})\n` +
          (config.coordinator ? `coordinator pages: ${portal.url}/c/login (user ${config.coordinator.user})\n` : 'coordinator pages disabled: set PORTAL_COORDINATOR_PASSWORD to enable them\n'),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await portal.close();
      await connection.close();
      await stores.close();
    });
}
