/**
 * Mail settings, read from environment variables and checked once at worker start-up.
 *
 * Either `SMTP_URL` (`smtp://user:pass@host:587` or `smtps://user:pass@host:465`; user and
 * password percent-encoded) or the separate `SMTP_HOST`, `SMTP_PORT`, `SMTP_USER`,
 * `SMTP_PASSWORD`, `SMTP_SECURE` variables; separate variables given next to `SMTP_URL` override
 * the URL's parts. `SMTP_FROM` is required and must carry a display name and an address:
 * `春风行动办公室 <noreply@hrss.example>` (its domain also names the Message-IDs, see ledger.ts).
 *
 * Timeouts: one message's send must finish (or fail) within {@link MESSAGE_SEND_MAX_MS}, the
 * bound the delivery ledger's per-message lock lease is built on (ledger.ts): an attempt still
 * talking to the server must never look abandoned to another. The connection, greeting and socket
 * timeouts together may not exceed {@link SEND_TIMEOUT_BUDGET_MS}, and the mailer aborts any single
 * send that takes longer than the budget (see transport.ts). The batch activity's own timeouts
 * (workflows: 5 minutes start-to-close, heartbeat after every message) are longer still.
 *
 * `parseMailConfig` reports every bad variable at once, in plain words, as a {@link ConfigError}.
 */
import { z } from 'zod';
import { ConfigError } from './errors';

const MAIL_HEADING = 'Mail settings are not valid';

/** The longest one message may take: its ledger writes and its SMTP send (lock leases exceed it). */
export const MESSAGE_SEND_MAX_MS = 60_000;
/**
 * Upper bound of one send, in ms: connection + greeting + socket timeouts must fit in it, and the
 * mailer aborts a send (queue wait included) after it. Leaves 10 s of {@link MESSAGE_SEND_MAX_MS}
 * for composing and the ledger writes.
 */
export const SEND_TIMEOUT_BUDGET_MS = 50_000;

export interface MailAddress {
  name: string;
  address: string;
}

export interface MailConfig {
  host: string;
  port: number;
  /** true = implicit TLS (smtps, usually port 465); false = plain, upgraded with STARTTLS when offered. */
  secure: boolean;
  auth?: { user: string; pass: string };
  from: MailAddress;
  /** Domain of the From address: the right-hand side of every Message-ID. */
  messageIdDomain: string;
  pool: { maxConnections: number; rateLimitPerSecond?: number };
  timeouts: { connectionMs: number; greetingMs: number; socketMs: number };
  tls: { rejectUnauthorized: boolean };
  /**
   * Memory for messages built before they are due (MAIL_PREPARE_AHEAD_MB, default 16; 0 = off):
   * see prepared-messages.ts.
   */
  prepareAheadBytes: number;
}

const DEFAULTS = {
  maxConnections: 5,
  connectionMs: 10_000,
  greetingMs: 10_000,
  socketMs: 20_000,
  prepareAheadMb: 16,
};

type Env = Record<string, string | undefined>;

const trimmed = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s === '' ? undefined : s));

/** The raw variables; every value is a string (or absent). Semantic checks follow in parseMailConfig. */
const envSchema = z.object({
  SMTP_URL: trimmed,
  SMTP_HOST: trimmed,
  SMTP_PORT: trimmed,
  SMTP_USER: trimmed,
  SMTP_PASSWORD: z.string().optional(),
  SMTP_SECURE: trimmed,
  SMTP_FROM: trimmed,
  SMTP_POOL_MAX_CONNECTIONS: trimmed,
  SMTP_RATE_LIMIT: trimmed,
  SMTP_CONNECTION_TIMEOUT_MS: trimmed,
  SMTP_GREETING_TIMEOUT_MS: trimmed,
  SMTP_SOCKET_TIMEOUT_MS: trimmed,
  SMTP_TLS_REJECT_UNAUTHORIZED: trimmed,
  MAIL_LEDGER_DIR: trimmed,
  MAIL_PREPARE_AHEAD_MB: trimmed,
});

/** Parses and checks the mail settings; throws {@link ConfigError} listing every problem. */
export function parseMailConfig(env: Env = process.env): MailConfig {
  const problems: string[] = [];
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // only possible when a value is not a string at all
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} must be text`), MAIL_HEADING);
  }
  const e = parsed.data;

  const bool = (name: keyof typeof e, value: string | undefined): boolean | undefined => {
    if (value === undefined) return undefined;
    const v = value.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    problems.push(`${name} must be true or false, got "${value}"`);
    return undefined;
  };
  const int = (name: keyof typeof e, value: string | undefined, min: number, max: number, what: string): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name} must be ${what} between ${min} and ${max}, got "${value}"`);
      return undefined;
    }
    return n;
  };

  // --- server: URL and/or separate variables
  let host: string | undefined;
  let port: number | undefined;
  let secure: boolean | undefined;
  let user: string | undefined;
  let pass: string | undefined;
  if (e.SMTP_URL !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(e.SMTP_URL);
    } catch {
      problems.push(`SMTP_URL is not a URL; expected smtp://user:password@host:587 or smtps://user:password@host:465`);
    }
    if (url) {
      if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
        problems.push(`SMTP_URL must start with smtp:// or smtps://, got "${url.protocol}//"`);
      } else {
        secure = url.protocol === 'smtps:';
        host = url.hostname.replace(/^\[(.*)\]$/, '$1') || undefined;
        if (!host) problems.push('SMTP_URL has no host name');
        if (url.port) port = Number(url.port);
        try {
          if (url.username) user = decodeURIComponent(url.username);
          if (url.password) pass = decodeURIComponent(url.password);
        } catch {
          problems.push('SMTP_URL has a badly percent-encoded user name or password');
        }
      }
    }
  }
  if (e.SMTP_HOST !== undefined) {
    if (/[\s/:@]/.test(e.SMTP_HOST) && !/^[0-9a-f:]+$/i.test(e.SMTP_HOST)) {
      problems.push(`SMTP_HOST must be a host name or IP address (no scheme, port or path), got "${e.SMTP_HOST}"`);
    } else host = e.SMTP_HOST;
  }
  if (host === undefined && e.SMTP_URL === undefined) {
    problems.push('Set either SMTP_URL (smtp://user:password@host:587) or SMTP_HOST (with SMTP_PORT, SMTP_USER, SMTP_PASSWORD)');
  }
  const portVar = int('SMTP_PORT', e.SMTP_PORT, 1, 65535, 'a port number');
  if (portVar !== undefined) port = portVar;
  const secureVar = bool('SMTP_SECURE', e.SMTP_SECURE);
  if (secureVar !== undefined) secure = secureVar;
  if (e.SMTP_USER !== undefined) user = e.SMTP_USER;
  if (e.SMTP_PASSWORD !== undefined && e.SMTP_PASSWORD !== '') pass = e.SMTP_PASSWORD;
  if (secure === undefined) secure = port === 465;
  if (port === undefined) port = secure ? 465 : 587;
  if (user !== undefined && pass === undefined) problems.push('SMTP_USER is set but SMTP_PASSWORD is missing (or the URL has a user but no password)');
  if (pass !== undefined && user === undefined) problems.push('SMTP_PASSWORD is set but SMTP_USER is missing');

  // --- sender
  let from: MailAddress | undefined;
  if (e.SMTP_FROM === undefined) {
    problems.push('SMTP_FROM is required: a display name and an address, e.g. 春风行动办公室 <noreply@hrss.example>');
  } else {
    from = parseFrom(e.SMTP_FROM);
    if (!from) {
      problems.push(
        `SMTP_FROM must be a display name followed by an address in angle brackets, e.g. 春风行动办公室 <noreply@hrss.example>; got "${e.SMTP_FROM}"`,
      );
    }
  }

  // --- pool and rate
  const maxConnections = int('SMTP_POOL_MAX_CONNECTIONS', e.SMTP_POOL_MAX_CONNECTIONS, 1, 100, 'a whole number') ?? DEFAULTS.maxConnections;
  let rateLimitPerSecond: number | undefined;
  if (e.SMTP_RATE_LIMIT !== undefined) {
    const n = Number(e.SMTP_RATE_LIMIT);
    if (!Number.isFinite(n) || n <= 0 || n > 10_000) {
      problems.push(`SMTP_RATE_LIMIT must be a number of messages per second greater than 0, got "${e.SMTP_RATE_LIMIT}"`);
    } else rateLimitPerSecond = n;
  }

  // --- timeouts
  const connectionMs = int('SMTP_CONNECTION_TIMEOUT_MS', e.SMTP_CONNECTION_TIMEOUT_MS, 100, SEND_TIMEOUT_BUDGET_MS, 'milliseconds') ?? DEFAULTS.connectionMs;
  const greetingMs = int('SMTP_GREETING_TIMEOUT_MS', e.SMTP_GREETING_TIMEOUT_MS, 100, SEND_TIMEOUT_BUDGET_MS, 'milliseconds') ?? DEFAULTS.greetingMs;
  const socketMs = int('SMTP_SOCKET_TIMEOUT_MS', e.SMTP_SOCKET_TIMEOUT_MS, 100, SEND_TIMEOUT_BUDGET_MS, 'milliseconds') ?? DEFAULTS.socketMs;
  if (connectionMs + greetingMs + socketMs > SEND_TIMEOUT_BUDGET_MS) {
    problems.push(
      `SMTP_CONNECTION_TIMEOUT_MS + SMTP_GREETING_TIMEOUT_MS + SMTP_SOCKET_TIMEOUT_MS add up to ${connectionMs + greetingMs + socketMs} ms; ` +
        `they must stay within ${SEND_TIMEOUT_BUDGET_MS} ms so a send ends within ${MESSAGE_SEND_MAX_MS} ms (a message's lock is held no longer)`,
    );
  }

  const rejectUnauthorized = bool('SMTP_TLS_REJECT_UNAUTHORIZED', e.SMTP_TLS_REJECT_UNAUTHORIZED) ?? true;
  const prepareAheadMb = int('MAIL_PREPARE_AHEAD_MB', e.MAIL_PREPARE_AHEAD_MB, 0, 4096, 'a whole number of MiB (0 turns preparing ahead off)') ?? DEFAULTS.prepareAheadMb;
  // The file ledger is gone: a folder named here would be ignored, and messages it recorded as sent sent again.
  if (e.MAIL_LEDGER_DIR !== undefined) {
    problems.push(
      `MAIL_LEDGER_DIR is no longer read (delivery records are kept in the database): import the records in ${e.MAIL_LEDGER_DIR} once with \`npx campaign migrate-data\` (it reads MAIL_LEDGER_DIR), then remove the variable`,
    );
  }

  if (problems.length > 0 || host === undefined || from === undefined) throw new ConfigError(problems, MAIL_HEADING);

  return {
    host,
    port,
    secure,
    auth: user !== undefined && pass !== undefined ? { user, pass } : undefined,
    from,
    messageIdDomain: from.address.slice(from.address.lastIndexOf('@') + 1).toLowerCase(),
    pool: { maxConnections, rateLimitPerSecond },
    timeouts: { connectionMs, greetingMs, socketMs },
    tls: { rejectUnauthorized },
    prepareAheadBytes: prepareAheadMb * 1024 * 1024,
  };
}

/** Plain-address check shared by config, transport and compose: local@domain, no spaces or brackets. */
export const ADDRESS_RE = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+$/;

export function isValidAddress(address: string): boolean {
  if (!ADDRESS_RE.test(address)) return false;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return !domain.startsWith('.') && !domain.endsWith('.') && !domain.includes('..');
}

/** `Name <addr@domain>` or `"Name" <addr@domain>`; the display name is required. */
export function parseFrom(value: string): MailAddress | undefined {
  const m = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<>"]*?))\s*<\s*([^<>\s]+)\s*>\s*$/.exec(value);
  if (!m) return undefined;
  const name = (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? '')).trim();
  const address = m[3];
  if (!name || !isValidAddress(address)) return undefined;
  return { name, address };
}

/** `"Name" <addr>` for headers (nodemailer encodes non-ASCII names). */
export function formatAddress(a: { name?: string; address: string }): string {
  return a.name ? `"${a.name.replace(/["\\]/g, '\\$&')}" <${a.address}>` : a.address;
}
