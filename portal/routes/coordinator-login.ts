/**
 * Logging in to and out of the coordinator's pages, and the session every other coordinator page
 * reads ({@link signedIn}). The accounts, sessions and throttle live in the database
 * (store/accounts/); this file is what the browser sees of them.
 *
 * - The login form carries a CSRF token bound to a pre-login cookie: no other site's form can log
 *   a browser in to the attacker's account.
 * - A good login always gets a NEW session id, and the session the browser brought, if any, is
 *   ended: an id planted in the browser before login (session fixation) is never the one that is
 *   signed in. Ids are made only by the server, so an id the browser invents is simply unknown.
 * - The session cookie is HttpOnly, Secure over HTTPS (then named `__Host-…`), SameSite=Lax. Lax
 *   rather than Strict so that the link to a campaign in the coordinator's digest email, opened
 *   from a webmail on another site, arrives signed in; Lax cookies are never sent with another
 *   site's POST, and every change is a POST that also needs the session's CSRF token and a
 *   same-origin Origin, so Strict would add nothing there.
 * - Refusals: a wrong name and a wrong password get the same answer. A name locked after too many
 *   failures is told so plainly, with how long — a name that does not exist locks exactly the same
 *   way (store/accounts/login-throttle.ts), so the person learns why their right password is
 *   refused and an attacker learns nothing about which names exist. A disabled account is named
 *   only after its right password.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Person } from '../../store/accounts/account-store';
import { redirect, sendPage, sendRefusal, type Ctx } from '../context';
import { html, type Raw } from '../html';
import { field, type ParsedBody } from '../uploads/multipart';
import { cookieHeader, cookies, LOGIN_COOKIE, loginCsrf, newNonce, safeEqual, sessionCookieName, sessionCsrf } from '../security';

export const ROLE_LABELS: Record<Person['role'], string> = { admin: '管理员', coordinator: '协调人', viewer: '只读' };

/** Who is signed in on this request, as the database says now. */
export interface SignedIn {
  person: Person;
  /** The session id from the cookie (never shown in a page). */
  token: string;
  /** The CSRF token of this person's forms. */
  csrf: string;
  /** Who acted, as the audit history and the Temporal history record it: `portal:<login> (<name>)`. */
  by: string;
  /** The header: name and role, the campaigns, the accounts page for admins, logout. */
  nav: Raw;
}

/** The session this request carries, if it is open and its person enabled. */
export async function signedIn(ctx: Ctx, req: IncomingMessage, secure: boolean): Promise<SignedIn | undefined> {
  const token = cookies(req)[sessionCookieName(secure)];
  const open = await ctx.deps.accounts!.session(token);
  if (!open || !token) return undefined;
  const person = open.person;
  const csrf = sessionCsrf(ctx.config.secret, token);
  const nav = html`<a href="/c">全部活动</a>${person.role === 'admin' ? html`<a href="/c/_accounts">账户管理</a>` : ''}<span class="who">${person.name}（${ROLE_LABELS[person.role]}）</span><form method="post" action="/c/logout" class="inline-form"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">退出</button></form>`;
  return { person, token, csrf, by: `portal:${person.login} (${person.name})`, nav };
}

/** Where to go after login: a coordinator page of this portal, never another site. */
export function safeNext(next: string | null | undefined): string | undefined {
  return next && /^\/c(\/[A-Za-z0-9_.\-%@]+)*$/.test(next) && !next.startsWith('/c/login') && !next.startsWith('/c/logout') ? next : undefined;
}

/** GET /c/login: the form, with a fresh pre-login cookie its CSRF token is bound to. */
export async function sendLoginPage(ctx: Ctx, res: ServerResponse, secure: boolean, next: string | undefined): Promise<void> {
  const nonce = newNonce();
  const notice = (await ctx.deps.accounts!.hasAdmin())
    ? undefined
    : '尚未创建任何账户。请在服务器上运行 campaign user add <用户名> --name <姓名> --role admin 创建第一个管理员（或设置 PORTAL_COORDINATOR_PASSWORD 后重新启动报送平台）。';
  sendLogin(ctx, res, { nonce, next, notice, status: 200, setCookie: cookieHeader(LOGIN_COOKIE, nonce, { maxAge: 3600, secure, path: '/c/login' }) });
}

/** POST /c/login. */
export async function handleLogin(ctx: Ctx, req: IncomingMessage, res: ServerResponse, body: ParsedBody, secure: boolean): Promise<void> {
  const accounts = ctx.deps.accounts!;
  const jar = cookies(req);
  const nonce = jar[LOGIN_COOKIE];
  const next = safeNext(field(body, 'next'));
  if (!nonce || !safeEqual(field(body, 'csrf'), loginCsrf(ctx.config.secret, nonce))) {
    return sendRefusal(res, 403, '请求被拒绝', '登录页面已过期或校验码不符，请重新打开登录页面。', html`<p><a href="/c/login">重新登录</a></p>`);
  }
  const outcome = await accounts.logIn({ login: field(body, 'user'), password: field(body, 'password'), address: req.socket.remoteAddress });
  if (!outcome.ok) {
    if (outcome.why === 'wrong') return sendLogin(ctx, res, { nonce, next, error: '用户名或密码不正确。', status: 401 });
    if (outcome.why === 'disabled') return sendLogin(ctx, res, { nonce, next, error: '此账户已停用。如需恢复，请联系管理员。', status: 403 });
    const minutes = Math.ceil(outcome.retryAfterMs / 60_000);
    const error =
      outcome.scope === 'login'
        ? `此用户名登录失败次数过多，已暂时锁定，请约 ${minutes} 分钟后再试。锁定期间即使密码正确也无法登录；如忘记密码，请联系管理员重设。`
        : `来自此网络地址的登录失败次数过多，请约 ${minutes} 分钟后再试。`;
    return sendLogin(ctx, res, { nonce, next, error, status: 429, headers: { 'retry-after': String(Math.ceil(outcome.retryAfterMs / 1000)) } });
  }
  const name = sessionCookieName(secure);
  // Whatever session the browser brought is ended, never carried over (session fixation).
  const brought = jar[name];
  if (brought) await accounts.endSession(brought, 'replaced');
  const maxAge = Math.floor(accounts.policy.session.maxMs / 1000);
  return redirect(res, next ?? '/c', {
    'set-cookie': [cookieHeader(name, outcome.token, { maxAge, secure, sameSite: 'Lax' }), cookieHeader(LOGIN_COOKIE, '', { maxAge: 0, secure, path: '/c/login' })],
  });
}

/** POST /c/logout: the session ends on the server; the cookie is cleared too. */
export async function handleLogout(ctx: Ctx, res: ServerResponse, who: SignedIn, secure: boolean): Promise<void> {
  await ctx.deps.accounts!.endSession(who.token, 'logout');
  return redirect(res, '/c/login', { 'set-cookie': cookieHeader(sessionCookieName(secure), '', { maxAge: 0, secure, sameSite: 'Lax' }) });
}

function sendLogin(
  ctx: Ctx,
  res: ServerResponse,
  opts: { nonce: string; next?: string; error?: string; notice?: string; status: number; setCookie?: string; headers?: Record<string, string> },
): void {
  sendPage(
    res,
    opts.status,
    '协调人登录',
    html`${opts.error ? html`<div class="alert"><p>${opts.error}</p></div>` : ''}${opts.notice ? html`<div class="notice">${opts.notice}</div>` : ''}
<form method="post" action="/c/login" class="card">
<input type="hidden" name="csrf" value="${loginCsrf(ctx.config.secret, opts.nonce)}">${opts.next ? html`<input type="hidden" name="next" value="${opts.next}">` : ''}
<div class="field"><label for="user">用户名</label><input id="user" type="text" name="user" autocomplete="username" autocapitalize="none"></div>
<div class="field"><label for="password">密码</label><input id="password" type="password" name="password" autocomplete="current-password"></div>
<button type="submit">登录</button>
</form>`,
    { headers: { ...opts.headers, ...(opts.setCookie ? { 'set-cookie': opts.setCookie } : {}) } },
  );
}
