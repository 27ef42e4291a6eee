/**
 * Server-side sessions: the cookie carries a random id (256 bits), the `sessions` table only its
 * SHA-256 — whoever reads the table (a backup, a support export) cannot log in with what they
 * read. A session ends on logout, when its person is disabled or their password changes, after an
 * idle time and at an absolute lifetime; an ended session is kept a week as a record, then deleted.
 *
 * Why a table and not a signed cookie: a signed cookie cannot be taken back. After logout, or
 * after an admin disables a person, the cookie would still work until it expires.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../database/database';
import { campaignsOf, type Person, type Role } from './people';

export interface SessionTimes {
  /** A session unused this long ends (every request counts as use). */
  idleMs: number;
  /** A session ends this long after it began, used or not. */
  maxMs: number;
}

/** Why a session ended, as recorded in the table. */
export type EndedWhy = 'logout' | 'expired' | 'disabled' | 'password-changed' | 'replaced';

/** The open session a request carries, with its person as the database says now. */
export interface OpenSession {
  person: Person;
  createdAt: number;
  expiresAt: number;
}

/** Last-seen is written at most this often: a page's own requests do not each write a row. */
const TOUCH_EVERY_MS = 60_000;
/** Ended and expired sessions are kept this long, then deleted. */
const KEEP_ENDED_MS = 7 * 24 * 3600_000;

export function sessionHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Opens a session for `login`; returns the id for the cookie (the only place it is ever kept). */
export async function openSession(q: Queryable, login: string, address: string, now: number, times: SessionTimes): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await q.run(
    `INSERT INTO sessions (id_hash, login, created_at, last_seen_at, expires_at, ended_at, ended_why, address) VALUES ($1, $2, $3, $3, $4, NULL, NULL, $5)`,
    [sessionHash(token), login, now, now + times.maxMs, address.slice(0, 100)],
  );
  return token;
}

interface SessionRow {
  id_hash: string;
  login: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ended_at: number | null;
  name: string;
  role: Role;
  disabled_at: number | null;
  account_created_at: number;
}

/** The session a cookie names, if it is open; an expired one is recorded as ended. */
export async function findSession(q: Queryable, token: string, now: number, times: SessionTimes): Promise<OpenSession | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const idHash = sessionHash(token);
  const row = await q.get<SessionRow>(
    `SELECT s.id_hash, s.login, s.created_at, s.last_seen_at, s.expires_at, s.ended_at, a.name, a.role, a.disabled_at, a.created_at AS account_created_at
     FROM sessions s JOIN accounts a ON a.login = s.login WHERE s.id_hash = $1`,
    [idHash],
  );
  if (!row || row.ended_at !== null) return undefined;
  // Disabling ends the sessions in the same transaction; this check holds even for a row written by an older version.
  if (row.disabled_at !== null) return undefined;
  const lastSeen = Number(row.last_seen_at);
  const expiresAt = Number(row.expires_at);
  if (now >= expiresAt || now - lastSeen >= times.idleMs) {
    await q.run(`UPDATE sessions SET ended_at = $2, ended_why = 'expired' WHERE id_hash = $1 AND ended_at IS NULL`, [idHash, now]);
    return undefined;
  }
  if (now - lastSeen >= TOUCH_EVERY_MS) await q.run('UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND ended_at IS NULL', [idHash, now]);
  return {
    person: { login: row.login, name: row.name, role: row.role, createdAt: Number(row.account_created_at), campaigns: await campaignsOf(q, row.login) },
    createdAt: Number(row.created_at),
    expiresAt,
  };
}

/** Ends the session a cookie names (logout); true when it was open. */
export async function endSession(q: Queryable, token: string, now: number, why: EndedWhy): Promise<boolean> {
  return (await q.run('UPDATE sessions SET ended_at = $2, ended_why = $3 WHERE id_hash = $1 AND ended_at IS NULL', [sessionHash(token), now, why])) > 0;
}

/** Ends every open session of a person; returns how many. */
export async function endSessionsOf(q: Queryable, login: string, now: number, why: EndedWhy): Promise<number> {
  return q.run('UPDATE sessions SET ended_at = $2, ended_why = $3 WHERE login = $1 AND ended_at IS NULL', [login, now, why]);
}

/** Open sessions per person (for the accounts page). */
export async function openSessionCounts(q: Queryable, now: number, times: SessionTimes): Promise<Map<string, number>> {
  const rows = await q.all<{ login: string; n: number }>(
    'SELECT login, COUNT(*) AS n FROM sessions WHERE ended_at IS NULL AND expires_at > $1 AND last_seen_at > $2 GROUP BY login',
    [now, now - times.idleMs],
  );
  return new Map(rows.map((r) => [r.login, Number(r.n)]));
}

/** Deletes the sessions that ended or expired more than a week ago. */
export async function sweepSessions(q: Queryable, now: number): Promise<number> {
  return q.run('DELETE FROM sessions WHERE expires_at < $1 OR ended_at < $1', [now - KEEP_ENDED_MS]);
}
