/**
 * The coordinator's side: who may reach which page, in one table. Every request but the login
 * passes, in this order: a same-origin POST, a session open on the server (store/accounts/), the
 * session's CSRF token on every POST, then the person's role:
 *
 *   viewer       reads the campaigns given to them (matrix, department pages, summaries,
 *                downloads); every POST but logout is refused with 403, whatever its token
 *   coordinator  reads and changes (excuse, extend, chase, pause, resume) the campaigns given to them
 *   admin        every campaign, and the accounts page (/c/_accounts)
 *
 * A campaign not given to a person answers 404 — the same page as a campaign that does not
 * exist, so that nobody learns the ids of campaigns they are not given.
 *
 * Adding a campaign page is one line in {@link CAMPAIGN_ROUTES}: its method, what it needs
 * ('read' or 'act'), and its handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mayAct, mayManageAccounts, mayRead } from '../../store/accounts/account-store';
import { allowedOrigins, redirect, sendRefusal, type Ctx } from '../context';
import { html } from '../html';
import { BodyError, closeAfterAnswer, field, parseBody, type ParsedBody } from '../uploads/multipart';
import { safeEqual, sameOrigin } from '../security';
import { accountsRoute } from './accounts-page';
import { handleChase } from './chase-action';
import { sendArchive } from './archive-download';
import { handleObligationAction, handlePause, loadCampaignView, sendCampaignList, sendDepartment, sendFile, sendMatrix, sendSummary, type CampaignView } from './campaign-pages';
import { handleLogin, handleLogout, safeNext, sendLoginPage, signedIn } from './coordinator-login';
import { sendFigures } from './figures-page';

/** A page under /c/<campaign>/<section>/<arg>. */
export interface CampaignRoute {
  /** 'read': anyone the campaign is given to (viewers too); 'act': admins and its coordinators. */
  needs: 'read' | 'act';
  handle(ctx: Ctx, res: ServerResponse, view: CampaignView, arg: string | undefined, body: ParsedBody | undefined): Promise<void> | void;
}

/** `<METHOD> <section>` → the page; the section '' is the campaign's matrix. */
export const CAMPAIGN_ROUTES: Record<string, CampaignRoute> = {
  'GET ': { needs: 'read', handle: (ctx, res, view) => sendMatrix(ctx, res, view) },
  'GET d': { needs: 'read', handle: (ctx, res, view, arg) => (arg ? sendDepartment(ctx, res, view, arg) : notFound(res)) },
  'GET summary': { needs: 'read', handle: (_ctx, res, view, arg) => (arg ? sendSummary(res, view, arg) : notFound(res)) },
  'GET figures': { needs: 'read', handle: (_ctx, res, view) => sendFigures(res, view) },
  'GET file': { needs: 'read', handle: (ctx, res, view, arg) => (arg ? sendFile(ctx, res, view, arg) : notFound(res)) },
  'POST excuse': { needs: 'act', handle: (ctx, res, view, _arg, body) => handleObligationAction(ctx, res, view, 'excuse', body!) },
  'POST extend': { needs: 'act', handle: (ctx, res, view, _arg, body) => handleObligationAction(ctx, res, view, 'extend', body!) },
  'POST chase': { needs: 'act', handle: (ctx, res, view, _arg, body) => handleChase(ctx, res, view, body!) },
  'POST pause': { needs: 'act', handle: (ctx, res, view) => handlePause(ctx, res, view, 'pause') },
  'POST resume': { needs: 'act', handle: (ctx, res, view) => handlePause(ctx, res, view, 'resume') },
  'GET archive': { needs: 'act', handle: (ctx, res, view) => sendArchive(ctx, res, view) },
};

const notFound = (res: ServerResponse) => sendRefusal(res, 404, '页面不存在', '没有这个页面。');
const readOnly = (res: ServerResponse) => sendRefusal(res, 403, '没有权限', '您的账户没有更改此活动的权限，未做任何更改。');

export async function coordinatorRoute(ctx: Ctx, req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
  if (!ctx.deps.accounts) {
    if (req.method === 'POST') req.resume();
    return sendRefusal(res, 503, '协调人页面未启用', '协调人页面未启用：此报送平台没有打开账户数据库。');
  }
  const secure = ctx.config.baseUrl.startsWith('https:');
  const isPost = req.method === 'POST';
  if (isPost && !sameOrigin(req, allowedOrigins(ctx))) {
    req.resume();
    return sendRefusal(res, 403, '请求被拒绝', `此请求并非来自本平台的页面，已拒绝。请从 ${new URL(ctx.config.baseUrl).origin} 打开本平台。`);
  }
  if (!isPost && req.method !== 'GET' && req.method !== 'HEAD') return sendRefusal(res, 405, '不支持的请求', '不支持的请求方式。');
  let body: ParsedBody | undefined;
  if (isPost) {
    try {
      // Text fields only (urlencoded or multipart): no store, so no file is ever kept.
      body = await parseBody(req, { maxBodyBytes: 64 * 1024, maxFileBytes: 0, maxFiles: 0 });
    } catch (err) {
      if (err instanceof BodyError) {
        if (err.unread) closeAfterAnswer(req, res);
        return sendRefusal(res, err.status, '请求未被接受', err.message);
      }
      throw err;
    }
  }

  if (parts[0] === 'login') {
    if (isPost) return handleLogin(ctx, req, res, body!, secure);
    return sendLoginPage(ctx, res, secure, safeNext(new URL(req.url ?? '/', 'http://portal.invalid').searchParams.get('next')));
  }
  const who = await signedIn(ctx, req, secure);
  if (!who) {
    if (isPost) return sendRefusal(res, 403, '请先登录', '登录已失效（已退出、已过期或账户已停用），未做任何更改。请重新登录。', html`<p><a href="/c/login">登录</a></p>`);
    const here = safeNext(new URL(req.url ?? '/', 'http://portal.invalid').pathname);
    return redirect(res, here && here !== '/c' ? `/c/login?next=${encodeURIComponent(here)}` : '/c/login');
  }
  if (isPost && !safeEqual(field(body!, 'csrf'), who.csrf)) {
    return sendRefusal(res, 403, '请求被拒绝', '页面校验码不符（页面可能已过期），未做任何更改。请刷新页面后重试。');
  }
  if (parts[0] === 'logout') return isPost ? handleLogout(ctx, res, who, secure) : redirect(res, '/c');
  // A viewer changes nothing, whatever the request and its token.
  if (isPost && who.person.role === 'viewer') return readOnly(res);
  if (parts[0] === '_accounts') {
    if (!mayManageAccounts(who.person)) return sendRefusal(res, 403, '没有权限', '只有管理员可以管理账户。');
    return accountsRoute(ctx, res, who, parts.slice(1), body, new URL(req.url ?? '/', 'http://portal.invalid').searchParams);
  }
  if (parts.length === 0) return isPost ? notFound(res) : sendCampaignList(ctx, res, who);

  const campaignId = parts[0]!;
  const unknown = () => sendRefusal(res, 404, '活动不存在', who.person.role === 'admin' ? `服务器上没有活动“${campaignId}”。` : '没有这个活动，或这个活动没有分配给您。');
  if (!/^[A-Za-z0-9_.\-/]{1,200}$/.test(campaignId) || !mayRead(who.person, campaignId)) return unknown();
  const [, section = '', arg] = parts;
  const route = CAMPAIGN_ROUTES[`${isPost ? 'POST' : 'GET'} ${section}`];
  if (!route) return notFound(res);
  if (route.needs === 'act' && !mayAct(who.person, campaignId)) return readOnly(res);
  const view = await loadCampaignView(ctx, campaignId, who);
  if (!view) return unknown();
  return route.handle(ctx, res, view, arg, body);
}
