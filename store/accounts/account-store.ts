/**
 * The accounts of the coordinator's pages on the database: people and their roles, the campaigns
 * they are given, their sessions, the login throttle — one store for the portal and the CLI
 * (`campaign user …`). Built on stores.db: `new AccountStore(stores.db)`.
 *
 * Logging in ({@link AccountStore.logIn}) is here rather than in the portal so that its order is
 * one rule, tested on both databases: address throttle, name throttle, password (a decoy hash for
 * a name that does not exist, so the timing says nothing), disabled, then a NEW session — never
 * one the browser brought (session fixation).
 *
 * Bootstrap: a fresh installation has no admin; {@link AccountStore.bootstrapAdmin} creates the
 * first one from PORTAL_COORDINATOR_USER / PORTAL_COORDINATOR_PASSWORD when the portal starts and
 * no admin exists yet — once; afterwards the variable is ignored and people are managed with
 * `campaign user` or the accounts page.
 *
 * Times are the portal's clock (`now`, replaceable in tests), not the database's: a session's
 * idle and absolute expiry are judged where it is used.
 */
import type { Database } from '../database/database';
import { addressKey, attemptFailed, attemptSucceeded, claimAttempt, sweepThrottle, type ThrottleRule } from './login-throttle';
import { hashPassword, needsRehash, verifyDecoy, verifyPassword } from './passwords';
import {
  AccountError,
  anyAdmin,
  checkCampaignId,
  checkLogin,
  checkName,
  checkRole,
  deleteGrant,
  enabledAdmins,
  findPerson,
  insertGrant,
  insertPerson,
  listPeople,
  normaliseLogin,
  requirePerson,
  setDisabled,
  setPasswordHash,
  type Person,
} from './people';
import { endSession, endSessionsOf, findSession, openSession, openSessionCounts, sweepSessions, type OpenSession, type SessionTimes } from './sessions';

export { AccountError, mayAct, mayManageAccounts, mayRead, ROLES, type Person, type Role } from './people';
export { WeakPasswordError, PASSWORD_MIN_LENGTH } from './passwords';
export type { OpenSession } from './sessions';

export interface AccountPolicy {
  session: SessionTimes;
  /** Per login name: a few tries, then locked (see login-throttle.ts for why per name). */
  perLogin: ThrottleRule;
  /** Per address: many more, since an office's people may share one address. */
  perAddress: ThrottleRule;
}

export const DEFAULT_ACCOUNT_POLICY: AccountPolicy = {
  session: { idleMs: 2 * 3600_000, maxMs: 8 * 3600_000 },
  perLogin: { attempts: 5, windowMs: 15 * 60_000 },
  perAddress: { attempts: 30, windowMs: 15 * 60_000 },
};

export type LoginOutcome =
  | { ok: true; token: string; person: Person }
  /** Wrong name or wrong password: the same answer for both. */
  | { ok: false; why: 'wrong' }
  /** Too many failures for this name, or from this address (whether or not the name exists). */
  | { ok: false; why: 'locked'; scope: 'login' | 'address'; retryAfterMs: number }
  /** The right password of a disabled account (only someone who knows it learns this). */
  | { ok: false; why: 'disabled' };

export interface NewAccount {
  login: string;
  name: string;
  role: string;
  password: string;
  campaigns?: string[];
}

export class AccountStore {
  readonly policy: AccountPolicy;
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    opts: { now?: () => number; policy?: Partial<AccountPolicy> } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.policy = { ...DEFAULT_ACCOUNT_POLICY, ...opts.policy };
  }

  // --- people ----------------------------------------------------------------------------------

  async add(account: NewAccount, by: string): Promise<Person> {
    const login = checkLogin(account.login);
    const role = checkRole(account.role);
    const name = checkName(account.name);
    const campaigns = [...new Set((account.campaigns ?? []).map(checkCampaignId))];
    if (role === 'admin' && campaigns.length) throw new AccountError('an admin sees every campaign: give campaigns to coordinators and viewers only');
    const passwordHash = await hashPassword(account.password);
    await this.db.transaction((tx) => insertPerson(tx, { login, name, role, passwordHash, campaigns, by }, this.now()));
    return (await this.get(login))!;
  }

  async get(login: string): Promise<Person | undefined> {
    const found = await findPerson(this.db, normaliseLogin(login));
    if (!found) return undefined;
    const { passwordHash: _, ...person } = found;
    return person;
  }

  /** Whether anyone can administer the accounts yet (a fresh installation has no admin). */
  hasAdmin(): Promise<boolean> {
    return anyAdmin(this.db);
  }

  list(): Promise<Person[]> {
    return listPeople(this.db);
  }

  /** Open sessions per login, for the accounts page. */
  openSessions(): Promise<Map<string, number>> {
    return openSessionCounts(this.db, this.now(), this.policy.session);
  }

  /** Disables a person and ends their sessions at once. The last admin who can log in cannot be disabled. */
  async disable(login: string): Promise<{ sessionsEnded: number }> {
    return this.db.transaction(async (tx) => {
      const p = await requirePerson(tx, login);
      if (p.disabledAt !== undefined) return { sessionsEnded: 0 };
      if (p.role === 'admin' && (await enabledAdmins(tx)) <= 1) throw new AccountError(`'${p.login}' is the last admin who can log in: add another admin before disabling this one`);
      const now = this.now();
      await setDisabled(tx, p.login, now);
      return { sessionsEnded: await endSessionsOf(tx, p.login, now, 'disabled') };
    });
  }

  async enable(login: string): Promise<void> {
    await this.db.transaction(async (tx) => setDisabled(tx, (await requirePerson(tx, login)).login, null));
  }

  /** Sets a new password and ends every session the person had (a stolen session ends with the old password). */
  async setPassword(login: string, password: string): Promise<{ sessionsEnded: number }> {
    const hash = await hashPassword(password);
    return this.db.transaction(async (tx) => {
      const p = await requirePerson(tx, login);
      const now = this.now();
      await setPasswordHash(tx, p.login, hash, now);
      return { sessionsEnded: await endSessionsOf(tx, p.login, now, 'password-changed') };
    });
  }

  /** Gives a coordinator or viewer a campaign; false when they had it already. */
  async grant(login: string, campaignId: string, by: string): Promise<boolean> {
    const campaign = checkCampaignId(campaignId);
    return this.db.transaction(async (tx) => {
      const p = await requirePerson(tx, login);
      if (p.role === 'admin') throw new AccountError(`'${p.login}' is an admin and sees every campaign already`);
      return insertGrant(tx, p.login, campaign, by, this.now());
    });
  }

  async revoke(login: string, campaignId: string): Promise<boolean> {
    const campaign = checkCampaignId(campaignId);
    return this.db.transaction(async (tx) => deleteGrant(tx, (await requirePerson(tx, login)).login, campaign));
  }

  /**
   * Creates the first admin when no admin exists (at the portal's start, from
   * PORTAL_COORDINATOR_USER / PORTAL_COORDINATOR_PASSWORD). Once an admin exists it does nothing.
   */
  async bootstrapAdmin(login: string, password: string): Promise<'created' | 'admin-exists'> {
    if (await anyAdmin(this.db)) return 'admin-exists';
    try {
      await this.add({ login, name: login, role: 'admin', password }, 'bootstrap:PORTAL_COORDINATOR_PASSWORD');
      return 'created';
    } catch (err) {
      // Two portals starting at once: the other one created it.
      if (err instanceof AccountError && (await anyAdmin(this.db))) return 'admin-exists';
      throw err;
    }
  }

  // --- logging in and sessions -----------------------------------------------------------------

  async logIn(attempt: { login: string; password: string; address: string | undefined }): Promise<LoginOutcome> {
    const now = this.now();
    const login = normaliseLogin(attempt.login).slice(0, 100);
    const address = addressKey(attempt.address);
    const { perLogin, perAddress } = this.policy;
    const byAddress = await claimAttempt(this.db, 'address', address, now, perAddress);
    if (!byAddress.allowed) return { ok: false, why: 'locked', scope: 'address', retryAfterMs: byAddress.retryAfterMs };
    const byLogin = await claimAttempt(this.db, 'login', login, now, perLogin);
    if (!byLogin.allowed) return { ok: false, why: 'locked', scope: 'login', retryAfterMs: byLogin.retryAfterMs };

    const found = await findPerson(this.db, login);
    const right = found ? await verifyPassword(attempt.password, found.passwordHash) : await verifyDecoy(attempt.password);
    if (!right || !found) {
      await attemptFailed(this.db, 'address', address, now, perAddress);
      await attemptFailed(this.db, 'login', login, now, perLogin);
      await sweepThrottle(this.db, now);
      return { ok: false, why: 'wrong' };
    }
    await attemptSucceeded(this.db, 'address', address);
    await attemptSucceeded(this.db, 'login', login);
    if (found.disabledAt !== undefined) return { ok: false, why: 'disabled' };
    if (needsRehash(found.passwordHash)) await setPasswordHash(this.db, found.login, await hashPassword(attempt.password), now).catch(() => undefined);
    await sweepSessions(this.db, now);
    const token = await openSession(this.db, found.login, address, now, this.policy.session);
    const { passwordHash: _, ...person } = found;
    return { ok: true, token, person };
  }

  /** The open session a cookie names, with its person as they are now (role, grants, not disabled). */
  session(token: string | undefined): Promise<OpenSession | undefined> {
    return token ? findSession(this.db, token, this.now(), this.policy.session) : Promise.resolve(undefined);
  }

  /** Ends a session (logout, or one replaced by a new login); true when it was open. */
  endSession(token: string, why: 'logout' | 'replaced' = 'logout'): Promise<boolean> {
    return endSession(this.db, token, this.now(), why);
  }
}
