/**
 * A campaign's pages on the coordinator's side, for whoever may read it (routes/coordinator.ts
 * decides who): the campaigns list, the matrix of departments × obligations, a department's
 * submissions, versions, attachments and messages, the summaries (page, CSV, XLSX), the
 * attachments; and the changes — excuse, extend, pause, resume — whose forms are shown only to
 * those who may make them, and which are recorded under the person's login and name.
 */
import type { ServerResponse } from 'node:http';
import { DateTime } from 'luxon';
import { CampaignNotFoundError, RequestRejectedError, type StatusMatrix } from '../../client/campaign-client';
import type { CompiledDeadline, CompiledOccurrence, CompiledPlan } from '../../deadlines/timeline';
import { flattenColumns } from '../../obligations/form-data';
import { summarise, summaryCsv, type OccurrenceSummary } from '../../reports/summary';
import { summaryXlsx } from '../../reports/xlsx';
import { mayAct, mayRead } from '../../store/accounts/account-store';
import { BlobNotFoundError } from '../../store/blob-store';
import type { ObligationView } from '../../workflows/department-shard.messages';
import { contentDisposition, redirect, send, sendPage, sendRefusal, sendStream, type Ctx } from '../context';
import { campaignTime, formatTime, html, lateness, revealed, shortTime } from '../html';
import { field, type ParsedBody } from '../uploads/multipart';
import { displayState, occurrenceLabel, STATE_LABELS } from '../states';
import { chaseBar, chaseTick } from './chase-action';
import type { SignedIn } from './coordinator-login';

const CAMPAIGN_STATES: Record<string, string> = { scheduled: '未开始', running: '进行中', paused: '已暂停', summarising: '汇总中', completed: '已结束', cancelled: '已取消' };

export interface CampaignView {
  campaignId: string;
  status: StatusMatrix;
  plan: CompiledPlan;
  zone: string;
  nowMs: number;
  who: SignedIn;
  /** Whether this person may change this campaign: without it, no form that would is shown. */
  mayAct: boolean;
}

/** A campaign's status and plan for a person allowed to read it; undefined when Temporal has no such campaign. */
export async function loadCampaignView(ctx: Ctx, campaignId: string, who: SignedIn): Promise<CampaignView | undefined> {
  let status: StatusMatrix;
  let plan: CompiledPlan;
  try {
    status = await ctx.deps.campaigns.status(campaignId);
    plan = await ctx.deps.campaigns.plans.load(status.info.planRef);
  } catch (err) {
    if (err instanceof CampaignNotFoundError) return undefined;
    throw err;
  }
  return { campaignId, status, plan, zone: plan.campaign.timezone, nowMs: Date.parse(status.info.campaignNow), who, mayAct: mayAct(who.person, campaignId) };
}

function webUi(ctx: Ctx, workflowId: string): string {
  return `${ctx.config.temporalWebUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(ctx.config.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

const enc = encodeURIComponent;

/** The campaigns this person may read: every campaign for an admin, the given ones for others (listed even when Temporal's list cannot be read). */
export async function sendCampaignList(ctx: Ctx, res: ServerResponse, who: SignedIn): Promise<void> {
  let list: Awaited<ReturnType<typeof ctx.deps.campaigns.list>> = [];
  let problem: string | undefined;
  try {
    list = (await ctx.deps.campaigns.list(200)).filter((c) => mayRead(who.person, c.campaignId));
  } catch {
    problem = '无法列出服务器上的活动（搜索属性可能未注册）；可直接访问 /c/<活动编号>。';
  }
  const listed = new Set(list.map((c) => c.campaignId));
  const givenOnly = who.person.role === 'admin' ? [] : who.person.campaigns.filter((c) => !listed.has(c));
  const empty = !list.length && !givenOnly.length && who.person.role !== 'admin';
  sendPage(
    res,
    200,
    '全部活动',
    html`${problem ? html`<div class="notice">${problem}</div>` : ''}${empty ? html`<div class="notice">还没有分配给您的活动，请联系管理员。</div>` : ''}
<table><thead><tr><th>活动</th><th>编号</th><th>状态</th><th>启动时间</th></tr></thead><tbody>
${list.map((c) => html`<tr><td><a href="/c/${enc(c.campaignId)}">${c.title || c.campaignId}</a></td><td>${c.campaignId}</td><td>${CAMPAIGN_STATES[c.state] ?? (c.state || c.status)}</td><td>${c.startTime.toISOString()}</td></tr>`)}
${givenOnly.map((c) => html`<tr><td><a href="/c/${enc(c)}">${c}</a></td><td>${c}</td><td class="muted">—</td><td></td></tr>`)}
</tbody></table>`,
    { nav: who.nav },
  );
}

function pauseForm(view: CampaignView) {
  const paused = view.status.info.paused || view.status.info.state === 'paused';
  return html`<form method="post" action="/c/${enc(view.campaignId)}/${paused ? 'resume' : 'pause'}" class="inline-form"><input type="hidden" name="csrf" value="${view.who.csrf}"><button type="submit">${paused ? '恢复提醒' : '暂停提醒'}</button> <span class="muted">${
    paused ? '恢复后，此后到期的提醒和催报照常发送。' : '暂停期间到期的提醒和催报将跳过，不会补发。'
  }</span></form>`;
}

/** POST /c/<id>/pause and /resume: reminders and escalations held or resumed, recorded as done by this person. */
export async function handlePause(ctx: Ctx, res: ServerResponse, view: CampaignView, action: 'pause' | 'resume'): Promise<void> {
  try {
    if (action === 'pause') await ctx.deps.campaigns.pause(view.campaignId, view.who.by);
    else await ctx.deps.campaigns.resume(view.campaignId, view.who.by);
  } catch (err) {
    if (err instanceof RequestRejectedError) return sendRefusal(res, 409, action === 'pause' ? '未能暂停' : '未能恢复', err.message, html`<p><a href="/c/${enc(view.campaignId)}">返回报送情况</a></p>`);
    throw err;
  }
  return redirect(res, `/c/${enc(view.campaignId)}`);
}

function occurrenceColumns(plan: CompiledPlan) {
  return plan.deadlines.flatMap((d) => d.occurrences.map((occ) => ({ deadline: d, occ })));
}

/**
 * The matrix's two header rows: each deadline's title once, over its occurrences' columns (their
 * due dates beneath it); a deadline with one occurrence takes both rows. "Any time" (随时报送)
 * deadlines say so instead of a due time.
 */
function matrixHeader(view: CampaignView) {
  const { plan, zone } = view;
  const summary = (key: string) => html`<a href="/c/${enc(view.campaignId)}/summary/${enc(key)}">汇总</a>`;
  const due = (deadline: CompiledDeadline, occ: CompiledOccurrence) => (deadline.kind === 'open' ? html`<span class="muted">随时报送</span>` : html`<span class="muted">截止 ${shortTime(occ.due, zone)}</span>`);
  return html`<thead><tr><th class="dept" rowspan="2">单位</th>${plan.deadlines.filter((d) => d.occurrences.length).map((deadline) =>
    deadline.occurrences.length > 1
      ? html`<th class="group" colspan="${deadline.occurrences.length}" data-deadline="${deadline.id}">${deadline.title}</th>`
      : html`<th class="group" rowspan="2" data-deadline="${deadline.id}" data-occurrence="${deadline.occurrences[0]!.key}">${deadline.title}<br>${due(deadline, deadline.occurrences[0]!)}<br>${summary(deadline.occurrences[0]!.key)}</th>`,
  )}</tr>
<tr>${plan.deadlines.filter((d) => d.occurrences.length > 1).flatMap((deadline) => deadline.occurrences.map((occ) => html`<th data-occurrence="${occ.key}">${due(deadline, occ)}<br>${summary(occ.key)}</th>`))}</tr></thead>`;
}

export function sendMatrix(ctx: Ctx, res: ServerResponse, view: CampaignView): void {
  const { plan, status, zone } = view;
  const byKey = new Map(status.obligations.filter((o) => o.inPlan).map((o) => [`${o.occurrence}|${o.department}`, o]));
  const cols = occurrenceColumns(plan);
  const ended = status.info.state === 'completed' || status.info.state === 'cancelled';
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
<dt>活动时间</dt><dd id="campaign-time">${campaignTime(status.info, zone)}</dd>
<dt>Temporal</dt><dd><a href="${webUi(ctx, ctx.deps.campaigns.workflowIdOf(view.campaignId))}" rel="noreferrer">在 Temporal Web UI 中查看</a></dd>
</dl>
${view.mayAct && (status.info.state === 'running' || status.info.state === 'paused' || status.info.state === 'scheduled') ? pauseForm(view) : ''}
${view.mayAct && status.info.state === 'completed' ? html`<p><a class="button" id="archive" href="/c/${enc(view.campaignId)}/archive">下载归档（ZIP）</a> <span class="muted">全部报送、附件、邮件记录、汇总和操作记录，附清单与校验值，可离线查看。</span></p>` : ''}
${chaseBar(view)}
<p><a id="figures-link" href="/c/${enc(view.campaignId)}/figures">统计图：按时报送率、累计数走势</a></p>
<p>${(['submitted', 'late', 'excused', 'pending', 'overdue', 'future'] as const).map((s) => html`<span class="state st-${s}">${STATE_LABELS[s]} ${counts[s] ?? 0}</span> `)}</p>
<div class="table-scroll"><table id="matrix">
${matrixHeader(view)}
<tbody>
${plan.departments.map(
  (dept) =>
    html`<tr data-department="${dept.id}"><th class="dept"><a href="/c/${enc(view.campaignId)}/d/${enc(dept.id)}">${dept.name}</a></th>${cols.map(({ deadline, occ }) => {
      if (!deadline.departments.includes(dept.id)) return html`<td class="muted">—</td>`;
      const o = byKey.get(`${occ.key}|${dept.id}`);
      if (!o) return html`<td class="muted">—</td>`;
      const st = displayState(plan, o, view.nowMs);
      const first = o.versions[0];
      return html`<td class="st-${st}" data-occurrence="${occ.key}" data-state="${st}"><span class="state st-${st}">${STATE_LABELS[st]}</span>${
        first ? html`<br><span class="muted">${shortTime(first.receivedAt, zone)}</span>` : ''
      }${o.versions.at(-1)?.nothing ? html`<br><span class="state st-nothing">零报告</span>` : ''}${first?.late ? html`<br><span class="muted">迟${lateness(o.due, first.receivedAt)}</span>` : ''}${o.versions.length > 1 ? html`<br><span class="muted">共${o.versions.length}版</span>` : ''}${
        st === 'overdue' ? html`<br><span class="muted">已逾期${lateness(o.due, ended ? status.info.periodEnd : status.info.campaignNow)}</span>` : ''
      }${chaseTick(view, dept.id, occ.key, st)}</td>`;
    })}</tr>`,
)}
</tbody></table></div>`,
    { nav: view.who.nav },
  );
}

export function sendDepartment(ctx: Ctx, res: ServerResponse, view: CampaignView, deptId: string, error?: string): void {
  const { plan, zone } = view;
  const dept = plan.departments.find((d) => d.id === deptId);
  if (!dept) return sendRefusal(res, 404, '单位不存在', `活动中没有单位“${deptId}”。`);
  const shard = view.status.info.shards.find((s) => s.departments.includes(dept.id));
  const mine = view.status.obligations.filter((o) => o.department === dept.id).sort((a, b) => Date.parse(a.due) - Date.parse(b.due));
  const csrf = view.who.csrf;
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
  (v) => html`<tr><td>第${v.version}版${v.nothing ? html`<br><span class="state st-nothing">零报告</span>` : ''}${v.late ? html`<br><span class="state st-late">迟报${lateness(o.due, v.receivedAt)}</span>` : ''}</td><td>${formatTime(v.receivedAt, zone)}</td><td>${revealed(v.by)}</td>${cols.map(
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
${o.status === 'pending' && view.mayAct
  ? html`<form method="post" action="${base}/excuse" class="inline-form"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="department" value="${dept.id}"><input type="hidden" name="occurrence" value="${o.occurrence}">
<input type="text" name="reason" placeholder="免报原因" aria-label="免报原因"> <button type="submit">免报</button></form>
<form method="post" action="${base}/extend" class="inline-form"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="department" value="${dept.id}"><input type="hidden" name="occurrence" value="${o.occurrence}">
<input type="text" name="until" placeholder="${localNow.plus({ days: 2 }).toFormat('yyyy-MM-dd HH:mm')}" aria-label="新的截止时间（${zone}）"> <button type="submit">延期至</button></form>`
  : ''}
</section>`;
})}`,
    { nav: view.who.nav },
  );
}

/** POST /c/<id>/excuse and /extend, from a department's page: recorded as done by this person. */
export async function handleObligationAction(ctx: Ctx, res: ServerResponse, view: CampaignView, action: 'excuse' | 'extend', body: ParsedBody): Promise<void> {
  const department = field(body, 'department');
  const occurrence = field(body, 'occurrence');
  if (!view.plan.departments.some((d) => d.id === department)) return sendRefusal(res, 404, '单位不存在', '活动中没有这个单位。');
  const by = view.who.by;
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

export async function sendSummary(res: ServerResponse, view: CampaignView, arg: string): Promise<void> {
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
  return html`<tr><td>${r.departmentName}</td><td><span class="state st-${st}">${STATE_LABELS[st]}</span>${r.nothing ? html`<br><span class="state st-nothing">零报告</span>` : ''}</td><td>${shortTime(r.submittedAt, view.zone)}</td>${cols.map(({ column }) => html`<td class="num">${revealed(cell(r.values?.[column.id]))}</td>`)}<td>${r.attachments || ''}</td></tr>`;
})}
${s.totals ? html`<tr class="total"><th>总计</th><td></td><td></td>${cols.map(({ column }) => html`<th class="num">${cell(s.totals![column.id])}</th>`)}<td></td></tr>` : ''}
</tbody></table>
<p id="missing">${s.missing.length ? html`未报送单位（${s.missing.length}）：${s.missing.map((d) => names.get(d) ?? d).join('、')}` : '全部单位均已报送或免报。'}</p>`,
    { nav: view.who.nav },
  );
}

export async function sendFile(ctx: Ctx, res: ServerResponse, view: CampaignView, hex: string): Promise<void> {
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
