/**
 * The people who use the coordinator's pages and the campaigns they are given, as rows of the
 * `accounts` and `account_campaigns` tables (migration 2). Three roles:
 *
 *   admin        every campaign, and the accounts themselves
 *   coordinator  the campaigns they are given: read, excuse, extend, pause…
 *   viewer       the campaigns they are given, read only (领导 following progress)
 *
 * Statements here take a Queryable so that account-store.ts can run them in one transaction with
 * the sessions they end (disabling a person or changing a password ends their sessions at once).
 */
import { CAMPAIGN_ID_PATTERN } from '../../deadlines/schema/values';
import type { Queryable } from '../database/database';

export const ROLES = ['admin', 'coordinator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** 人员: who they are, what they may do, where. */
export interface Person {
  login: string;
  name: string;
  role: Role;
  /** When the account was disabled (epoch ms); a disabled person cannot log in. */
  disabledAt?: number;
  createdAt: number;
  /** The campaigns given to a coordinator or viewer (an admin sees every campaign regardless). */
  campaigns: string[];
}

/** Logins: lower-case letters, digits and . _ - (an e-mail's local part fits), 1–64 characters. */
export const LOGIN_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;

/** A refused change to the accounts: the message says why, in the user's terms. */
export class AccountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountError';
  }
}

/** A login as typed: trimmed, lower case (logins are not case-sensitive). */
export function normaliseLogin(login: string): string {
  return login.trim().toLowerCase();
}

export function checkLogin(login: string): string {
  const l = normaliseLogin(login);
  if (!LOGIN_PATTERN.test(l)) throw new AccountError(`'${login}' is not a valid login: use 1–64 lower-case letters, digits and . _ - (starting and ending with a letter or digit)`);
  return l;
}

export function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new AccountError(`'${role}' is not a role: choose admin, coordinator or viewer`);
  return role as Role;
}

export function checkName(name: string): string {
  const n = name.trim();
  if (!n || n.length > 100 || /[\p{Cc}\p{Cf}]/u.test(n)) throw new AccountError('a name is 1–100 characters, without control or invisible characters');
  return n;
}

/** A campaign id as the plans write it (`campaign/<id>`, the workflow id, is accepted too). */
export function checkCampaignId(id: string): string {
  const c = id.trim().replace(/^campaign\//, '');
  if (c.length > 64 || !CAMPAIGN_ID_PATTERN.test(c)) throw new AccountError(`'${id}' is not a campaign id (lower-case letters, digits and hyphens, as in the plan's campaign.id)`);
  return c;
}

interface AccountRow {
  login: string;
  name: string;
  role: Role;
  password_hash: string;
  disabled_at: number | null;
  created_at: number;
}

function person(row: AccountRow, campaigns: string[]): Person {
  return { login: row.login, name: row.name, role: row.role, ...(row.disabled_at !== null ? { disabledAt: Number(row.disabled_at) } : {}), createdAt: Number(row.created_at), campaigns };
}

export async function campaignsOf(q: Queryable, login: string): Promise<string[]> {
  return (await q.all<{ campaign_id: string }>('SELECT campaign_id FROM account_campaigns WHERE login = $1 ORDER BY campaign_id', [login])).map((r) => r.campaign_id);
}

export async function findPerson(q: Queryable, login: string): Promise<(Person & { passwordHash: string }) | undefined> {
  const row = await q.get<AccountRow>('SELECT * FROM accounts WHERE login = $1', [login]);
  return row ? { ...person(row, await campaignsOf(q, row.login)), passwordHash: row.password_hash } : undefined;
}

export async function requirePerson(q: Queryable, login: string): Promise<Person & { passwordHash: string }> {
  const found = await findPerson(q, normaliseLogin(login));
  if (!found) throw new AccountError(`no account '${login}' (see: campaign user list)`);
  return found;
}

export async function listPeople(q: Queryable): Promise<Person[]> {
  const rows = await q.all<AccountRow>('SELECT * FROM accounts ORDER BY login');
  const grants = await q.all<{ login: string; campaign_id: string }>('SELECT login, campaign_id FROM account_campaigns ORDER BY login, campaign_id');
  return rows.map((r) => person(r, grants.filter((g) => g.login === r.login).map((g) => g.campaign_id)));
}

export interface NewPerson {
  login: string;
  name: string;
  role: Role;
  passwordHash: string;
  campaigns: string[];
  by: string;
}

export async function insertPerson(q: Queryable, p: NewPerson, now: number): Promise<void> {
  const added = await q.run(
    `INSERT INTO accounts (login, name, role, password_hash, disabled_at, created_at, created_by, password_changed_at)
     VALUES ($1, $2, $3, $4, NULL, $5, $6, $5) ON CONFLICT (login) DO NOTHING`,
    [p.login, p.name, p.role, p.passwordHash, now, p.by],
  );
  if (!added) throw new AccountError(`an account '${p.login}' exists already`);
  for (const c of p.campaigns) await insertGrant(q, p.login, c, p.by, now);
}

export async function insertGrant(q: Queryable, login: string, campaignId: string, by: string, now: number): Promise<boolean> {
  const n = await q.run(`INSERT INTO account_campaigns (login, campaign_id, granted_at, granted_by) VALUES ($1, $2, $3, $4) ON CONFLICT (login, campaign_id) DO NOTHING`, [login, campaignId, now, by]);
  return n > 0;
}

export async function deleteGrant(q: Queryable, login: string, campaignId: string): Promise<boolean> {
  return (await q.run('DELETE FROM account_campaigns WHERE login = $1 AND campaign_id = $2', [login, campaignId])) > 0;
}

/** Admins who can still log in. */
export async function enabledAdmins(q: Queryable): Promise<number> {
  const row = await q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM accounts WHERE role = 'admin' AND disabled_at IS NULL`);
  return Number(row?.n ?? 0);
}

export async function anyAdmin(q: Queryable): Promise<boolean> {
  return !!(await q.get(`SELECT login FROM accounts WHERE role = 'admin' LIMIT 1`));
}

export async function setDisabled(q: Queryable, login: string, disabledAt: number | null): Promise<void> {
  await q.run('UPDATE accounts SET disabled_at = $2 WHERE login = $1', [login, disabledAt]);
}

export async function setPasswordHash(q: Queryable, login: string, passwordHash: string, now: number): Promise<void> {
  await q.run('UPDATE accounts SET password_hash = $2, password_changed_at = $3 WHERE login = $1', [login, passwordHash, now]);
}

// --- what each role may do (the one place the portal and the CLI ask) ------------------------------

/** Sees a campaign's pages: an admin every campaign, others the campaigns given to them. */
export function mayRead(p: Person, campaignId: string): boolean {
  return p.role === 'admin' || p.campaigns.includes(campaignId);
}

/** Changes a campaign (excuse, extend, pause…): admins, and coordinators on their campaigns. Viewers never. */
export function mayAct(p: Person, campaignId: string): boolean {
  return p.role === 'admin' || (p.role === 'coordinator' && p.campaigns.includes(campaignId));
}

export function mayManageAccounts(p: Person): boolean {
  return p.role === 'admin';
}
