/**
 * The department's side: GET /d/<token> (its obligations and a form for each open one),
 * POST /d/<token>/submit (the web form, multipart), GET /d/<token>/template/<deadline>.xlsx,
 * POST /d/<token>/upload (a filled template). Everything is scoped by the verified link token:
 * the department never comes from the request, and only its own obligations are ever queried.
 *
 * Whether a submission is accepted is the submission rules' (obligations/submission-rules.ts):
 * the page asks them before keeping any file, and shows their reason — or the workflow's, worded
 * by the same function — in the plan's language.
 *
 * When Temporal does not answer in time, or the portal is too busy to ask, the department is told
 * plainly whether its submission was recorded (department-answers.ts): a submission whose answer
 * never came is looked up by its id; found, its receipt is shown; not found, the page says it
 * cannot be known and that submitting again is safe (submission-ids.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { receiptIn, RequestRejectedError } from '../../client/campaign-client';
import { CallLimiter, temporalTrouble, TooBusyError } from '../../client/call-limits';
import type { SubmissionReceipt } from '../../obligations/obligations';
import type { CompiledDeadline, CompiledOccurrence } from '../../deadlines/timeline';
import type { FormValues } from '../../obligations/form-data';
import { describeRefusal, fieldErrorsOf, fieldWarningsOf, judgeSubmission, obligationRefusal, stateOfRecords } from '../../obligations/submission-rules';
import { formTemplateXlsx, parseFilledTemplate } from '../../reports/xlsx';
import { BUSY } from '../../reports/xlsx/reading-pool';
import { allowedOrigins, contentDisposition, send, sendPage, sendRefusal, type Ctx } from '../context';
import { BodyError, closeAfterAnswer, field, parseBody, type ParsedBody, type UploadedFile } from '../uploads/multipart';
import { departmentCsrf, safeEqual, sameOrigin } from '../security';
import { verifyToken } from '../../mail/department-links';
import { notSentNotice, RETRY_AFTER_SECONDS, sendPageUnavailable, sendPageWithNotice, sendPostNotSent, sendReceipt, unknownNotice } from './department-answers';
import { deadlineOf, emptyState, renderPage, submittable, type FormState } from './department-page';
import { departmentViews, INVALID_LINK, loadView, type DeptView } from './department-view';
import { contentSubmissionId, KEY_PATTERN, keyedSubmissionId, versionWithContent } from './submission-ids';

const EXPIRED_LINK = '此链接已过期。请联系活动办公室获取新的报送链接。';

/**
 * Uploaded templates wait here for the reading pool (reports/xlsx: one or two threads and a short
 * queue that turns the rest away): twenty departments uploading in the same second all get read,
 * one after another. Their bytes are in memory already, read with the request.
 */
const TEMPLATE_LINE = new CallLimiter({ concurrent: 2, perWorkflow: 2, waiting: 500, maxWaitMs: 30_000 });

/** Seconds before trying again, from the error that stopped a request. */
const retryAfterOf = (err: unknown) => (err instanceof TooBusyError ? err.retryAfterSeconds : RETRY_AFTER_SECONDS);

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
    if (!sameOrigin(req, allowedOrigins(ctx))) {
      req.resume();
      return sendRefusal(res, 403, '请求被拒绝', '此提交并非来自本平台的报送页面，已拒绝。请打开贵单位的报送链接重新填写。');
    }
    let view: DeptView | undefined;
    try {
      view = await loadView(ctx, token, claims, res, 'submission');
    } catch (err) {
      if (!temporalTrouble(err)) throw err;
      // Nothing read, nothing sent: said so, and the body left unread.
      closeAfterAnswer(req, res);
      return sendPostNotSent(res, token, retryAfterOf(err));
    }
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
      const earlier = receivedBefore(view, body);
      if (earlier) return sendReceipt(res, view, earlier.deadline, earlier.occ, earlier.receipt);
      return await (action === 'submit' ? handleSubmit(ctx, res, view, body) : handleUpload(ctx, res, view, body));
    } finally {
      // Whatever was not committed (a refusal, an error) is deleted; committed files are blobs already.
      await body.discard();
    }
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendRefusal(res, 405, '不支持的请求', '不支持的请求方式。');
  let view: DeptView | undefined;
  try {
    view = await loadView(ctx, token, claims, res);
  } catch (err) {
    if (!temporalTrouble(err)) throw err;
    return sendPageUnavailable(res, retryAfterOf(err));
  }
  if (!view) return;
  if (action === '') return sendPage(res, 200, `${view.dept.name} · ${view.plan.campaign.title}`, renderPage(ctx, view, new Map()));
  const m = /^template\/([A-Za-z0-9_.-]+)\.xlsx$/.exec(action);
  if (m) return sendTemplate(res, view, m[1]!, (new URL(req.url ?? '/', 'http://x').searchParams.get('occurrence') ?? undefined) || undefined);
  return sendRefusal(res, 404, '页面不存在', '没有这个页面。');
}

// --- submitting --------------------------------------------------------------------------------

/** The idempotency key posted with the form, when it has a valid one. */
function postedKey(body: ParsedBody): string | undefined {
  const key = field(body, 'key');
  return KEY_PATTERN.test(key) ? key : undefined;
}

/**
 * A post whose key the department's records already hold (pressed again, resent by the browser,
 * tried again after an answer that never came): its original receipt, whether or not the page
 * offers the form any more — nothing is judged, stored or sent again.
 */
function receivedBefore(view: DeptView, body: ParsedBody): { deadline: CompiledDeadline; occ: CompiledOccurrence; receipt: SubmissionReceipt } | undefined {
  const key = postedKey(body);
  const deadline = deadlineOf(view.plan, field(body, 'deadline'));
  const occ = deadline?.occurrences.find((o) => o.key === field(body, 'occurrence'));
  if (!key || !deadline || !occ) return undefined;
  const receipt = receiptIn(view.records, view.dept.id, keyedSubmissionId(view.dept.id, occ.key, key));
  return receipt && receipt.occurrence === occ.key ? { deadline, occ, receipt } : undefined;
}

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
  if (field(body, 'nothing') === '1') {
    // A 零报告 (its own form on the page, confirmed by a tick): the rules refuse it with figures, a report or files.
    if (field(body, 'confirm-nothing') !== '1') {
      await body.discard();
      return sendRefusal(res, 422, '提交未被接受', '请勾选“本期无相关数据，提交零报告”确认后再提交。未保存任何内容。');
    }
    const given = Object.values(values).some((v) => v.trim()) ? values : undefined;
    return processSubmission(ctx, res, view, body, t.deadline, t.occ, given, field(body, 'report'), [], attachments, true);
  }
  return processSubmission(ctx, res, view, body, t.deadline, t.occ, form ? values : undefined, field(body, 'report'), body.fields.get('confirm') ?? [], attachments);
}

async function handleUpload(ctx: Ctx, res: ServerResponse, view: DeptView, body: ParsedBody): Promise<void> {
  const t = target(view, body);
  await body.discard();
  if (typeof t === 'string') return sendRefusal(res, 422, '提交未被接受', `${t}未保存任何内容。`);
  const form = t.deadline.submit.form ? view.plan.forms.find((f) => f.id === t.deadline.submit.form) : undefined;
  const file = body.files.find((f) => f.field === 'xlsx');
  const key = postedKey(body);
  const fail = (messages: string[]) => {
    const states = new Map([[t.occ.key, { ...emptyState(), messages, ...(key ? { keys: { submit: key, upload: key } } : {}) }]]);
    return sendPage(res, 422, `${view.dept.name} · ${view.plan.campaign.title}`, renderPage(ctx, view, states));
  };
  if (!form) return fail(['这一事项没有统计表，无需上传模板。']);
  if (!file?.data) return fail(['请选择已填好的Excel模板（.xlsx）再上传。']);
  const sniff = file.sniff;
  if (!sniff.ok || sniff.ext !== '.xlsx') return fail([sniff.ok ? `文件“${file.filename}”不是.xlsx模板。` : sniff.reason, '未保存任何内容。']);
  const data = file.data;
  let parsed: Awaited<ReturnType<typeof parseFilledTemplate>>;
  try {
    parsed = await TEMPLATE_LINE.run('templates', () => parseFilledTemplate(data, form, { maxBytes: ctx.config.maxUploadBytes }, { campaignId: view.claims.campaignId, departmentId: view.dept.id }));
  } catch (err) {
    if (err instanceof TooBusyError) return fail([`${BUSY}。`, '未保存任何内容。']);
    throw err;
  }
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
 * it accepted. Every reason is the rules' describeRefusal, in the plan's language. When the
 * workflow's answer does not come, the department is told what is known (department-answers.ts).
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
  nothing = false,
): Promise<void> {
  const language = view.plan.campaign.language;
  const key = postedKey(body);
  const state: FormState = { values: values ?? {}, report, errors: [], warnings: [], confirmed, messages: [], ...(key ? { keys: nothing ? { nothing: key } : { submit: key, upload: key } } : {}) };
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
    ...(nothing ? { nothing: true } : {}),
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
  const content = { values: normalised, report, attachments, confirmDecreases };
  if (!key) {
    // A form without a key (drawn before keys, or posted by a script) that repeats a version exactly.
    const same = versionWithContent(view.records.find((o) => o.occurrence === occ.key)?.versions ?? [], view.dept.id, content);
    const receipt = same && receiptIn(view.records, view.dept.id, same.submissionId);
    if (receipt) return sendReceipt(res, view, deadline, occ, receipt);
  }

  // Files first: the workflow only ever hears of blobs that exist.
  for (const f of kept) await f.blob!.commit();
  const submissionId = key ? keyedSubmissionId(view.dept.id, occ.key, key) : contentSubmissionId(view.token, occ.key, content);
  const views = departmentViews(ctx);
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
    views.forget(view.claims.campaignId, view.dept.id);
    const page = (notice: ReturnType<typeof notSentNotice>) => renderPage(ctx, view, new Map([[occ.key, state]]), notice);
    if (temporalTrouble(err) === 'not-sent') return sendPageWithNotice(res, page(notSentNotice()), `${view.dept.name} · ${view.plan.campaign.title}`, retryAfterOf(err));
    // No answer (or a fault on the way): it may have been recorded all the same. Ask for it by its id.
    if (!temporalTrouble(err)) (ctx.config.log ?? ((m: string) => process.stderr.write(`${m}\n`)))(`portal: submission ${submissionId} got no answer: ${(err as Error)?.stack ?? String(err)}`);
    const found = await ctx.deps.campaigns.receiptOf(view.claims.campaignId, view.dept.id, submissionId).catch(() => undefined);
    if (found) return sendReceipt(res, view, deadline, occ, found, { foundAfterTrouble: true });
    return sendPageWithNotice(res, page(unknownNotice()), `${view.dept.name} · ${view.plan.campaign.title}`, retryAfterOf(err));
  }
  views.forget(view.claims.campaignId, view.dept.id);
  sendReceipt(res, view, deadline, occ, receipt, { attachments, nothing });
}

async function sendTemplate(res: ServerResponse, view: DeptView, deadlineId: string, occurrence: string | undefined): Promise<void> {
  const deadline = deadlineOf(view.plan, deadlineId);
  if (!deadline || !deadline.departments.includes(view.dept.id) || !deadline.submit.form) return sendRefusal(res, 404, '模板不存在', '贵单位没有这一报送事项的模板。');
  if (occurrence && !deadline.occurrences.some((o) => o.key === occurrence)) return sendRefusal(res, 404, '模板不存在', '没有这一期报送。');
  const buffer = await formTemplateXlsx(view.plan, deadline.submit.form, { department: { id: view.dept.id, name: view.dept.name }, deadlineId: deadline.id, ...(occurrence ? { occurrence } : {}) });
  const name = `${deadline.title}-${view.dept.name}${occurrence ? `-${occurrence.split('@')[1]}` : ''}.xlsx`;
  send(res, 200, buffer, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', {
    'content-disposition': contentDisposition(name, `${deadline.id}.xlsx`),
  });
}
