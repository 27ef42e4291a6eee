/**
 * The portal: a node:http server, server-rendered pages, no client-side script.
 *
 *   GET  /d/<token>                          the department's obligations and forms
 *   POST /d/<token>/submit                   the web form (multipart)
 *   GET  /d/<token>/template/<deadline>.xlsx the form as an Excel template
 *   POST /d/<token>/upload                   a filled template
 *   GET  /c/login, POST /c/login, POST /c/logout     (people's own accounts, server-side sessions)
 *   GET  /c, /c/<id>, /c/<id>/d/<dept>, /c/<id>/summary/<occurrence>[.csv|.xlsx], /c/<id>/file/<sha256>
 *   POST /c/<id>/excuse, /c/<id>/extend, /c/<id>/pause, /c/<id>/resume   (admins and coordinators)
 *   GET  /c/_accounts, POST /c/_accounts/…          (admins)
 *   GET  /static/portal.css, /healthz
 *
 * routes/coordinator.ts holds the coordinator side's route table and who may use each route.
 *
 * Every response carries the security headers; an unexpected error is logged and answered with a
 * plain page, never a stack trace.
 *
 * Every call the portal makes to Temporal has a deadline and waits in a bounded line
 * (client/call-limits.ts PORTAL_DEADLINES, PORTAL_CALL_LIMITS): when Temporal hangs or the line is
 * full, a request is answered within seconds with a 503 page that says so (and Retry-After), never
 * left hanging nor answered 500.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CampaignClient } from '../client/campaign-client';
import { CallLimiter, PORTAL_CALL_LIMITS, PORTAL_DEADLINES, temporalTrouble, TooBusyError, type CallDeadlines, type CallLimits } from '../client/call-limits';
import type { AppEnv } from '../config/env';
import { AccountStore } from '../store/accounts/account-store';
import type { Stores } from '../store/stores';
import type { Client } from '@temporalio/client';
import { send, sendRefusal, type Ctx, type PortalConfig, type PortalDeps } from './context';
import { coordinatorRoute } from './routes/coordinator';
import { departmentRoute } from './routes/department';
import { CSS } from './html';

export type { PortalConfig, PortalDeps } from './context';

export interface Portal {
  server: Server;
  /** http://host:port once listening. */
  url: string;
  /** What start-up did about the first admin (PORTAL_COORDINATOR_PASSWORD), when it was given. */
  bootstrap?: string;
  close(): Promise<void>;
}

export function portalConfigFromEnv(env: AppEnv): PortalConfig {
  if (!env.PORTAL_SECRET) throw new Error('PORTAL_SECRET is not set: the department links are signed with it (at least 32 characters).');
  return {
    secret: env.PORTAL_SECRET,
    baseUrl: env.PORTAL_BASE_URL,
    bootstrapAdmin: env.PORTAL_COORDINATOR_PASSWORD ? { login: env.PORTAL_COORDINATOR_USER, password: env.PORTAL_COORDINATOR_PASSWORD } : undefined,
    maxUploadBytes: env.PORTAL_MAX_UPLOAD_BYTES,
    maxFiles: env.PORTAL_MAX_FILES,
    temporalWebUiUrl: env.TEMPORAL_WEB_UI_URL,
    namespace: env.TEMPORAL_NAMESPACE,
  };
}

/** The portal's dependencies on the stores its caller opened (and closes when the portal stops). */
export function portalDeps(env: AppEnv, temporal: Client, stores: Pick<Stores, 'blobs' | 'plans' | 'db' | 'ledger'>): PortalDeps {
  return { campaigns: new CampaignClient(temporal, stores.plans, env.TEMPORAL_TASK_QUEUE), blobs: stores.blobs, accounts: new AccountStore(stores.db), records: stores };
}

/** The portal's bounds on its calls to Temporal (defaults: PORTAL_DEADLINES, PORTAL_CALL_LIMITS). */
export interface PortalCallOptions {
  deadlines?: Partial<CallDeadlines>;
  limits?: Partial<CallLimits>;
}

export function createPortalHandler(config: PortalConfig, deps: PortalDeps, calls: PortalCallOptions = {}) {
  // The same connection and department → shard map as the client given, with the portal's bounds.
  const campaigns = deps.campaigns.withPolicy({ deadlines: { ...PORTAL_DEADLINES, ...calls.deadlines }, limiter: new CallLimiter({ ...PORTAL_CALL_LIMITS, ...calls.limits }) });
  const ctx: Ctx = { config, deps: { ...deps, campaigns } };
  const log = config.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://portal.invalid');
      const parts = url.pathname.split('/').slice(1).map((p) => {
        try {
          return decodeURIComponent(p);
        } catch {
          return '\u0000';
        }
      });
      if (parts.includes('\u0000') || parts.includes('..')) return sendRefusal(res, 400, '请求有误', '请求的地址有误。');
      if (url.pathname === '/static/portal.css') return send(res, 200, CSS, 'text/css; charset=utf-8');
      if (url.pathname === '/healthz') return send(res, 200, 'ok\n', 'text/plain; charset=utf-8');
      if (url.pathname === '/' || url.pathname === '') {
        return sendRefusal(res, 200, '春风行动报送平台', '各单位请使用活动办公室邮件中发给本单位的专用链接进入报送页面。协调人请从 /c/login 登录。');
      }
      if (parts[0] === 'd' && parts[1]) return await departmentRoute(ctx, req, res, parts[1], parts.slice(2).filter((p, i, a) => p !== '' || i < a.length - 1));
      if (parts[0] === 'c') return await coordinatorRoute(ctx, req, res, parts.slice(1).filter((p) => p !== ''));
      if (req.method === 'POST') req.resume();
      return sendRefusal(res, 404, '页面不存在', '没有这个页面。');
    } catch (err) {
      log(`portal: ${req.method} ${String(req.url).replace(/\/d\/[^/?]+/, '/d/<token>')} failed: ${(err as Error)?.stack ?? String(err)}${(err as Error)?.cause ? `\ncaused by: ${String((err as { cause: unknown }).cause)}` : ''}`);
      if (res.headersSent) res.destroy();
      else if (temporalTrouble(err)) {
        // Temporal did not answer in time, or too many requests were waiting for it.
        res.setHeader('retry-after', String(err instanceof TooBusyError ? err.retryAfterSeconds : 10));
        sendRefusal(res, 503, '系统繁忙', '系统此刻繁忙，没有及时完成此请求，请稍等片刻后再试。');
      } else sendRefusal(res, 500, '系统繁忙', '系统暂时无法处理此请求，请稍后再试。如仍有问题，请联系活动办公室。');
    }
  };
}

/**
 * Creates the first admin from `config.bootstrapAdmin` when no admin exists yet; says what it did.
 * Rejects with the rule a bootstrap password breaks (at least 12 characters).
 */
export async function bootstrapAdmin(config: PortalConfig, deps: PortalDeps): Promise<string | undefined> {
  if (!deps.accounts || !config.bootstrapAdmin) return undefined;
  const { login, password } = config.bootstrapAdmin;
  const done = await deps.accounts.bootstrapAdmin(login, password);
  return done === 'created'
    ? `created the first admin '${login}' from PORTAL_COORDINATOR_USER / PORTAL_COORDINATOR_PASSWORD`
    : 'an admin exists: PORTAL_COORDINATOR_PASSWORD is not used (manage people with: campaign user …)';
}

export async function startPortal(config: PortalConfig, deps: PortalDeps, opts: { port: number; host?: string; calls?: PortalCallOptions }): Promise<Portal> {
  const bootstrap = await bootstrapAdmin(config, deps);
  const handler = createPortalHandler(config, deps, opts.calls);
  const server = createServer({ requestTimeout: 120_000, headersTimeout: 30_000 }, (req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    bootstrap,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
