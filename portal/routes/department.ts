/**
 * The department's side: GET /d/<token> (its obligations and a form for each open one),
 * POST /d/<token>/submit (the web form, multipart), GET /d/<token>/template/<deadline>.xlsx,
 * POST /d/<token>/upload (a filled template). Everything is scoped by the verified link token:
 * the department never comes from the request, and only its own obligations are ever queried.
 *
 * Whether a submission is accepted is the submission rules' (obligations/submission-rules.ts):
 * the page asks them before keeping any file, and shows their reason — or the workflow's, worded
 * by the same function — in the plan's language.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CampaignNotFoundError, RequestRejectedError } from '../../client/campaign-client';
import type { SubmissionReceipt } from '../../obligations/obligations';
import type { CompiledDeadline, CompiledDepartment, CompiledOccurrence, CompiledPlan } from '../../deadlines/timeline';
import { flattenColumns, type FormValues } from '../../obligations/form-data';
import { ATTACHMENT_EXTENSIONS, describeRefusal, fieldErrorsOf, fieldWarningsOf, formatBytes, judgeSubmission, obligationRefusal, stateOfRecords } from '../../obligations/submission-rules';
import { formTemplateXlsx, parseFilledTemplate } from '../../reports/xlsx';
import type { CampaignInfo } from '../../workflows/campaign.messages';
import { obligationsQuery, type ObligationView } from '../../workflows/department-shard.messages';
import { allowedOrigins, send, sendPage, sendRefusal, type Ctx } from '../context';
import { formatTime, html, lateness, raw, type Raw } from '../html';
import { BodyError, closeAfterAnswer, field, parseBody, type ParsedBody, type UploadedFile } from '../uploads/multipart';
import { departmentCsrf, safeEqual, sameOrigin } from '../security';
import { displayState, STATE_LABELS } from '../states';
import { verifyToken, type TokenClaims } from '../../mail/department-links';

interface DeptView {
  token: string;
  claims: TokenClaims;
  info: CampaignInfo;
  plan: CompiledPlan;
  dept: CompiledDepartment;
  zone: string;
  nowMs: number;
  /** The department's obligations still in the plan (what the page shows). */
  obligations: ObligationView[];
  /** All its obligation records, as the shard holds them (what the submission rules judge by). */
  records: ObligationView[];
}

type FieldNote = { field: string; message: string };

interface FormState {
  values: Record<string, string>;
  report: string;
  errors: FieldNote[];
  warnings: FieldNote[];
  confirmed: string[];
  messages: string[];
}

const emptyState = (): FormState => ({ values: {}, report: '', errors: [], warnings: [], confirmed: [], messages: [] });

const INVALID_LINK = '此链接无效。请使用活动办公室邮件中发给贵单位的报送链接；如仍有问题，请联系活动办公室。';
const EXPIRED_LINK = '此链接已过期。请联系活动办公室获取新的报送链接。';

export async function departmentRoute(ctx: Ctx, req: IncomingMessage, res: ServerResponse, token: string, rest: string[]): Promise<void> {
  const check = verifyToken(ctx.config.secret, token);
  if (!check.ok) {
    if (req.method === 'POST') req.resume();
    return sendRefusal(res, 403, check.reason === 'expired' ? '链接已过期' : '链接无效', check.reason === 'expired' ? EXPIRED_LINK : INVALID_LINK);
  }
  const claims = check.claims;
  const action = rest.join('/');
  if (req.method === 'POST') {
    if (action !== 'submit' && action !== 'upload') return sendRefusal(res, 404, '页面不存在', '没有这个页面。');
    if (!sameOrigin(req, allowedOrigins(ctx, req))) {
      req.resume();
      return sendRefusal(res, 403, '请求被拒绝', '此提交并非来自本平台的报送页面，已拒绝。请打开贵单位的报送链接重新填写。');
    }
    const view = await loadView(ctx, token, claims, res);
    if (!view) {
      req.resume();
      return;
    }
    let body: ParsedBody;
    try {
      body = await parseBody(
        req,
        {
          // Files stream to the blob store's staging area: the total bounds what is read, not what is held.
          maxBodyBytes: ctx.config.maxUploadBytes * Math.max(1, ctx.config.maxFiles) + 1024 * 1024,
          maxFileBytes: ctx.config.maxUploadBytes,
          maxFiles: ctx.config.maxFiles,
        },
        // The filled template is read into memory: reports/xlsx.ts parses bytes, and one file within the upload limit is small.
        { store: ctx.deps.blobs, inMemory: ['xlsx'], language: view.plan.campaign.language },
      );
    } catch (err) {
      if (err instanceof BodyError) {
        if (err.unread) closeAfterAnswer(req, res);
        return sendRefusal(res, err.status, '提交未被接受', `${err.message}。未保存任何内容，请返回修改后重新提交。`);
      }
      throw err;
    }
    if (!safeEqual(field(body, 'csrf'), departmentCsrf(ctx.config.secret, token))) {
      await body.discard();
      return sendRefusal(res, 403, '请求被拒绝', '页面校验码不符（页面可能已过期，或提交并非来自本单位的报送页面）。未保存任何内容，请重新打开报送链接填写。');
    }
    try {
      return await (action === 'submit' ? handleSubmit(ctx, res, view, body) : handleUpload(ctx, res, view, body));
    } finally {
      // Whatever was not committed (a refusal, an error) is deleted; committed files are blobs already.
      await body.discard();
    }
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendRefusal(res, 405, '不支持的请求', '不支持的请求方式。');
  const view = await loadView(ctx, token, claims, res);
  if (!view) return;
  if (action === '') return sendPage(res, 200, `${view.dept.name} · ${view.plan.campaign.title}`, renderPage(ctx, view, new Map()));
  const m = /^template\/([A-Za-z0-9_.-]+)\.xlsx$/.exec(action);
  if (m) return sendTemplate(res, view, m[1]!, (new URL(req.url ?? '/', 'http://x').searchParams.get('occurrence') ?? undefined) || undefined);
  return sendRefusal(res, 404, '页面不存在', '没有这个页面。');
}

async function loadView(ctx: Ctx, token: string, claims: TokenClaims, res: ServerResponse): Promise<DeptView | undefined> {
  let info: CampaignInfo;
  try {
    info = await ctx.deps.campaigns.info(claims.campaignId);
  } catch (err) {
    if (err instanceof CampaignNotFoundError) {
      sendRefusal(res, 404, '活动不存在', '此链接对应的活动已不在报送平台上。请联系活动办公室。');
      return undefined;
    }
    throw err;
  }
  const plan = await ctx.deps.campaigns.plans.load(info.planRef);
  const dept = plan.departments.find((d) => d.id === claims.departmentId);
  const shard = info.shards.find((s) => s.departments.includes(claims.departmentId));
  if (!dept || !shard) {
    sendRefusal(res, 403, '链接无效', INVALID_LINK);
    return undefined;
  }
  // Only this department's obligations are queried (the shard filters), and checked again here.
  const all = await ctx.deps.campaigns.temporal.workflow.getHandle(shard.workflowId).query(obligationsQuery, { department: dept.id });
  const records = all.filter((o) => o.department === dept.id);
  const obligations = records.filter((o) => o.inPlan);
  return { token, claims, info, plan, dept, zone: plan.campaign.timezone, nowMs: Date.parse(info.campaignNow), obligations, records };
}

function deadlineOf(plan: CompiledPlan, id: string): CompiledDeadline | undefined {
  return plan.deadlines.find((d) => d.id === id);
}

/** Occurrences the department can submit for now: open, not excused; late ones while still owed. */
function submittable(view: DeptView): Array<{ deadline: CompiledDeadline; occ: CompiledOccurrence; ob: ObligationView }> {
  const out = [];
  if (view.nowMs > Date.parse(view.plan.campaign.periodEnd) || view.info.state === 'cancelled' || view.info.state === 'completed') return [];
  for (const ob of view.obligations) {
    const deadline = deadlineOf(view.plan, ob.deadline);
    const occ = deadline?.occurrences.find((o) => o.key === ob.occurrence);
    if (!deadline || !occ || ob.status === 'excused') continue;
    if (Date.parse(occ.opens) > view.nowMs) continue;
    const pastDue = Date.parse(ob.due) < view.nowMs;
    if (pastDue && ob.status !== 'pending') continue;
    out.push({ deadline, occ, ob });
  }
  return out.sort((a, b) => Date.parse(a.ob.due) - Date.parse(b.ob.due));
}

// --- rendering ---------------------------------------------------------------------------------

function renderPage(ctx: Ctx, view: DeptView, states: Map<string, FormState>): Raw {
  const { plan, zone } = view;
  const rows = [...view.obligations].sort((a, b) => Date.parse(a.due) - Date.parse(b.due) || a.deadline.localeCompare(b.deadline));
  const open = submittable(view);
  return html`
<dl class="meta">
  <dt>报送单位</dt><dd id="department-name">${view.dept.name}</dd>
  <dt>活动</dt><dd>${plan.campaign.title}</dd>
  <dt>当前时间</dt><dd>${formatTime(view.info.campaignNow, zone)}</dd>
</dl>
<div class="notice">本页面链接为贵单位专用，请勿转发。</div>
<h2>报送事项</h2>
<table id="obligations">
<thead><tr><th>事项</th><th>截止时间</th><th>状态</th><th>报送时间</th><th>版本</th></tr></thead>
<tbody>
${rows.map((o) => {
  const d = deadlineOf(plan, o.deadline);
  const st = displayState(plan, o, view.nowMs);
  const first = o.versions[0];
  const latest = o.versions.at(-1);
  return html`<tr data-occurrence="${o.occurrence}"><td>${d?.title ?? o.deadline}${d && d.occurrences.length > 1 ? html` <span class="muted">${o.occurrence.split('@')[1]}</span>` : ''}</td>
<td>${formatTime(o.due, zone)}${o.extendedTo ? html` <span class="muted">（已延期）</span>` : ''}</td>
<td><span class="state st-${st}">${STATE_LABELS[st]}</span>${o.excused ? html` <span class="muted">${o.excused.reason}</span>` : ''}</td>
<td>${first ? formatTime(first.receivedAt, zone) : ''}${first?.late ? html` <span class="muted">迟报${lateness(o.due, first.receivedAt)}</span>` : ''}</td>
<td>${latest ? `第${latest.version}版` : ''}</td></tr>`;
})}
</tbody>
</table>
${open.length === 0 ? html`<p class="muted">目前没有需要报送的事项。</p>` : ''}
${open.map(({ deadline, occ, ob }) => renderForm(ctx, view, deadline, occ, ob, states.get(occ.key) ?? emptyState()))}
`;
}

function renderForm(ctx: Ctx, view: DeptView, deadline: CompiledDeadline, occ: CompiledOccurrence, ob: ObligationView, state: FormState): Raw {
  const form = deadline.submit.form ? view.plan.forms.find((f) => f.id === deadline.submit.form) : undefined;
  const csrf = departmentCsrf(ctx.config.secret, view.token);
  const base = `/d/${view.token}`;
  const errorsOf = (id: string) => state.errors.filter((e) => e.field === id);
  const warningOf = (id: string) => state.warnings.find((w) => w.field === id);
  const known = new Set(form ? flattenColumns(form.columns).map((c) => c.column.id) : []);
  const general = [...state.messages, ...state.errors.filter((e) => !known.has(e.field)).map((e) => e.message)];
  const latest = ob.versions.at(-1);
  const pastDue = Date.parse(ob.due) < view.nowMs;
  return html`
<section class="card" id="occ-${occ.key.replace(/[^A-Za-z0-9_-]/g, '-')}">
<h2>${deadline.title}${deadline.occurrences.length > 1 ? `（${occ.key.split('@')[1]}）` : ''}</h2>
<p>截止时间：<strong>${formatTime(ob.due, view.zone)}</strong>${pastDue ? html` <span class="state st-overdue">已逾期，仍可补报（记为迟报）</span>` : ''}</p>
${deadline.quote ? html`<p class="muted">通知原文：${deadline.quote}</p>` : ''}
${deadline.description ? html`<p>${deadline.description}</p>` : ''}
${latest ? html`<p class="ok">已于 ${formatTime(latest.receivedAt, view.zone)} 报送第${latest.version}版；如需更正，可重新提交（保留全部版本）。</p>` : ''}
${general.length ? html`<div class="alert form-errors">${general.map((m) => html`<p>${m}</p>`)}</div>` : ''}
<form method="post" action="${base}/submit" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="deadline" value="${deadline.id}">
<input type="hidden" name="occurrence" value="${occ.key}">
${form ? html`<h3>${form.title}</h3>` : ''}
${form
  ? flattenColumns(form.columns).map(({ column, parent }) => {
      const name = `v.${column.id}`;
      const errs = errorsOf(column.id);
      const warn = warningOf(column.id);
      const id = `f-${occ.key}-${column.id}`.replace(/[^A-Za-z0-9_-]/g, '-');
      const value = state.values[column.id] ?? (latest?.values?.[column.id] !== undefined && latest.values[column.id] !== null ? displayValue(latest.values[column.id]!) : '');
      const label = `${parent ? `其中：${column.label}` : column.label}${column.unit ? `（${column.unit}）` : ''}`;
      const input =
        column.type === 'names'
          ? html`<textarea id="${id}" name="${name}" data-field="${column.id}">${value}</textarea>`
          : html`<input id="${id}" type="text" name="${name}" data-field="${column.id}" value="${value}"${column.type === 'count' || column.type === 'amount' ? raw(' inputmode="decimal"') : ''}>`;
      return html`<div class="field${parent ? ' sub' : ''}${errs.length ? ' has-error' : ''}" data-field="${column.id}">
<label for="${id}">${label}${column.cumulative ? html` <span class="muted">（累计数）</span>` : ''}</label>
${input}
${errs.map((e) => html`<div class="error" data-error-for="${column.id}">${e.message}</div>`)}
${warn ? html`<div class="warning" data-warning-for="${column.id}">${warn.message}<br><label><input type="checkbox" name="confirm" value="${column.id}"> 确认无误</label></div>` : ''}
${!warn && state.confirmed.includes(column.id) ? html`<input type="hidden" name="confirm" value="${column.id}">` : ''}
</div>`;
    })
  : ''}
<div class="field"><label for="report-${occ.key}">${deadline.submit.report ? '报送内容' : '说明（可选）'}</label>
<textarea id="report-${occ.key}" name="report">${state.report}</textarea></div>
${deadline.submit.attachments
  ? html`<div class="field"><label for="att-${occ.key}">附件（可选）</label>
<input id="att-${occ.key}" type="file" name="attachments" multiple accept="${ATTACHMENT_EXTENSIONS.join(',')}">
<div class="muted">接受 ${ATTACHMENT_EXTENSIONS.join(' ')}；每个文件不超过 ${formatBytes(ctx.config.maxUploadBytes)}，最多 ${ctx.config.maxFiles} 个。${state.errors.length || state.warnings.length || state.messages.length ? '如需附件，请重新选择。' : ''}</div></div>`
  : ''}
<button type="submit">提交</button>
</form>
${form
  ? html`<h3>或：下载Excel模板，填好后上传</h3>
<p><a href="${base}/template/${deadline.id}.xlsx?occurrence=${encodeURIComponent(occ.key)}" class="template-link">下载《${form.title}》模板（.xlsx）</a></p>
<form method="post" action="${base}/upload" enctype="multipart/form-data" class="upload-form">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="deadline" value="${deadline.id}">
<input type="hidden" name="occurrence" value="${occ.key}">
<input type="file" name="xlsx" accept=".xlsx" aria-label="已填好的模板">
<button type="submit">上传模板并提交</button>
</form>`
  : ''}
</section>`;
}

function displayValue(v: FormValues[string]): string {
  return Array.isArray(v) ? v.join('、') : v === null ? '' : String(v);
}

// --- submitting --------------------------------------------------------------------------------

/**
 * The form posted, if the page offers it now. When not, the submission rules say why if the
 * obligation is theirs to refuse (not open yet, excused, over…); an obligation already submitted
 * and past due is no longer offered for correction on the page.
 */
function target(view: DeptView, body: ParsedBody): { deadline: CompiledDeadline; occ: CompiledOccurrence } | string {
  const deadline = deadlineOf(view.plan, field(body, 'deadline'));
  const occ = deadline?.occurrences.find((o) => o.key === field(body, 'occurrence'));
  if (deadline && occ && submittable(view).some((s) => s.occ.key === occ.key)) return { deadline, occ };
  const input = { submissionId: '', department: view.dept.id, deadline: field(body, 'deadline'), occurrence: field(body, 'occurrence') || '-', by: '' };
  const why = obligationRefusal(view.plan, stateOfRecords(view.records), input, view.nowMs);
  return why ? `${describeRefusal(why, view.plan.campaign.language)}。` : '这一期目前不接受报送（尚未开始、已免报或已截止）。';
}

async function handleSubmit(ctx: Ctx, res: ServerResponse, view: DeptView, body: ParsedBody): Promise<void> {
  const t = target(view, body);
  if (typeof t === 'string') {
    await body.discard();
    return sendRefusal(res, 422, '提交未被接受', `${t}未保存任何内容。`);
  }
  const form = t.deadline.submit.form ? view.plan.forms.find((f) => f.id === t.deadline.submit.form) : undefined;
  const values: Record<string, string> = {};
  for (const [k, v] of body.fields) if (k.startsWith('v.')) values[k.slice(2)] = v[0] ?? '';
  const attachments = body.files.filter((f) => f.field === 'attachments');
  return processSubmission(ctx, res, view, body, t.deadline, t.occ, form ? values : undefined, field(body, 'report'), body.fields.get('confirm') ?? [], attachments);
}

async function handleUpload(ctx: Ctx, res: ServerResponse, view: DeptView, body: ParsedBody): Promise<void> {
  const t = target(view, body);
  await body.discard();
  if (typeof t === 'string') return sendRefusal(res, 422, '提交未被接受', `${t}未保存任何内容。`);
  const form = t.deadline.submit.form ? view.plan.forms.find((f) => f.id === t.deadline.submit.form) : undefined;
  const file = body.files.find((f) => f.field === 'xlsx');
  const fail = (messages: string[]) => {
    const states = new Map([[t.occ.key, { ...emptyState(), messages }]]);
    return sendPage(res, 422, `${view.dept.name} · ${view.plan.campaign.title}`, renderPage(ctx, view, states));
  };
  if (!form) return fail(['这一事项没有统计表，无需上传模板。']);
  if (!file?.data) return fail(['请选择已填好的Excel模板（.xlsx）再上传。']);
  const sniff = file.sniff;
  if (!sniff.ok || sniff.ext !== '.xlsx') return fail([sniff.ok ? `文件“${file.filename}”不是.xlsx模板。` : sniff.reason, '未保存任何内容。']);
  const parsed = await parseFilledTemplate(file.data, form, { maxBytes: ctx.config.maxUploadBytes }, { campaignId: view.claims.campaignId, departmentId: view.dept.id });
  if (!parsed.ok) return fail(['模板未被接受：', ...parsed.problems.map((p) => p.message), '未保存任何内容。']);
  const meta = parsed.meta;
  if (meta.departmentId && meta.departmentId !== view.dept.id) return fail([`这份模板是为其他单位生成的，不能由${view.dept.name}上传。未保存任何内容。`]);
  if (meta.deadlineId && meta.deadlineId !== t.deadline.id) return fail(['这份模板属于另一个报送事项，请下载本事项的模板填写。未保存任何内容。']);
  if (meta.occurrence && meta.occurrence !== t.occ.key) return fail([`这份模板属于另一期（${meta.occurrence.split('@')[1] ?? meta.occurrence}），请下载本期的模板填写。未保存任何内容。`]);
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.values as Record<string, unknown>)) values[k] = v === null || v === undefined ? '' : Array.isArray(v) ? v.join('、') : String(v);
  return processSubmission(ctx, res, view, body, t.deadline, t.occ, values, '', body.fields.get('confirm') ?? [], []);
}

/**
 * The one submission path: every file's content was sniffed as it streamed in; the submission
 * rules judge the rest (figures, report, attachments, the obligation) — a refusal keeps nothing —
 * then the staged files become blobs, then the workflow is told; the receipt is shown only once
 * it accepted. Every reason is the rules' describeRefusal, in the plan's language.
 */
async function processSubmission(
  ctx: Ctx,
  res: ServerResponse,
  view: DeptView,
  body: ParsedBody,
  deadline: CompiledDeadline,
  occ: CompiledOccurrence,
  values: Record<string, string> | undefined,
  report: string,
  confirmed: string[],
  files: UploadedFile[],
): Promise<void> {
  const language = view.plan.campaign.language;
  const state: FormState = { values: values ?? {}, report, errors: [], warnings: [], confirmed, messages: [] };
  const again = async (status: number) => {
    await body.discard();
    sendPage(res, status, `${view.dept.name} · ${view.plan.campaign.title}`, renderPage(ctx, view, new Map([[occ.key, state]])));
  };
  const unsniffed = files.filter((f) => !f.sniff.ok || !f.blob);
  for (const f of unsniffed) state.messages.push(`${f.sniff.ok ? `文件“${f.filename}”未能接收` : f.sniff.reason}。`);
  const kept = files.filter((f) => f.sniff.ok && f.blob);
  const attachments = kept.map((f) => ({ ref: f.blob!.ref, name: f.filename, size: f.size, type: f.sniff.ok ? f.sniff.type : f.contentType }));
  const confirmDecreases = [...new Set(confirmed)].sort();
  const common = {
    department: view.dept.id,
    deadline: deadline.id,
    occurrence: occ.key,
    ...(attachments.length ? { attachments } : {}),
    ...(confirmDecreases.length ? { confirmDecreases } : {}),
    by: `portal:${view.dept.id}`,
  };
  const input = { ...common, submissionId: '', ...(values ? { values } : {}), ...(report ? { report } : {}) };
  const limits = { maxFiles: ctx.config.maxFiles, maxFileBytes: ctx.config.maxUploadBytes };
  const verdict = judgeSubmission(view.plan, stateOfRecords(view.records), input, view.nowMs, limits);
  if (!verdict.ok) {
    state.errors = fieldErrorsOf(verdict.refusal);
    state.warnings = fieldWarningsOf(verdict.refusal);
    state.messages.push(`${describeRefusal(verdict.refusal, language)}。`);
  }
  if (state.messages.length) {
    state.messages.push('未保存任何内容，请修改后重新提交。');
    return again(422);
  }
  const normalised: FormValues | undefined = verdict.ok ? verdict.values : undefined;

  // Files first: the workflow only ever hears of blobs that exist.
  for (const f of kept) await f.blob!.commit();
  const submissionId = `portal-${createHash('sha256')
    .update(JSON.stringify([view.token, occ.key, normalised ?? null, report, attachments.map((a) => [a.ref, a.name]), confirmDecreases]))
    .digest('hex')
    .slice(0, 40)}`;
  let receipt: SubmissionReceipt;
  try {
    receipt = await ctx.deps.campaigns.submit(view.claims.campaignId, { ...common, submissionId, ...(normalised ? { values: normalised } : {}), ...(report.trim() ? { report } : {}) });
  } catch (err) {
    if (err instanceof RequestRejectedError) {
      state.errors = err.fieldErrors;
      state.warnings = err.fieldWarnings;
      state.messages.push(`报送未被接受：${err.refusal ? describeRefusal(err.refusal, language) : err.message}。`);
      return again(422);
    }
    throw err;
  }
  const dueIso = view.obligations.find((o) => o.occurrence === occ.key)?.due ?? occ.due;
  sendPage(
    res,
    200,
    '报送成功',
    html`<div class="ok receipt"><p><strong>${view.dept.name}</strong>的《${deadline.title}》${deadline.occurrences.length > 1 ? `（${occ.key.split('@')[1]}）` : ''}已报送成功。</p></div>
<dl class="meta">
  <dt>报送单位</dt><dd>${view.dept.name}</dd>
  <dt>事项</dt><dd>${deadline.title}</dd>
  <dt>版本</dt><dd>第${receipt.version}版${receipt.duplicate ? '（重复提交，已忽略）' : ''}</dd>
  <dt>收到时间</dt><dd>${formatTime(receipt.receivedAt, view.zone)}</dd>
  <dt>是否按时</dt><dd>${receipt.late ? `迟报（${lateness(dueIso, receipt.receivedAt)}）` : '按时'}</dd>
  <dt>附件</dt><dd>${attachments.length ? attachments.map((a) => html`${a.name}（${formatBytes(a.size)}）<br>`) : '无'}</dd>
  <dt>回执编号</dt><dd class="muted">${receipt.submissionId}</dd>
</dl>
<p>回执邮件将发送至贵单位联络人邮箱。</p>
<p><a href="/d/${view.token}">返回报送页面</a></p>`,
    { heading: '报送成功' },
  );
}

async function sendTemplate(res: ServerResponse, view: DeptView, deadlineId: string, occurrence: string | undefined): Promise<void> {
  const deadline = deadlineOf(view.plan, deadlineId);
  if (!deadline || !deadline.departments.includes(view.dept.id) || !deadline.submit.form) return sendRefusal(res, 404, '模板不存在', '贵单位没有这一报送事项的模板。');
  if (occurrence && !deadline.occurrences.some((o) => o.key === occurrence)) return sendRefusal(res, 404, '模板不存在', '没有这一期报送。');
  const buffer = await formTemplateXlsx(view.plan, deadline.submit.form, { department: { id: view.dept.id, name: view.dept.name }, deadlineId: deadline.id, ...(occurrence ? { occurrence } : {}) });
  const name = `${deadline.title}-${view.dept.name}${occurrence ? `-${occurrence.split('@')[1]}` : ''}.xlsx`;
  send(res, 200, buffer, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', {
    'content-disposition': `attachment; filename="${deadline.id}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`,
  });
}
