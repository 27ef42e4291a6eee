/**
 * The environment, validated once at start-up by one zod schema. Every process (worker, CLI,
 * portal, demo) reads its settings from here; nothing else reads process.env.
 *
 * Temporal: a local dev server by default; a cluster or Temporal Cloud by setting
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and either mTLS (TEMPORAL_TLS_CERT_PATH/KEY_PATH) or an
 * API key (TEMPORAL_API_KEY).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors';


const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

export const envSchema = z
  .object({
    TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port, e.g. 127.0.0.1:7233 or my-ns.a1b2c.tmprl.cloud:7233').default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('campaigns'),
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    TEMPORAL_TLS: bool.optional(),
    TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    TEMPORAL_WEB_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
    /** This machine's data folder: the embedded database (unless CAMPAIGN_DATABASE_URL is set), the portal's secret, the demo inbox. */
    CAMPAIGN_DATA_DIR: z.string().min(1).default('.data'),
    /**
     * Where delivery records, plans and files live. Unset: one SQLite file in the data folder (one
     * machine). `postgres://user:password@host:5432/db`: a PostgreSQL database that workers, portal
     * and CLI on several machines share.
     */
    CAMPAIGN_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a PostgreSQL URL, e.g. postgres://campaigns:secret@db.example:5432/campaigns (leave it unset for the embedded SQLite file)')
      .optional(),
    /** Base URL of the portal, used in the links of every email. */
    PORTAL_BASE_URL: z.string().url().default('http://127.0.0.1:8080'),
    /** Secret for the departments' link tokens (HMAC). At least 32 characters. */
    PORTAL_SECRET: z.string().min(32, 'must be at least 32 characters (generate one with: openssl rand -hex 32)').optional(),
    /** Port the portal listens on (`campaign portal`, `npm start`). */
    PORTAL_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    /** Host the portal binds to. */
    PORTAL_HOST: z.string().min(1).default('127.0.0.1'),
    /** Bootstrap the first admin: the login given to it (see PORTAL_COORDINATOR_PASSWORD). */
    PORTAL_COORDINATOR_USER: z.string().min(1).default('coordinator'),
    /**
     * Bootstrap the first admin: when the accounts have no admin yet, the portal creates admin
     * PORTAL_COORDINATOR_USER with this password at start-up — once; afterwards it is not read
     * (people are managed with `campaign user …` or the accounts page). Unset: create the first
     * admin with `campaign user add <login> --name … --role admin`.
     */
    PORTAL_COORDINATOR_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    /** Largest file a department may upload (bytes). */
    PORTAL_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
    /** Most files in one submission. */
    PORTAL_MAX_FILES: z.coerce.number().int().positive().max(100).default(10),
    WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(20),
  })
  .superRefine((env, ctx) => {
    if (!!env.TEMPORAL_TLS_CERT_PATH !== !!env.TEMPORAL_TLS_KEY_PATH) {
      ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_KEY_PATH'], message: 'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together (mTLS needs both)' });
    }
  });

export type AppEnv = z.infer<typeof envSchema>;

/** Parses the environment; throws ConfigError naming every bad variable. */
export function parseEnv(env: Record<string, string | undefined> = process.env): AppEnv {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`), 'invalid configuration');
  }
  return result.data;
}

let cached: AppEnv | undefined;
/** The process's configuration, parsed once. */
export function appEnv(): AppEnv {
  return (cached ??= parseEnv());
}

/** Connection options for @temporalio/client Connection and @temporalio/worker NativeConnection. */
export function temporalConnectionOptions(env: AppEnv) {
  const tlsWanted = env.TEMPORAL_TLS ?? (!!env.TEMPORAL_API_KEY || !!env.TEMPORAL_TLS_CERT_PATH);
  const tls = tlsWanted
    ? {
        serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME,
        serverRootCACertificate: env.TEMPORAL_TLS_CA_PATH ? readFileSync(env.TEMPORAL_TLS_CA_PATH) : undefined,
        clientCertPair:
          env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_TLS_KEY_PATH
            ? { crt: readFileSync(env.TEMPORAL_TLS_CERT_PATH), key: readFileSync(env.TEMPORAL_TLS_KEY_PATH) }
            : undefined,
      }
    : undefined;
  return { address: env.TEMPORAL_ADDRESS, tls, apiKey: env.TEMPORAL_API_KEY };
}
