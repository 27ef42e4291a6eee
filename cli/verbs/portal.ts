import type { Command } from 'commander';

/** `campaign portal`: runs the departments' and the coordinator's web portal until Ctrl-C / SIGTERM. */
export function register(program: Command): void {
  program
    .command('portal')
    .description('run the web portal: departments submit through the links in their emails (/d/<token>), coordinators, viewers and admins log in at /c with their own accounts (campaign user add); PORTAL_PORT, PORTAL_SECRET; PORTAL_COORDINATOR_PASSWORD creates the first admin once')
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
        // The first admin from the bootstrap variables could not be created (a login or password the accounts refuse).
        if (e.name === 'AccountError' || e.name === 'WeakPasswordError') throw new UserError(`PORTAL_COORDINATOR_USER / PORTAL_COORDINATOR_PASSWORD: ${e.message}`);
        throw err;
      }
      process.stderr.write(`portal listening on ${portal.url} (links in emails point at ${env.PORTAL_BASE_URL})\ncoordinator pages: ${portal.url}/c/login${portal.bootstrap ? ` (${portal.bootstrap})` : ''}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await portal.close();
      await connection.close();
      await stores.close();
    });
}
