/**
 * `campaign user …` as an admin runs it on the server, each verb its own process on the embedded
 * database of a temporary data folder (no Temporal needed): passwords read from stdin, never from
 * an argument; the store's refusals as one line and exit 1; disabling a person and a new password
 * end the sessions the portal holds for them in that same database.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../store/accounts/account-store';
import { openStores, type Stores } from '../../store/stores';
import { childEnv, ROOT, type Run } from '../support/run-cli';

const PW = 'admin passphrase 2024';

describe('campaign user', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  /** `campaign user <args>`, with `stdin` piped in (the password's line). */
  const user = (args: string[], stdin = ''): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'cli/campaign.mjs'), 'user', ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin);
    });

  /** The portal's view of the same database (opened and closed around each use: the CLI writes in between). */
  async function withAccounts<T>(fn: (accounts: AccountStore) => Promise<T>): Promise<T> {
    const stores: Stores = await openStores({ CAMPAIGN_DATA_DIR: dataDir });
    try {
      return await fn(new AccountStore(stores.db));
    } finally {
      await stores.close();
    }
  }

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'accounts-cli-'));
    env = childEnv({ CAMPAIGN_DATA_DIR: dataDir });
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('adds people with the password from stdin; a password is never an option; bad input is exit 1 with the reason', async () => {
    expect(await user(['add', 'Chief', '--name', '主任', '--role', 'admin'], `${PW}\n`)).toMatchObject({ code: 0, stdout: 'added chief (主任), admin: every campaign\n' });
    const wang = await user(['add', 'wang', '--name', '王芳', '--role', 'coordinator', '--campaign', 'shanxi-2024', 'tianjin-2024'], `${PW}\n`);
    expect(wang).toMatchObject({ code: 0, stdout: 'added wang (王芳), coordinator: shanxi-2024, tianjin-2024\n' });
    const asOption = await user(['add', 'li', '--name', '李', '--role', 'viewer', '--password', PW]);
    expect(asOption.code).toBe(2);
    expect(asOption.stderr).toContain("unknown option '--password'");
    const short = await user(['add', 'li', '--name', '李', '--role', 'viewer'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 12 characters');
    const none = await user(['add', 'li', '--name', '李', '--role', 'viewer']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no password given');
    expect(await withAccounts(async (a) => (await a.logIn({ login: 'wang', password: PW, address: '127.0.0.1' })).ok)).toBe(true);
  }, 60_000);

  it('lists, grants and revokes campaigns; the last admin cannot be disabled', async () => {
    expect(await user(['grant', 'wang', 'wuhan-2014'])).toMatchObject({ code: 0, stdout: 'wang now has wuhan-2014\n' });
    expect(await user(['revoke', 'wang', 'tianjin-2024'])).toMatchObject({ code: 0, stdout: 'wang no longer has tianjin-2024\n' });
    const list = await user(['list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).map((p: { login: string; role: string; campaigns: string[] }) => [p.login, p.role, p.campaigns])).toEqual([
      ['chief', 'admin', []],
      ['wang', 'coordinator', ['shanxi-2024', 'wuhan-2014']],
    ]);
    const last = await user(['disable', 'chief']);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last admin');
  }, 60_000);

  it('passwd and disable end the person’s open sessions in the portal’s database', async () => {
    const token = await withAccounts(async (a) => {
      const s = await a.logIn({ login: 'wang', password: PW, address: '127.0.0.1' });
      if (!s.ok) throw new Error(`login refused: ${s.why}`);
      return s.token;
    });
    // This session and the one the first test opened.
    expect(await user(['passwd', 'wang'], 'a new passphrase for wang\n')).toMatchObject({ code: 0, stdout: 'password of wang changed; 2 open session(s) ended\n' });
    const second = await withAccounts(async (a) => {
      expect(await a.session(token)).toBeUndefined();
      expect((await a.logIn({ login: 'wang', password: PW, address: '127.0.0.1' })).ok).toBe(false);
      const s = await a.logIn({ login: 'wang', password: 'a new passphrase for wang', address: '127.0.0.1' });
      if (!s.ok) throw new Error(`login refused: ${s.why}`);
      return s.token;
    });
    expect(await user(['disable', 'wang'])).toMatchObject({ code: 0, stdout: 'disabled wang; 1 open session(s) ended\n' });
    await withAccounts(async (a) => {
      expect(await a.session(second)).toBeUndefined();
      expect(await a.logIn({ login: 'wang', password: 'a new passphrase for wang', address: '127.0.0.1' })).toEqual({ ok: false, why: 'disabled' });
    });
    expect((await user(['passwd', 'nobody'], 'whatever passphrase\n')).stderr).toContain("no account 'nobody'");
  }, 60_000);
});
