/**
 * The admins' accounts page, /c/_accounts (`_` keeps it apart from every campaign id, which are
 * lower-case letters, digits and hyphens): the people, their roles, campaigns and open sessions;
 * add a person, disable or enable one, set a new password, give or take back a campaign. The same
 * rules as `campaign user …` (store/accounts/): a disabled person's sessions end at once, so do
 * everyone's after a new password; the last admin who can log in cannot be disabled.
 *
 * routes/coordinator.ts lets only admins in, after the session's CSRF token is checked.
 */
import type { ServerResponse } from 'node:http';
import { AccountError, ROLES, WeakPasswordError, PASSWORD_MIN_LENGTH, type Person } from '../../store/accounts/account-store';
import { redirect, sendPage, sendRefusal, type Ctx } from '../context';
import { html, shortTime } from '../html';
import { field, type ParsedBody } from '../uploads/multipart';
import { ROLE_LABELS, type SignedIn } from './coordinator-login';

/** Times on this page: the offices' zone (accounts belong to no campaign, so to no campaign's zone). */
const ZONE = 'Asia/Shanghai';

const DONE: Record<string, string> = {
  added: '已添加账户',
  disabled: '已停用账户（其登录会话已全部结束）',
  enabled: '已启用账户',
  password: '已重设密码（其登录会话已全部结束）',
  granted: '已分配活动',
  revoked: '已收回活动',
};

const enc = encodeURIComponent;

export async function accountsRoute(ctx: Ctx, res: ServerResponse, who: SignedIn, parts: string[], body: ParsedBody | undefined, query: URLSearchParams): Promise<void> {
  const accounts = ctx.deps.accounts!;
  if (!body) {
    if (parts.length) return sendRefusal(res, 404, '页面不存在', '没有这个页面。');
    return sendAccounts(ctx, res, who, { done: doneMessage(query) });
  }
  const [first, action] = parts;
  const campaigns = (text: string) => text.split(/[\s,，、]+/).filter(Boolean);
  let done: string;
  let login: string;
  try {
    if (first === 'add' && !action) {
      login = field(body, 'login');
      const person = await accounts.add(
        { login, name: field(body, 'name'), role: field(body, 'role'), password: field(body, 'password'), campaigns: campaigns(field(body, 'campaigns')) },
        who.by,
      );
      login = person.login;
      done = 'added';
    } else if (first && action) {
      login = first;
      if (action === 'disable') await accounts.disable(login);
      else if (action === 'enable') await accounts.enable(login);
      else if (action === 'password') await accounts.setPassword(login, field(body, 'password'));
      else if (action === 'grant') for (const c of campaigns(field(body, 'campaign'))) await accounts.grant(login, c, who.by);
      else if (action === 'revoke') await accounts.revoke(login, field(body, 'campaign'));
      else return sendRefusal(res, 404, '页面不存在', '没有这个页面。');
      done = action === 'disable' ? 'disabled' : action === 'enable' ? 'enabled' : action === 'grant' ? 'granted' : action === 'revoke' ? 'revoked' : 'password';
    } else return sendRefusal(res, 404, '页面不存在', '没有这个页面。');
  } catch (err) {
    if (err instanceof AccountError || err instanceof WeakPasswordError) return sendAccounts(ctx, res, who, { error: `未能完成：${err.message}` });
    throw err;
  }
  return redirect(res, `/c/_accounts?done=${done}&login=${enc(login)}`);
}

async function sendAccounts(ctx: Ctx, res: ServerResponse, who: SignedIn, opts: { error?: string; done?: string }): Promise<void> {
  const accounts = ctx.deps.accounts!;
  const [people, sessions] = await Promise.all([accounts.list(), accounts.openSessions()]);
  const at = (ms: number) => shortTime(new Date(ms).toISOString(), ZONE);
  const form = (p: Person, action: string, label: string, input?: ReturnType<typeof html>) =>
    html`<form method="post" action="/c/_accounts/${enc(p.login)}/${action}" class="inline-form"><input type="hidden" name="csrf" value="${who.csrf}">${input ?? ''}<button type="submit">${label}</button></form>`;
  sendPage(
    res,
    opts.error ? 422 : 200,
    '账户管理',
    html`${opts.error ? html`<div class="alert"><p>${opts.error}</p></div>` : ''}${opts.done ? html`<div class="ok">${opts.done}</div>` : ''}
<table id="accounts"><thead><tr><th>用户名</th><th>姓名</th><th>角色</th><th>活动</th><th>状态</th><th>在线会话</th><th>操作</th></tr></thead><tbody>
${people.map(
  (p) => html`<tr data-login="${p.login}"><td>${p.login}</td><td>${p.name}</td><td>${ROLE_LABELS[p.role]}</td><td>${
    p.role === 'admin'
      ? html`<span class="muted">全部活动</span>`
      : html`${p.campaigns.map((c) => html`<a href="/c/${enc(c)}">${c}</a> ${form(p, 'revoke', '收回', html`<input type="hidden" name="campaign" value="${c}">`)}<br>`)}${form(
          p,
          'grant',
          '分配',
          html`<input type="text" name="campaign" placeholder="活动编号" aria-label="分配活动给 ${p.login}"> `,
        )}`
  }</td><td>${p.disabledAt !== undefined ? html`<span class="state st-overdue">已停用</span> <span class="muted">${at(p.disabledAt)}</span>` : '启用'}</td><td class="num">${sessions.get(p.login) ?? 0}</td><td>${
    p.disabledAt !== undefined ? form(p, 'enable', '启用') : form(p, 'disable', '停用')
  } ${form(p, 'password', '重设密码', html`<input type="password" name="password" autocomplete="new-password" placeholder="新密码（至少${PASSWORD_MIN_LENGTH}位）" aria-label="${p.login} 的新密码"> `)}</td></tr>`,
)}
</tbody></table>
<h2>添加账户</h2>
<form method="post" action="/c/_accounts/add" class="card" id="add-account"><input type="hidden" name="csrf" value="${who.csrf}">
<div class="field"><label for="login">用户名</label><input id="login" type="text" name="login" autocomplete="off" autocapitalize="none"></div>
<div class="field"><label for="name">姓名</label><input id="name" type="text" name="name" autocomplete="off"></div>
<div class="field"><label for="role">角色</label><select id="role" name="role">${ROLES.map((r) => html`<option value="${r}"${r === 'viewer' ? html` selected` : ''}>${ROLE_LABELS[r]}（${r}）</option>`)}</select></div>
<div class="field"><label for="new-password">初始密码（至少${PASSWORD_MIN_LENGTH}位，请当面或电话告知本人）</label><input id="new-password" type="password" name="password" autocomplete="new-password"></div>
<div class="field"><label for="campaigns">活动编号（协调人和只读账户；多个用空格分隔）</label><input id="campaigns" type="text" name="campaigns" autocomplete="off"></div>
<button type="submit">添加</button>
</form>`,
    { nav: who.nav },
  );
}

/** GET /c/_accounts?done=…&login=…: what was just done (from a fixed list; the login is escaped as any text). */
function doneMessage(query: URLSearchParams): string | undefined {
  const done = DONE[query.get('done') ?? ''];
  return done ? `${done}：${query.get('login') ?? ''}` : undefined;
}
