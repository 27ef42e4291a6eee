/**
 * People and their sessions on the coordinator's pages, in headless chromium against the real
 * stack (Temporal dev server, in-process worker, the portal in-process with its accounts on the
 * embedded database): what a viewer, a coordinator and an admin can see and do; sessions that end
 * on the server (logout, disabling) so that a replayed cookie is refused; brute force throttled;
 * session fixation; a viewer's forged POST carrying a valid CSRF token.
 *
 * Two demo campaigns run: `given` is given to the coordinator 王芳 (wang) and the viewer 李局长
 * (li); `other` to nobody but the admin.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPortal, type Portal } from '../../portal/server';
import { auditEntries } from '../../reports/audit-history';
import { loadCampaignHistories } from '../../reports/temporal-histories';
import { AccountStore } from '../../store/accounts/account-store';
import { launchChromium } from '../../tools/harness/browser';
import { freePort } from '../../tools/harness/free-port';
import { STACK_SECRET, startPortalStack, type PortalStack } from '../support/portal-stack';

const ADMIN_PW = 'chief-admin-passphrase';
const PW = 'a long enough passphrase';
const CONTACTS = 'contacts@2024-03-08';
const W1 = 'weekly-stats@2024-03-06';
const COOKIE = 'portal_sid';

describe('accounts on the coordinator’s pages: roles, server-side sessions, login security', () => {
  let stack: PortalStack;
  let portal: Portal;
  let browser: Browser;
  let accounts: AccountStore;
  let url: string;
  let given: string;
  let other: string;

  beforeAll(async () => {
    stack = await startPortalStack(inject('temporalAddress'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    accounts = new AccountStore(stack.stores.db);
    portal = await startPortal(
      {
        secret: STACK_SECRET,
        baseUrl: url,
        bootstrapAdmin: { login: 'chief', password: ADMIN_PW },
        maxUploadBytes: 64 * 1024,
        maxFiles: 3,
        temporalWebUiUrl: 'http://127.0.0.1:8233',
        namespace: 'default',
        log: () => undefined,
      },
      { campaigns: stack.campaigns, blobs: stack.stores.blobs, accounts },
      { port },
    );
    [given, other] = [await stack.startDemo(), await stack.startDemo()];
    await accounts.add({ login: 'wang', name: '王芳', role: 'coordinator', password: PW, campaigns: [given] }, 'test');
    await accounts.add({ login: 'li', name: '李局长', role: 'viewer', password: PW, campaigns: [given] }, 'test');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
    await stack?.teardown();
  });

  const obligation = async (campaign: string, department: string, occurrence = CONTACTS) =>
    (await stack.campaigns.status(campaign)).obligations.find((o) => o.department === department && o.occurrence === occurrence)!;

  /** Submits the login form; resolves with the answer's status and the page's alert, if any. */
  async function tryLogin(page: Page, login: string, password: string): Promise<{ status: number; alert: string | null; retryAfter?: string }> {
    await page.goto(`${url}/c/login`);
    await page.fill('#user', login);
    await page.fill('#password', password);
    const [response] = await Promise.all([page.waitForResponse((r) => r.url() === `${url}/c/login` && r.request().method() === 'POST'), page.click('main button[type=submit]')]);
    await page.waitForLoadState('load');
    const alert = response.status() === 303 ? null : await page.locator('.alert').textContent();
    return { status: response.status(), alert, retryAfter: (await response.allHeaders())['retry-after'] };
  }

  async function logIn(login: string, password = PW, context?: BrowserContext): Promise<{ context: BrowserContext; page: Page }> {
    const ctx = context ?? (await browser.newContext());
    const page = await ctx.newPage();
    const outcome = await tryLogin(page, login, password);
    expect(outcome.status, outcome.alert ?? '').toBe(303);
    expect(page.url()).toBe(`${url}/c`);
    return { context: ctx, page };
  }

  const sessionCookie = async (context: BrowserContext) => (await context.cookies(url)).find((c) => c.name === COOKIE)?.value;
  /** A browser that has never logged in, carrying only `token` as its session cookie. */
  async function replay(token: string): Promise<BrowserContext> {
    const context = await browser.newContext();
    await context.addCookies([{ name: COOKIE, value: token, url }]);
    return context;
  }
  /** A POST as the browser's own page would send it (same origin, the session cookie), with these fields. */
  const post = (context: BrowserContext, path: string, form: Record<string, string>) => context.request.post(`${url}${path}`, { form, headers: { origin: url }, maxRedirects: 0 });

  it('a viewer reads the matrix, a department, a summary and its downloads, but no page shows a button that changes anything', async () => {
    const { context, page } = await logIn('li');
    expect(await page.locator('header').textContent()).toContain('李局长（只读）');
    expect(await page.locator(`a[href="/c/${given}"]`).count()).toBe(1);
    expect(await page.locator(`a[href="/c/${other}"]`).count()).toBe(0);
    await page.goto(`${url}/c/${given}`);
    expect(await page.locator('#matrix tr[data-department="north"]').count()).toBe(1);
    expect(await page.locator('main form').count()).toBe(0);
    await page.goto(`${url}/c/${given}/d/north`);
    expect(await page.locator(`section[data-occurrence="${CONTACTS}"]`).count()).toBe(1);
    expect(await page.locator('main form').count()).toBe(0);
    expect(await page.locator('main button').count()).toBe(0);
    await page.goto(`${url}/c/${given}/summary/${encodeURIComponent(W1)}`);
    expect(await page.locator('#summary').count()).toBe(1);
    const csv = await context.request.get(`${url}/c/${given}/summary/${encodeURIComponent(W1)}.csv`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('单位');
    expect((await context.request.get(`${url}/c/${given}/summary/${encodeURIComponent(W1)}.xlsx`)).status()).toBe(200);
    expect((await page.goto(`${url}/c/_accounts`))!.status()).toBe(403);
    await context.close();

    // The same pages for the coordinator do show the buttons the viewer is spared.
    const coord = await logIn('wang');
    await coord.page.goto(`${url}/c/${given}`);
    expect(await coord.page.locator(`main form[action="/c/${given}/pause"]`).count()).toBe(1);
    await coord.page.goto(`${url}/c/${given}/d/north`);
    expect(await coord.page.locator(`section[data-occurrence="${CONTACTS}"] form[action$="/excuse"]`).count()).toBe(1);
    await coord.context.close();
  });

  it('a viewer’s forged POST with a valid CSRF token is refused (403) — every POST route, from the page itself and from a script — and nothing changes', async () => {
    const { context, page } = await logIn('li');
    await page.goto(`${url}/c/${given}/d/west`);
    const csrf = await page.locator('header input[name=csrf]').inputValue();
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A form the viewer builds in their own page (same origin, their cookie, their valid token).
    const fields = { csrf, department: 'west', occurrence: CONTACTS, reason: '领导说免报' };
    const answered = page.waitForResponse((r) => r.url().endsWith('/excuse'));
    await page.evaluate(`(() => {
      const f = document.createElement('form');
      f.method = 'post';
      f.action = ${JSON.stringify(`/c/${given}/excuse`)};
      for (const [k, v] of Object.entries(${JSON.stringify(fields)})) {
        const i = document.createElement('input');
        i.type = 'hidden'; i.name = k; i.value = v; f.append(i);
      }
      document.body.append(f);
      f.submit();
    })()`);
    expect((await answered).status()).toBe(403);
    await page.waitForLoadState('load');
    expect(await page.textContent('body')).toContain('没有更改此活动的权限');

    const routes: Array<[string, Record<string, string>]> = [
      [`/c/${given}/excuse`, fields],
      [`/c/${given}/extend`, { csrf, department: 'west', occurrence: CONTACTS, until: '2024-03-20 18:00' }],
      [`/c/${given}/pause`, { csrf }],
      [`/c/${given}/resume`, { csrf }],
      ['/c/_accounts/add', { csrf, login: 'sneaky', name: '冒充', role: 'admin', password: PW }],
      ['/c/_accounts/li/password', { csrf, password: 'viewer wants more power' }],
      [`/c/_accounts/li/grant`, { csrf, campaign: other }],
    ];
    for (const [path, form] of routes) expect((await post(context, path, form)).status(), path).toBe(403);
    expect((await obligation(given, 'west')).status).toBe('pending');
    expect((await stack.campaigns.info(given)).paused).toBe(false);
    expect(await accounts.get('sneaky')).toBeUndefined();
    expect((await accounts.get('li'))!.campaigns).toEqual([given]);
    // The token is valid: the same token logs the viewer out.
    expect((await post(context, '/c/logout', { csrf })).status()).toBe(303);
    await context.close();
  });

  it('a coordinator cannot see a campaign not given to them (404, like one that does not exist), nor change it; their own actions are recorded under their name', async () => {
    const { context, page } = await logIn('wang');
    expect(await page.locator(`a[href="/c/${other}"]`).count()).toBe(0);
    for (const path of [`/c/${other}`, `/c/${other}/d/north`, `/c/${other}/summary/${encodeURIComponent(W1)}.csv`, '/c/no-such-campaign']) {
      const response = await page.goto(`${url}${path}`);
      expect(response!.status(), path).toBe(404);
      expect(await page.textContent('main')).toContain('没有这个活动，或这个活动没有分配给您');
    }
    expect((await page.goto(`${url}/c/_accounts`))!.status()).toBe(403);
    await page.goto(`${url}/c/${given}/d/north`);
    const csrf = await page.locator('header input[name=csrf]').inputValue();
    expect((await post(context, `/c/${other}/excuse`, { csrf, department: 'north', occurrence: CONTACTS, reason: '越权' })).status()).toBe(404);
    expect((await obligation(other, 'north')).status).toBe('pending');

    // On their own campaign: excuse, then pause and resume from the matrix.
    const card = page.locator(`section[data-occurrence="${CONTACTS}"]`);
    await card.locator('input[name=reason]').fill('已电话报送');
    await Promise.all([page.waitForNavigation(), card.locator('form[action$="/excuse"] button').click()]);
    expect((await obligation(given, 'north')).excused).toMatchObject({ reason: '已电话报送', by: 'portal:wang (王芳)' });
    await page.goto(`${url}/c/${given}`);
    await Promise.all([page.waitForNavigation(), page.click(`form[action="/c/${given}/pause"] button`)]);
    await expect.poll(async () => (await stack.campaigns.info(given)).paused, { timeout: 10_000 }).toBe(true);
    await page.goto(`${url}/c/${given}`);
    await Promise.all([page.waitForNavigation(), page.click(`form[action="/c/${given}/resume"] button`)]);
    await expect.poll(async () => (await stack.campaigns.info(given)).paused, { timeout: 10_000 }).toBe(false);
    const { facts, runs } = await loadCampaignHistories(stack.campaigns.temporal, `campaign/${given}`);
    const entries = auditEntries(runs, { clock: facts.clock!, zone: 'Asia/Shanghai', plan: facts.plan });
    const byWang = entries.filter((e) => e.actor === 'portal:wang (王芳)').map((e) => e.kind);
    expect(byWang).toEqual(expect.arrayContaining(['excuse', 'pause', 'resume']));
    await context.close();
  });

  it('an admin adds a person on the accounts page; disabling them refuses their open session on its next request', async () => {
    const admin = await logIn('chief', ADMIN_PW);
    await admin.page.goto(`${url}/c/_accounts`);
    await admin.page.fill('#login', 'zhao');
    await admin.page.fill('#name', '赵科长');
    await admin.page.selectOption('#role', 'coordinator');
    await admin.page.fill('#new-password', PW);
    await admin.page.fill('#campaigns', given);
    await Promise.all([admin.page.waitForNavigation(), admin.page.click('#add-account button')]);
    expect(await admin.page.textContent('.ok')).toContain('已添加账户：zhao');
    expect(await admin.page.locator('tr[data-login="zhao"]').textContent()).toContain(given);

    const zhao = await logIn('zhao');
    await zhao.page.goto(`${url}/c/${given}/d/east`);
    const csrf = await zhao.page.locator('header input[name=csrf]').inputValue();
    await admin.page.goto(`${url}/c/_accounts`);
    expect(await admin.page.locator('tr[data-login="zhao"] td.num').textContent()).toBe('1');
    await Promise.all([admin.page.waitForNavigation(), admin.page.click('tr[data-login="zhao"] form[action$="/disable"] button')]);
    expect(await admin.page.locator('tr[data-login="zhao"]').textContent()).toContain('已停用');

    // zhao's page is still open: the next request is refused.
    await zhao.page.goto(`${url}/c/${given}/d/east`);
    expect(zhao.page.url()).toMatch(/\/c\/login/);
    const refused = await post(zhao.context, `/c/${given}/excuse`, { csrf, department: 'east', occurrence: CONTACTS, reason: '停用之后' });
    expect(refused.status()).toBe(403);
    expect((await obligation(given, 'east')).status).toBe('pending');
    // Their right password now says the account is disabled.
    expect(await tryLogin(zhao.page, 'zhao', PW)).toMatchObject({ status: 403, alert: expect.stringContaining('已停用') });
    await zhao.context.close();
    await admin.context.close();
  });

  it('logout ends the session on the server: the old cookie replayed is refused', async () => {
    const { context, page } = await logIn('wang');
    const token = (await sessionCookie(context))!;
    await page.goto(`${url}/c/${given}/d/east`);
    const csrf = await page.locator('header input[name=csrf]').inputValue();
    await Promise.all([page.waitForNavigation(), page.click('header form[action="/c/logout"] button')]);
    expect(page.url()).toBe(`${url}/c/login`);
    await context.close();

    const thief = await replay(token);
    const again = await thief.newPage();
    await again.goto(`${url}/c/${given}`);
    expect(again.url()).toBe(`${url}/c/login?next=${encodeURIComponent(`/c/${given}`)}`);
    const replayed = await post(thief, `/c/${given}/excuse`, { csrf, department: 'east', occurrence: CONTACTS, reason: '旧会话' });
    expect(replayed.status()).toBe(403);
    expect(await replayed.text()).toContain('登录已失效');
    expect((await obligation(given, 'east')).status).toBe('pending');
    await thief.close();
  });

  it('login brute force is throttled per name: the sixth try is refused even with the right password, and a name that does not exist is answered the same', async () => {
    await accounts.add({ login: 'target', name: '目标', role: 'viewer', password: PW }, 'test');
    const context = await browser.newContext();
    const page = await context.newPage();
    const answers = async (login: string) => {
      const wrong = [];
      for (let i = 0; i < 5; i++) wrong.push(await tryLogin(page, login, `guess number ${i} wrong`));
      return { wrong, sixth: await tryLogin(page, login, PW) };
    };
    const real = await answers('target');
    const ghost = await answers('ghost');
    for (const a of [...real.wrong, ...ghost.wrong]) expect(a).toMatchObject({ status: 401, alert: '用户名或密码不正确。' });
    expect(real.sixth).toMatchObject({ status: 429, alert: expect.stringContaining('此用户名登录失败次数过多，已暂时锁定') });
    expect(Number(real.sixth.retryAfter)).toBeGreaterThan(14 * 60);
    // Nothing in the answer tells an existing name from a made-up one.
    expect({ status: ghost.sixth.status, alert: ghost.sixth.alert }).toEqual({ status: real.sixth.status, alert: real.sixth.alert });
    await context.close();
  });

  it('behind an HTTPS base URL the session cookie is __Host-, Secure, HttpOnly, SameSite=Lax, for the whole site', async () => {
    const port = await freePort();
    const https = 'https://portal.example';
    const secured = await startPortal(
      { secret: STACK_SECRET, baseUrl: https, maxUploadBytes: 1024, maxFiles: 1, temporalWebUiUrl: 'http://127.0.0.1:8233', namespace: 'default', log: () => undefined },
      { campaigns: stack.campaigns, blobs: stack.stores.blobs, accounts },
      { port },
    );
    try {
      const form = await fetch(`${secured.url}/c/login`);
      const nonce = form.headers.getSetCookie()[0]!;
      expect(nonce).toMatch(/^portal_login=[^;]+; Path=\/c\/login; Max-Age=3600; HttpOnly; SameSite=Strict; Secure$/);
      const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
      const res = await fetch(`${secured.url}/c/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: nonce.split(';')[0]!, origin: https, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, user: 'wang', password: PW }).toString(),
      });
      expect(res.status).toBe(303);
      const session = res.headers.getSetCookie().find((c) => c.startsWith('__Host-portal_sid='));
      expect(session).toMatch(/^__Host-portal_sid=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=28800; HttpOnly; SameSite=Lax; Secure$/);
    } finally {
      await secured.close();
    }
  });

  it('session fixation: a session cookie set before login is not kept after it, and a planted valid session is ended', async () => {
    // A made-up id planted in the browser: unknown to the server, replaced at login.
    const planted = 'A'.repeat(43);
    const victim = await browser.newContext();
    await victim.addCookies([{ name: COOKIE, value: planted, url }]);
    await logIn('wang', PW, victim);
    const issued = await sessionCookie(victim);
    expect(issued).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued).not.toBe(planted);
    const withPlanted = await replay(planted);
    expect((await withPlanted.request.get(`${url}/c`, { maxRedirects: 0 })).status()).toBe(303);
    await withPlanted.close();
    await victim.close();

    // The attacker's own valid session planted in the victim's browser: the victim's login gets a new id, the planted one ends.
    const attacker = await logIn('li');
    const attackerToken = (await sessionCookie(attacker.context))!;
    const browserOfVictim = await replay(attackerToken);
    const { page } = await logIn('wang', PW, browserOfVictim);
    expect(await page.locator('header').textContent()).toContain('王芳（协调人）');
    expect(await sessionCookie(browserOfVictim)).not.toBe(attackerToken);
    expect((await attacker.context.request.get(`${url}/c`, { maxRedirects: 0 })).status()).toBe(303);
    await attacker.context.close();
    await browserOfVictim.close();
  });
});
