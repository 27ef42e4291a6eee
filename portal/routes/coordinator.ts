/**
 * The coordinator's side, behind a login: /c/login, /c (campaigns), /c/<id> (the matrix of
 * departments × obligations), /c/<id>/d/<dept> (submissions, versions, attachments, messages;
 * excuse and extend), /c/<id>/summary/<occurrence>[.csv|.xlsx], /c/<id>/file/<sha256>.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DateTime } from 'luxon';
import { CampaignNotFoundError, RequestRejectedError, type StatusMatrix } from '../../client/campaign-client';
import type { CompiledPlan } from '../../deadlines/timeline';
import { flattenColumns } from '../../obligations/form-data';
import { summarise, summaryCsv, type OccurrenceSummary } from '../../reports/summary';
import { summaryXlsx } from '../../reports/xlsx';
import { BlobNotFoundError } from '../../store/blob-store';
import type { ObligationView } from '../../workflows/department-shard.messages';
import { allowedOrigins, contentDisposition, redirect, send, sendPage, sendRefusal, sendStream, type Ctx } from '../context';
import { formatTime, html, lateness, revealed, shortTime, type Raw } from '../html';
import { BodyError, closeAfterAnswer, field, parseBody, type ParsedBody } from '../uploads/multipart';
import {
  cookieHeader,
  cookies,
  LOGIN_COOKIE,
  loginCsrf,
  LoginThrottle,
  newNonce,
  safeEqual,
  sameOrigin,
  SESSION_COOKIE,
  sessionCsrf,
  signSession,
  verifySession,
  type Session,
} from '../security';
import { displayState, occurrenceLabel, STATE_LABELS } from '../states';

const throttle = new LoginThrottle();

const CAMPAIGN_STATES: Record<string, string> = { scheduled: '未开始', running: '进行中', paused: '已暂停', summarising: '汇总中', completed: '已结束', cancelled: '已取消' };

export async function coordinatorRoute(ctx: Ctx, req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
  const coordinator = ctx.config.coordinator;
  if (!coordinator) {
    if (req.method === 'POST') req.resume();
    return sendRefusal(res, 503, '协调人页面未启用', '协调人页面未启用：请设置 PORTAL_COORDINATOR_PASSWORD 后重新启动报送平台。');
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
    const jar = cookies(req);
    if (!isPost) {
      const nonce = newNonce();
      return sendLogin(ctx, res, nonce, undefined, 200, cookieHeader(LOGIN_COOKIE, nonce, { maxAge: 3600, secure, path: '/c/login' }));
    }
    const nonce = jar[LOGIN_COOKIE];
    if (!nonce || !safeEqual(field(body!, 'csrf'), loginCsrf(ctx.config.secret, nonce))) {
      return sendRefusal(res, 403, '请求被拒绝', '登录页面已过期或校验码不符，请重新打开登录页面。', html`<p><a href="/c/login">重新登录</a></p>`);
    }
    const who = req.socket.remoteAddress ?? '?';
    if (throttle.blocked(who)) return sendLogin(ctx, res, nonce, '登录失败次数过多，请15分钟后再试。', 429);
    const userOk = safeEqual(field(body!, 'user'), coordinator.user);
    const passOk = safeEqual(field(body!, 'password'), coordinator.password);
    if (!(userOk && passOk)) {
      throttle.fail(who);
      return sendLogin(ctx, res, nonce, '用户名或密码不正确。', 401);
    }
    throttle.succeed(who);
    const ttl = ctx.config.sessionTtlSeconds ?? 8 * 3600;
    const { cookie } = signSession(ctx.config.secret, coordinator.user, ttl);
    return redirect(res, '/c', { 'set-cookie': [cookieHeader(SESSION_COOKIE, cookie, { maxAge: ttl, secure }), cookieHeader(LOGIN_COOKIE, '', { maxAge: 0, secure, path: '/c/login' })] });
  }

  const session = verifySession(ctx.config.secret, cookies(req)[SESSION_COOKIE]);
  if (!session) {
    if (isPost) return sendRefusal(res, 403, '请先登录', '登录已过期，请重新登录。', html`<p><a href="/c/login">登录</a></p>`);
    return redirect(res, '/c/login');
  }
  if (isPost && !safeEqual(field(body!, 'csrf'), sessionCsrf(ctx.config.secret, session))) {
    return sendRefusal(res, 403, '请求被拒绝', '页面校验码不符（页面可能已过期），未做任何更改。请刷新页面后重试。');
  }
  if (parts[0] === 'logout' && isPost) {
    return redirect(res, '/c/login', { 'set-cookie': cookieHeader(SESSION_COOKIE, '', { maxAge: 0, secure }) });
  }
  const nav = html`<form method="post" action="/c/logout" class="inline-form"><input type="hidden" name="csrf" value="${sessionCsrf(ctx.config.secret, session)}"><button type="submit">退出</button></form><a href="/c">全部活动</a>`;
  if (parts.length === 0 || parts[0] === '') {
    if (isPost) return sendRefusal(res, 404, '页面不存在', '没有这个页面。');
    return sendCampaignList(ctx, res, nav);
  }
  const campaignId = parts[0]!;
  if (!/^[A-Za-z0-9_.\-/]{1,200}$/.test(campaignId)) return sendRefusal(res, 404, '活动不存在', '没有这个活动。');
  let status: StatusMatrix;
  let plan: CompiledPlan;
  try {
    status = await ctx.deps.campaigns.status(campaignId);
    plan = await ctx.deps.campaigns.plans.load(status.info.planRef);
  } catch (err) {
    if (err instanceof CampaignNotFoundError) return sendRefusal(res, 404, '活动不存在', `服务器上没有活动“${campaignId}”。`);
    throw err;
  }
  const view: CampaignView = { campaignId, status, plan, zone: plan.campaign.timezone, nowMs: Date.parse(status.info.campaignNow), session, nav };
  const [, section, arg] = parts;
  if (isPost) {
    if (section === 'excuse' || section === 'extend') return handleAction(ctx, res, view, section, body!);
    return sendRefusal(res, 404, '页面不存在', '没有这个页面。');
  }
  if (!section) return sendMatrix(ctx, res, view);
  if (section === 'd' && arg) return sendDepartment(ctx, res, view, arg);
  if (section === 'summary' && arg) return sendSummary(res, view, arg);
  if (section === 'file' && arg) return sendFile(ctx, res, view, arg);
  return sendRefusal(res, 404, '页面不存在', '没有这个页面。');
}

interface CampaignView {
  campaignId: string;
  status: StatusMatrix;
  plan: CompiledPlan;
  zone: string;
  nowMs: number;
  session: Session;
  nav: Raw;
}

function sendLogin(ctx: Ctx, res: ServerResponse, nonce: string, error: string | undefined, status: number, setCookie?: string): void {
  sendPage(
    res,
    status,
    '协调人登录',
    html`${error ? html`<div class="alert"><p>${error}</p></div>` : ''}
<form method="post" action="/c/login" class="card">
<input type="hidden" name="csrf" value="${loginCsrf(ctx.config.secret, nonce)}">
<div class="field"><label for="user">用户名</label><input id="user" type="text" name="user" autocomplete="username"></div>
<div class="field"><label for="password">密码</label><input id="password" type="password" name="password" autocomplete="current-password"></div>
<button type="submit">登录</button>
</form>`,
    setCookie ? { headers: { 'set-cookie': setCookie } } : {},
  );
}

function webUi(ctx: Ctx, workflowId: string): string {
  return `${ctx.config.temporalWebUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(ctx.config.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

const enc = encodeURIComponent;

async function sendCampaignList(ctx: Ctx, res: ServerResponse, nav: Raw): Promise<void> {
  let list: Awaited<ReturnType<typeof ctx.deps.campaigns.list>> = [];
  let problem: string | undefined;
  try {
    list = await ctx.deps.campaigns.list(200);
  } catch {
    problem = '无法列出服务器上的活动（搜索属性可能未注册）；可直接访问 /c/<活动编号>。';
  }
  sendPage(
    res,
    200,
    '全部活动',
    html`${problem ? html`<div class="notice">${problem}</div>` : ''}
<table><thead><tr><th>活动</th><th>编号</th><th>状态</th><th>启动时间</th></tr></thead><tbody>
${list.map((c) => html`<tr><td><a href="/c/${enc(c.campaignId)}">${c.title || c.campaignId}</a></td><td>${c.campaignId}</td><td>${CAMPAIGN_STATES[c.state] ?? (c.state || c.status)}</td><td>${c.startTime.toISOString()}</td></tr>`)}
</tbody></table>`,
    { nav },
  );
}

function occurrenceColumns(plan: CompiledPlan) {
  return plan.deadlines.flatMap((d) => d.occurrences.map((occ) => ({ deadline: d, occ })));
}

function sendMatrix(ctx: Ctx, res: ServerResponse, view: CampaignView): void {
  const { plan, status, zone } = view;
  const byKey = new Map(status.obligations.filter((o) => o.inPlan).map((o) => [`${o.occurrence}|${o.department}`, o]));
  const cols = occurrenceColumns(plan);
  const counts: Record<string, number> = {};
  for (const o of byKey.values()) {
    const st = displayState(plan, o, view.nowMs);
    counts[st] = (counts[st] ?? 0) + 1;
  }
  sendPage(
    res,
    200,
    `${plan.campaign.title} · 报送情况`,
    html`<dl class="meta">
<dt>活动编号</dt><dd>${view.campaignId}</dd>
<dt>状态</dt><dd>${CAMPAIGN_STATES[status.info.state] ?? status.info.state}${status.info.paused && status.info.state !== 'paused' ? '（已暂停）' : ''}</dd>
<dt>活动时间</dt><dd>${formatTime(status.info.campaignNow, zone)}</dd>
<dt>Temporal</dt><dd><a href="${webUi(ctx, ctx.deps.campaigns.workflowIdOf(view.campaignId))}" rel="noreferrer">在 Temporal Web UI 中查看</a></dd>
</dl>
<p>${(['submitted', 'late', 'excused', 'pending', 'overdue', 'future'] as const).map((s) => html`<span class="state st-${s}">${STATE_LABELS[s]} ${counts[s] ?? 0}</span> `)}</p>
<table id="matrix">
<thead><tr><th>单位</th>${cols.map(
      ({ deadline, occ }) =>
        html`<th>${deadline.title}${deadline.occurrences.length > 1 ? html`<br>${occ.key.split('@')[1]}` : ''}<br><span class="muted">截止 ${shortTime(occ.due, zone)}</span><br><a href="/c/${enc(view.campaignId)}/summary/${enc(occ.key)}">汇总</a></th>`,
    )}</tr></thead>
<tbody>
${plan.departments.map(
  (dept) =>
    html`<tr data-department="${dept.id}"><th><a href="/c/${enc(view.campaignId)}/d/${enc(dept.id)}">${dept.name}</a></th>${cols.map(({ deadline, occ }) => {
      if (!deadline.departments.includes(dept.id)) return html`<td class="muted">—</td>`;
      const o = byKey.get(`${occ.key}|${dept.id}`);
      if (!o) return html`<td class="muted">—</td>`;
      const st = displayState(plan, o, view.nowMs);
      const first = o.versions[0];
      return html`<td class="st-${st}" data-occurrence="${occ.key}" data-state="${st}"><span class="state st-${st}">${STATE_LABELS[st]}</span>${
        first ? html`<br><span class="muted">${shortTime(first.receivedAt, zone)}</span>` : ''
      }${first?.late ? html`<br><span class="muted">迟${lateness(o.due, first.receivedAt)}</span>` : ''}${o.versions.length > 1 ? html`<br><span class="muted">共${o.versions.length}版</span>` : ''}${
        st === 'overdue' ? html`<br><span class="muted">已逾期${lateness(o.due, status.info.campaignNow)}</span>` : ''
      }</td>`;
    })}</tr>`,
)}
</tbody></table>`,
    { nav: view.nav },
  );
}

function sendDepartment(ctx: Ctx, res: ServerResponse, view: CampaignView, deptId: string, error?: string): void {
  const { plan, zone } = view;
  const dept = plan.departments.find((d) => d.id === deptId);
  if (!dept) return sendRefusal(res, 404, '单位不存在', `活动中没有单位“${deptId}”。`);
  const shard = view.status.info.shards.find((s) => s.departments.includes(dept.id));
  const mine = view.status.obligations.filter((o) => o.department === dept.id).sort((a, b) => Date.parse(a.due) - Date.parse(b.due));
  const csrf = sessionCsrf(ctx.config.secret, view.session);
  const base = `/c/${enc(view.campaignId)}`;
  const localNow = DateTime.fromMillis(view.nowMs, { zone });
  sendPage(
    res,
    error ? 422 : 200,
    `${dept.name} · ${plan.campaign.title}`,
    html`${error ? html`<div class="alert"><p>${error}</p></div>` : ''}
<p><a href="${base}">← 返回报送情况</a>${shard ? html` · <a href="${webUi(ctx, shard.workflowId)}" rel="noreferrer">Temporal Web UI：${shard.workflowId}</a>` : ''}</p>
<dl class="meta"><dt>联络人</dt><dd>${dept.contacts.map((c) => `${c.name} <${c.email}>`).join('，')}</dd>
<dt>分管领导</dt><dd>${dept.leaders.map((c) => `${c.name} <${c.email}>`).join('，') || '—'}</dd></dl>
${mine.map((o) => {
  const st = displayState(plan, o, view.nowMs);
  const d = plan.deadlines.find((x) => x.id === o.deadline);
  const form = d?.submit.form ? plan.forms.find((f) => f.id === d.submit.form) : undefined;
  const cols = form ? flattenColumns(form.columns) : [];
  return html`<section class="card" data-occurrence="${o.occurrence}">
<h2>${occurrenceLabel(plan, o.occurrence)} <span class="state st-${st}">${STATE_LABELS[st]}</span>${o.inPlan ? '' : html` <span class="muted">（已从计划中移除）</span>`}</h2>
<p>截止：${formatTime(o.due, zone)}${o.extendedTo ? '（已延期）' : ''}${o.excused ? html`；免报原因：${revealed(o.excused.reason)}（${revealed(o.excused.by)}，${shortTime(o.excused.at, zone)}）` : ''}</p>
${o.versions.length
  ? html`<h3>报送版本</h3><table><thead><tr><th>版本</th><th>收到时间</th><th>报送人</th>${cols.map(({ column, parent }) => html`<th>${parent ? `其中：${column.label}` : column.label}</th>`)}<th>内容</th><th>附件</th></tr></thead><tbody>
${o.versions.map(
  (v) => html`<tr><td>第${v.version}版${v.late ? html`<br><span class="state st-late">迟报${lateness(o.due, v.receivedAt)}</span>` : ''}</td><td>${formatTime(v.receivedAt, zone)}</td><td>${revealed(v.by)}</td>${cols.map(
    ({ column }) => html`<td class="num">${revealed(Array.isArray(v.values?.[column.id]) ? (v.values![column.id] as string[]).join('、') : (v.values?.[column.id] ?? ''))}</td>`,
  )}<td>${revealed(v.report ?? '')}</td><td>${(v.attachments ?? []).map((a) => html`<a href="${base}/file/${a.ref.replace(/^sha256:/, '')}" download>${revealed(a.name)}</a> <span class="muted">${Math.ceil(a.size / 1024)} KiB</span><br>`)}</td></tr>`,
)}</tbody></table>`
  : html`<p class="muted">尚未报送。</p>`}
<h3>消息</h3>
${o.deliveries.length
  ? html`<table><thead><tr><th>时间</th><th>类型</th><th>已送达</th><th>失败</th></tr></thead><tbody>${o.deliveries.map(
      (m) => html`<tr><td>${shortTime(m.at, zone)}</td><td>${m.step}</td><td>${m.sent.join('，')}</td><td>${m.failed.map((f) => `${f.address}：${f.reason}`).join('；')}</td></tr>`,
    )}</tbody></table>`
  : html`<p class="muted">暂无。</p>`}
${o.status === 'pending'
  ? html`<form method="post" action="${base}/excuse" class="inline-form"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="department" value="${dept.id}"><input type="hidden" name="occurrence" value="${o.occurrence}">
<input type="text" name="reason" placeholder="免报原因" aria-label="免报原因"> <button type="submit">免报</button></form>
<form method="post" action="${base}/extend" class="inline-form"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="department" value="${dept.id}"><input type="hidden" name="occurrence" value="${o.occurrence}">
<input type="text" name="until" placeholder="${localNow.plus({ days: 2 }).toFormat('yyyy-MM-dd HH:mm')}" aria-label="新的截止时间（${zone}）"> <button type="submit">延期至</button></form>`
  : ''}
</section>`;
})}`,
    { nav: view.nav },
  );
}

async function handleAction(ctx: Ctx, res: ServerResponse, view: CampaignView, action: 'excuse' | 'extend', body: ParsedBody): Promise<void> {
  const department = field(body, 'department');
  const occurrence = field(body, 'occurrence');
  if (!view.plan.departments.some((d) => d.id === department)) return sendRefusal(res, 404, '单位不存在', '活动中没有这个单位。');
  const by = `portal:${view.session.user}`;
  try {
    if (action === 'excuse') {
      const reason = field(body, 'reason').trim();
      if (!reason) return sendDepartment(ctx, res, view, department, '请填写免报原因（记录在审计历史中）。');
      await ctx.deps.campaigns.excuse(view.campaignId, { department, occurrence }, reason.slice(0, 500), by);
    } else {
      const text = field(body, 'until').trim().replace(' ', 'T');
      const until = DateTime.fromISO(text, { zone: view.zone });
      if (!until.isValid) return sendDepartment(ctx, res, view, department, `“${field(body, 'until')}”不是有效的时间，请按 2024-03-12 18:00 的格式填写（${view.zone}）。`);
      await ctx.deps.campaigns.extend(view.campaignId, { department, occurrence }, until.toISO()!, by);
    }
  } catch (err) {
    if (err instanceof RequestRejectedError) return sendDepartment(ctx, res, view, department, `未能${action === 'excuse' ? '免报' : '延期'}：${err.message}`);
    throw err;
  }
  return redirect(res, `/c/${enc(view.campaignId)}/d/${enc(department)}`);
}

function summaryOf(view: CampaignView, occurrence: string): OccurrenceSummary | undefined {
  return summarise(view.plan, view.status.obligations.filter((o) => o.inPlan)).find((s) => s.occurrence === occurrence);
}

async function sendSummary(res: ServerResponse, view: CampaignView, arg: string): Promise<void> {
  const m = /^(.+?)(\.csv|\.xlsx)?$/.exec(arg)!;
  const s = summaryOf(view, m[1]!);
  if (!s) return sendRefusal(res, 404, '汇总不存在', '没有这一期报送。');
  const fileName = `${s.title}-${s.occurrence.split('@')[1] ?? s.occurrence}`;
  if (m[2] === '.csv') {
    return send(res, 200, summaryCsv(s), 'text/csv; charset=utf-8', { 'content-disposition': contentDisposition(`${fileName}.csv`, 'summary.csv') });
  }
  if (m[2] === '.xlsx') {
    const buffer = await summaryXlsx(view.plan, [s]);
    return send(res, 200, buffer, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', { 'content-disposition': contentDisposition(`${fileName}.xlsx`, 'summary.xlsx') });
  }
  const cols = s.form ? flattenColumns(s.form.columns) : [];
  const base = `/c/${enc(view.campaignId)}/summary/${enc(s.occurrence)}`;
  const names = new Map(view.plan.departments.map((d) => [d.id, d.name]));
  const cell = (v: unknown) => (Array.isArray(v) ? v.join('、') : v === null || v === undefined ? '' : String(v));
  sendPage(
    res,
    200,
    `${occurrenceLabel(view.plan, s.occurrence)} · 汇总`,
    html`<p><a href="/c/${enc(view.campaignId)}">← 返回报送情况</a> · 截止 ${formatTime(s.due, view.zone)} · 下载：<a href="${base}.xlsx">Excel</a> <a href="${base}.csv">CSV</a></p>
<table id="summary"><thead><tr><th>单位</th><th>状态</th><th>报送时间</th>${cols.map(({ column, parent }) => html`<th>${parent ? `其中：${column.label}` : column.label}${column.unit ? `（${column.unit}）` : ''}</th>`)}<th>附件</th></tr></thead><tbody>
${s.rows.map((r) => {
  const st = r.status === 'pending' && Date.parse(s.due) < view.nowMs ? 'overdue' : r.status;
  return html`<tr><td>${r.departmentName}</td><td><span class="state st-${st}">${STATE_LABELS[st]}</span></td><td>${shortTime(r.submittedAt, view.zone)}</td>${cols.map(({ column }) => html`<td class="num">${revealed(cell(r.values?.[column.id]))}</td>`)}<td>${r.attachments || ''}</td></tr>`;
})}
${s.totals ? html`<tr class="total"><th>总计</th><td></td><td></td>${cols.map(({ column }) => html`<th class="num">${cell(s.totals![column.id])}</th>`)}<td></td></tr>` : ''}
</tbody></table>
<p id="missing">${s.missing.length ? html`未报送单位（${s.missing.length}）：${s.missing.map((d) => names.get(d) ?? d).join('、')}` : '全部单位均已报送或免报。'}</p>`,
    { nav: view.nav },
  );
}

async function sendFile(ctx: Ctx, res: ServerResponse, view: CampaignView, hex: string): Promise<void> {
  const ref = `sha256:${hex}`;
  // Only files attached to this campaign's submissions (never plans or other campaigns' blobs).
  const att = /^[0-9a-f]{64}$/.test(hex)
    ? view.status.obligations.flatMap((o: ObligationView) => o.versions.flatMap((v) => v.attachments ?? [])).find((a) => a.ref === ref)
    : undefined;
  if (!att) return sendRefusal(res, 404, '文件不存在', '没有这个附件。');
  // Its size first: a file missing from the store is a refusal page, not a broken download.
  const size = await ctx.deps.blobs.size(ref).catch((err: Error) => (err instanceof BlobNotFoundError ? undefined : Promise.reject(err)));
  if (size === undefined) return sendRefusal(res, 404, '文件不存在', '这个附件不在存储中。');
  // Any name a version holds downloads, one recorded by an earlier release too (cut inside a surrogate pair).
  await sendStream(res, ctx.deps.blobs.open(ref), size, 'application/octet-stream', { 'content-disposition': contentDisposition(att.name) });
}
