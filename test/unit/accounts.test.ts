/**
 * The accounts of the coordinator's pages (store/accounts/) on both databases — the embedded
 * SQLite file and PostgreSQL: passwords hashed with scrypt (never stored, a weaker hash upgraded at
 * the next good login), people, roles and campaigns, server-side sessions (only a hash of the id
 * stored; ended by logout, by disabling, by a new password, after idle time and at their absolute
 * end) and the login throttle per login name and per address, counted in the database so that a
 * second portal process on the same database sees the same counts.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountError, AccountStore, DEFAULT_ACCOUNT_POLICY, WeakPasswordError, mayAct, mayRead } from '../../store/accounts/account-store';
import { addressKey } from '../../store/accounts/login-throttle';
import { hashPassword, needsRehash, verifyPassword } from '../../store/accounts/passwords';
import { openStores, type Stores } from '../../store/stores';
import { freshPostgresDatabase } from '../support/databases';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PW = 'correct horse battery';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('passwords', () => {
  it('are stored as scrypt N=2^15 r=8 p=1 with a salt of their own; the right one verifies, a wrong one does not', async () => {
    const a = await hashPassword(PW);
    const b = await hashPassword(PW);
    expect(a).toMatch(/^scrypt:15:8:1:[A-Za-z0-9+/=]{24}:[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(PW);
    expect(await verifyPassword(PW, a)).toBe(true);
    expect(await verifyPassword(`${PW}!`, a)).toBe(false);
    expect(await verifyPassword(PW, 'scrypt:40:8:1:AAAA:AAAA')).toBe(false);
    // The same password typed with a full-width input method is the same password (NFKC).
    const digits = await hashPassword('密码１２３４５６７８９０ab');
    expect(await verifyPassword('密码1234567890ab', digits)).toBe(true);
  });

  it('refuse a password under 12 characters', async () => {
    await expect(hashPassword('short-pw')).rejects.toThrow(WeakPasswordError);
    await expect(hashPassword('十二个字符的密码还差一点')).resolves.toMatch(/^scrypt:/);
  });

  it('made with weaker parameters need rehashing', async () => {
    expect(needsRehash(await hashPassword(PW))).toBe(false);
    expect(needsRehash(weakHash(PW))).toBe(true);
    expect(await verifyPassword(PW, weakHash(PW))).toBe(true);
  });
});

/** A hash as an older version with N=2^14 would have stored it. */
function weakHash(password: string): string {
  const salt = randomBytes(16);
  return ['scrypt', 14, 8, 1, salt.toString('base64'), scryptSync(password, salt, 32, { N: 2 ** 14, r: 8, p: 1 }).toString('base64')].join(':');
}

it('addresses are counted as IPv4, or by their IPv6 /64', () => {
  expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
  expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
  expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
  expect(addressKey('::1')).toBe('0:0:0:0::/64');
  expect(addressKey(undefined)).toBe('unknown');
});

const BACKENDS = [
  { name: 'SQLite', databaseUrl: async (): Promise<string | undefined> => undefined },
  { name: 'PostgreSQL', databaseUrl: async (): Promise<string | undefined> => freshPostgresDatabase('accounts') },
] as const;

describe.each(BACKENDS)('accounts on $name', (backend) => {
  let stores: Stores;
  /** The same database opened again, as by a second portal process. */
  let other: Stores;
  let now = Date.parse('2024-03-05T01:00:00Z');
  const clock = () => now;
  let accounts: AccountStore;
  let elsewhere: AccountStore;

  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'accounts-'));
    dirs.push(dataDir);
    const settings = { CAMPAIGN_DATA_DIR: dataDir, CAMPAIGN_DATABASE_URL: await backend.databaseUrl() };
    stores = await openStores(settings);
    other = await openStores(settings);
    accounts = new AccountStore(stores.db, { now: clock });
    elsewhere = new AccountStore(other.db, { now: clock });
  });
  afterAll(async () => {
    await other?.close();
    await stores?.close();
  });

  const logIn = (login: string, password: string, address = '10.0.0.1', store = accounts) => store.logIn({ login, password, address });

  it('creates the first admin from the bootstrap variables once; later calls leave the accounts alone', async () => {
    expect(await accounts.hasAdmin()).toBe(false);
    expect(await accounts.bootstrapAdmin('chief', PW)).toBe('created');
    expect(await accounts.bootstrapAdmin('chief', 'another password entirely')).toBe('admin-exists');
    expect(await elsewhere.bootstrapAdmin('someone-else', PW)).toBe('admin-exists');
    expect((await accounts.list()).map((p) => [p.login, p.role])).toEqual([['chief', 'admin']]);
    expect((await logIn('chief', PW)).ok).toBe(true);
    expect((await logIn('chief', 'another password entirely')).ok).toBe(false);
  });

  it('keeps people with their role and campaigns; refuses bad logins, roles, campaign ids, duplicates and grants to admins', async () => {
    const wang = await accounts.add({ login: 'Wang.Fang', name: '王芳', role: 'coordinator', password: PW, campaigns: ['shanxi-2024', 'campaign/tianjin-2024'] }, 'cli:test');
    expect(wang).toMatchObject({ login: 'wang.fang', name: '王芳', role: 'coordinator', campaigns: ['shanxi-2024', 'tianjin-2024'] });
    await accounts.add({ login: 'li', name: '李局长', role: 'viewer', password: PW, campaigns: ['shanxi-2024'] }, 'cli:test');
    await expect(accounts.add({ login: 'wang.fang', name: 'x', role: 'viewer', password: PW }, 'cli:test')).rejects.toThrow(/exists already/);
    await expect(accounts.add({ login: 'bad login', name: 'x', role: 'viewer', password: PW }, 'cli:test')).rejects.toThrow(AccountError);
    await expect(accounts.add({ login: 'zhao', name: 'x', role: 'boss', password: PW }, 'cli:test')).rejects.toThrow(/not a role/);
    await expect(accounts.add({ login: 'zhao', name: 'x', role: 'viewer', password: PW, campaigns: ['Shanxi 2024'] }, 'cli:test')).rejects.toThrow(/not a campaign id/);
    await expect(accounts.add({ login: 'zhao', name: 'x', role: 'viewer', password: 'too short' }, 'cli:test')).rejects.toThrow(WeakPasswordError);
    expect(await accounts.get('zhao')).toBeUndefined();
    await expect(accounts.grant('chief', 'shanxi-2024', 'cli:test')).rejects.toThrow(/admin/);
    expect(await accounts.grant('li', 'tianjin-2024', 'cli:test')).toBe(true);
    expect(await elsewhere.grant('li', 'tianjin-2024', 'cli:test')).toBe(false);
    expect(await accounts.revoke('li', 'tianjin-2024')).toBe(true);
    const li = (await accounts.get('li'))!;
    expect(li.campaigns).toEqual(['shanxi-2024']);
    // What each role may do.
    expect([mayRead(li, 'shanxi-2024'), mayAct(li, 'shanxi-2024'), mayRead(li, 'tianjin-2024')]).toEqual([true, false, false]);
    const w = (await accounts.get('wang.fang'))!;
    expect([mayRead(w, 'tianjin-2024'), mayAct(w, 'tianjin-2024'), mayAct(w, 'other-2024')]).toEqual([true, true, false]);
    const chief = (await accounts.get('chief'))!;
    expect([mayRead(chief, 'anything-at-all'), mayAct(chief, 'anything-at-all')]).toEqual([true, true]);
  });

  it('stores only the SHA-256 of a session id; a session ends on logout, and after 2 h idle or 8 h in all', async () => {
    const first = await logIn('li', PW);
    if (!first.ok) throw new Error(`login refused: ${first.why}`);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await stores.db.all<Record<string, unknown>>('SELECT * FROM sessions');
    expect(JSON.stringify(rows)).not.toContain(first.token);
    expect((await accounts.session(first.token))?.person).toMatchObject({ login: 'li', role: 'viewer', campaigns: ['shanxi-2024'] });
    // The other process sees it too, and a made-up id is nobody's.
    expect((await elsewhere.session(first.token))?.person.login).toBe('li');
    expect(await accounts.session(randomBytes(32).toString('base64url'))).toBeUndefined();

    expect(await accounts.endSession(first.token)).toBe(true);
    expect(await accounts.session(first.token)).toBeUndefined();

    // Idle: used after 1 h 59 min it lives on; left 2 h it ends.
    const idle = await logIn('li', PW);
    if (!idle.ok) throw new Error('login refused');
    now += 119 * MINUTE;
    expect(await accounts.session(idle.token)).toBeDefined();
    now += 2 * HOUR;
    expect(await accounts.session(idle.token)).toBeUndefined();
    now += 1000;
    expect(await accounts.session(idle.token)).toBeUndefined();

    // Absolute: used every hour, it still ends 8 h after login.
    const busy = await logIn('li', PW);
    if (!busy.ok) throw new Error('login refused');
    const start = now;
    for (let h = 1; h < 8; h++) {
      now = start + h * HOUR;
      expect(await accounts.session(busy.token), `after ${h} h`).toBeDefined();
    }
    now = start + 8 * HOUR;
    expect(await accounts.session(busy.token)).toBeUndefined();
    const ended = await stores.db.all<{ ended_why: string }>(`SELECT ended_why FROM sessions WHERE login = 'li' ORDER BY created_at`);
    expect(ended.map((r) => r.ended_why)).toEqual(['logout', 'expired', 'expired']);
  });

  it('disabling a person ends all their sessions at once; their right password is then answered "disabled", a wrong one "wrong"', async () => {
    const a = await logIn('wang.fang', PW);
    const b = await logIn('wang.fang', PW, '10.0.0.2');
    if (!a.ok || !b.ok) throw new Error('login refused');
    expect((await accounts.openSessions()).get('wang.fang')).toBe(2);
    expect(await elsewhere.disable('wang.fang')).toEqual({ sessionsEnded: 2 });
    expect(await accounts.session(a.token)).toBeUndefined();
    expect(await accounts.session(b.token)).toBeUndefined();
    expect(await logIn('wang.fang', PW)).toEqual({ ok: false, why: 'disabled' });
    expect(await logIn('wang.fang', 'not the password at all')).toEqual({ ok: false, why: 'wrong' });
    await accounts.enable('wang.fang');
    expect((await logIn('wang.fang', PW)).ok).toBe(true);
  });

  it('a new password ends the person’s sessions; the old password no longer works', async () => {
    const s = await logIn('wang.fang', PW);
    if (!s.ok) throw new Error('login refused');
    const { sessionsEnded } = await accounts.setPassword('wang.fang', 'a brand new passphrase');
    expect(sessionsEnded).toBeGreaterThanOrEqual(1);
    expect(await accounts.session(s.token)).toBeUndefined();
    expect((await logIn('wang.fang', PW)).ok).toBe(false);
    expect((await logIn('wang.fang', 'a brand new passphrase')).ok).toBe(true);
  });

  it('the last admin who can log in cannot be disabled', async () => {
    await expect(accounts.disable('chief')).rejects.toThrow(/last admin/);
    await accounts.add({ login: 'deputy', name: '副主任', role: 'admin', password: PW }, 'cli:test');
    await accounts.disable('chief');
    await expect(accounts.disable('deputy')).rejects.toThrow(/last admin/);
    await accounts.enable('chief');
  });

  it('a hash made with weaker parameters is upgraded at the next good login', async () => {
    await stores.db.run('UPDATE accounts SET password_hash = $1 WHERE login = $2', [weakHash(PW), 'li']);
    expect((await logIn('li', PW)).ok).toBe(true);
    const row = await stores.db.get<{ password_hash: string }>(`SELECT password_hash FROM accounts WHERE login = 'li'`);
    expect(row!.password_hash).toMatch(/^scrypt:15:8:1:/);
    expect((await logIn('li', PW)).ok).toBe(true);
  });

  it('per login name: 5 failures lock it for 15 minutes, even against the right password — a name that does not exist locks the same way', async () => {
    now += HOUR;
    for (let i = 0; i < 5; i++) expect(await logIn('li', `wrong guess number ${i}`, `10.1.0.${i}`)).toEqual({ ok: false, why: 'wrong' });
    // Counted in the database: the second process refuses too, from another address, the right password included.
    const locked = await logIn('li', PW, '10.9.9.9', elsewhere);
    expect(locked).toEqual({ ok: false, why: 'locked', scope: 'login', retryAfterMs: 15 * MINUTE });
    for (let i = 0; i < 5; i++) expect(await logIn('nobody-by-this-name', `wrong guess number ${i}`, `10.1.0.${i}`)).toEqual({ ok: false, why: 'wrong' });
    expect(await logIn('nobody-by-this-name', PW, '10.9.9.9')).toEqual(locked);
    // Attempts while locked do not extend the lock.
    now += 10 * MINUTE;
    expect(await logIn('li', PW)).toEqual({ ok: false, why: 'locked', scope: 'login', retryAfterMs: 5 * MINUTE });
    now += 5 * MINUTE;
    expect((await logIn('li', PW)).ok).toBe(true);
    // A good login forgives the failures before it.
    for (let i = 0; i < 4; i++) await logIn('li', 'wrong again and again');
    expect((await logIn('li', PW)).ok).toBe(true);
    for (let i = 0; i < 4; i++) expect((await logIn('li', 'wrong again and again')).ok).toBe(false);
    expect((await logIn('li', PW)).ok).toBe(true);
  });

  it('per login name: twenty guesses sent at once get five password checks, not twenty', async () => {
    now += HOUR;
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => logIn('wang.fang', `parallel guess ${i}`, `10.2.0.${i}`, i % 2 ? elsewhere : accounts)));
    expect(all.filter((o) => !o.ok && o.why === 'wrong')).toHaveLength(DEFAULT_ACCOUNT_POLICY.perLogin.attempts);
    expect(all.filter((o) => !o.ok && o.why === 'locked')).toHaveLength(15);
  });

  it('per address: failures over many names lock the address, not another one; good logins from it do not count', async () => {
    now += HOUR;
    const strict = new AccountStore(stores.db, { now: clock, policy: { perAddress: { attempts: 6, windowMs: 15 * MINUTE } } });
    for (let i = 0; i < 6; i++) {
      expect((await strict.logIn({ login: 'li', password: PW, address: '192.0.2.7' })).ok).toBe(true);
      expect(await strict.logIn({ login: `spray-${i}`, password: 'guessing widely', address: '192.0.2.7' })).toEqual({ ok: false, why: 'wrong' });
    }
    expect(await strict.logIn({ login: 'li', password: PW, address: '192.0.2.7' })).toEqual({ ok: false, why: 'locked', scope: 'address', retryAfterMs: 15 * MINUTE });
    expect(await strict.logIn({ login: 'li', password: PW, address: '::ffff:192.0.2.7' })).toMatchObject({ ok: false, why: 'locked', scope: 'address' });
    expect((await strict.logIn({ login: 'li', password: PW, address: '192.0.2.8' })).ok).toBe(true);
    now += 15 * MINUTE;
    expect((await strict.logIn({ login: 'li', password: PW, address: '192.0.2.7' })).ok).toBe(true);
  });
});
