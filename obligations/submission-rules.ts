/**
 * Whether a submission is accepted — the one home of that decision. The workflow's submit update
 * validator, the portal and the CLI all ask here, so a department gets the same reason whichever
 * way it submitted, in the plan's language (campaign.language: zh-CN or en).
 *
 * Decided here: the obligation (department, deadline, occurrence, open, not excused, campaign not
 * over), 零报告 ("nothing to report this period": allowed wherever the deadline asks for a statistics
 * table, and then carrying no figures, report or attachments — a later correction with figures is a
 * new version), the figures (delegated to form-data.ts), the report (required, at most REPORT_MAX_CHARS
 * characters) and the attachments (allowed by the plan, their kinds by extension, their number and
 * size under the deployment's limits). Not decided here: what the bytes of a file really are (the
 * portal sniffs them, portal/uploads/sniff.ts) — everything here is pure, without I/O.
 *
 * Each refusal is a code with parameters (SubmissionRefusal); describeRefusal renders it, and is the
 * only place a reason is worded. Pure and deterministic: the workflow's validator runs it.
 */
import type { CompiledDeadline, CompiledOccurrence, CompiledPlan, Language } from '../deadlines/timeline';
import { checkFormValues, isFilled, valuesAsRecorded, type FieldProblem, type FormValues } from './form-data';
import { obligationKey, resolveOccurrence, type ObligationRecord, type ShardState, type SubmissionInput } from './obligations';
import { cutGraphemes, wellFormed, withoutInvisibleMarks, type TextLimit } from './typed-text';

/** The longest report text accepted, in characters. */
export const REPORT_MAX_CHARS = 20_000;

/** The kinds of file a submission may attach (by extension), with the content type each is stored as. */
export const ATTACHMENT_TYPES: Readonly<Record<string, string>> = {
  '.pdf': 'application/pdf',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.txt': 'text/plain; charset=utf-8',
};
export const ATTACHMENT_EXTENSIONS: readonly string[] = Object.keys(ATTACHMENT_TYPES);

/** The deployment's limits on files (PORTAL_MAX_FILES, PORTAL_MAX_UPLOAD_BYTES), where the bytes are known. */
export interface AttachmentLimits {
  maxFiles: number;
  maxFileBytes: number;
}

/** The extension of a file name, lower case with its dot ('' when it has none). */
export function extensionOf(filename: string): string {
  const m = /\.[A-Za-z0-9]{1,8}$/.exec(filename);
  return m ? m[0].toLowerCase() : '';
}

/**
 * The longest file name kept, its extension included: 120 characters (code points), and 255 bytes
 * in UTF-8 — what most file systems take, so the coordinator's download saves under the same name.
 */
export const FILE_NAME_LIMIT = { chars: 120, bytes: 255 } as const satisfies TextLimit;

/**
 * The name an attachment is kept under, from the name its sender gave: the base name only, without
 * control characters, the characters Windows refuses (" < > | : * ?), bidi controls or zero-width
 * characters (typed-text.ts), composed (NFC: a name from a Mac spells é as one character); a name
 * over FILE_NAME_LIMIT keeps its start, cut between graphemes, and its extension.
 * The portal and the CLI both name files with it.
 */
export function attachmentFileName(given: string): string {
  const base = given.split(/[\\/]/).pop() ?? '';
  const clean = withoutInvisibleMarks(wellFormed(base).normalize('NFC'))
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029"<>|:*?]/g, '')
    .trim();
  const ext = extensionOf(clean);
  const stem = clean.slice(0, clean.length - ext.length).trim();
  if (!stem) return `附件${ext}`;
  const cut = cutGraphemes(stem, { chars: FILE_NAME_LIMIT.chars - ext.length, bytes: FILE_NAME_LIMIT.bytes - ext.length }).trimEnd();
  if (cut === stem) return clean;
  return `${cut || '附件'}${ext}`;
}

// --- refusals ----------------------------------------------------------------------------------

/** Every reason a submission is refused, by its stable code, with its parameters. */
export interface RefusalParams {
  'unknown-department': { department: string };
  'no-such-deadline': { department: string; departmentName: string; deadline: string };
  'campaign-ended': Record<string, never>;
  'no-such-occurrence': { deadline: string; occurrence: string; occurrences: string[] };
  'not-open-yet': { title: string; occurrence?: string; opens: string };
  'no-obligation': { occurrence: string; department: string };
  excused: { departmentName: string; title: string; occurrence: string; reason: string };
  'figures-invalid': { fieldErrors: FieldProblem[] };
  'decreases-unconfirmed': { fieldWarnings: FieldProblem[] };
  'figures-missing': { title: string; formTitle: string };
  'no-form': { title: string };
  'attachments-not-allowed': { title: string; instead: 'figures' | 'report' };
  'too-many-attachments': { count: number; max: number };
  'attachment-kind': { name: string; allowed: string[] };
  'attachment-too-large': { name: string; size?: number; max: number };
  'report-too-long': { length: number; max: number };
  'report-required': { title: string; attachmentsAllowed: boolean };
  'nothing-not-allowed': { title: string };
  'nothing-with-content': { title: string };
}
export type RefusalCode = keyof RefusalParams;
export type SubmissionRefusal = { [C in RefusalCode]: { code: C; params: RefusalParams[C] } }[RefusalCode];

export function refusal<C extends RefusalCode>(code: C, params: RefusalParams[C]): SubmissionRefusal {
  return { code, params } as SubmissionRefusal;
}

/** Bytes for people: 10 MiB, 64 KiB, 12 字节 / 12 bytes. */
export function formatBytes(n: number, language: Language = 'zh-CN'): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} KiB`;
  return language === 'en' ? `${n} bytes` : `${n} 字节`;
}

/**
 * A file's size beside the limit it broke, so that the first reads as more than the second:
 * "12.0 MiB" beside "10 MiB", but a file just over (10 MiB and 1 byte would read "10.0 MiB") in
 * bytes: "10,485,761 字节" beside "10 MiB（10,485,760 字节）".
 */
function sizeOverLimit(size: number, max: number, language: Language): [string, string] {
  const shown = formatBytes(size, language);
  const unit = size >= 1024 * 1024 ? 1024 * 1024 : size >= 1024 ? 1024 : 1;
  const rounded = unit === 1 ? size : Math.round((size / unit) * 10) * (unit / 10);
  if (rounded > max) return [shown, formatBytes(max, language)];
  const bytes = (n: number) => `${n.toLocaleString('en-US')}${language === 'en' ? ' bytes' : ' 字节'}`;
  if (max < 1024) return [bytes(size), bytes(max)];
  return [bytes(size), language === 'en' ? `${formatBytes(max, 'en')} (${bytes(max)})` : `${formatBytes(max, 'zh-CN')}（${bytes(max)}）`];
}

/** "2024-03-04T00:00:00+08:00" as the campaign's wall time (its offset is the campaign zone's). */
function wallTime(iso: string, language: Language): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(iso);
  if (!m) return iso;
  return language === 'en' ? iso : `${m[1]}年${Number(m[2])}月${Number(m[3])}日 ${m[4]}:${m[5]}`;
}

const issueOf = (key: string) => key.split('@')[1] ?? key;

const TEXTS: { [C in RefusalCode]: Record<Language, (p: RefusalParams[C]) => string> } = {
  'unknown-department': {
    'zh-CN': (p) => `本活动没有单位“${p.department}”`,
    en: (p) => `unknown department '${p.department}' in this campaign`,
  },
  'no-such-deadline': {
    'zh-CN': (p) => `${p.departmentName}（${p.department}）在本活动中没有报送事项“${p.deadline}”`,
    en: (p) => `department '${p.department}' (${p.departmentName}) has no deadline '${p.deadline}' in this campaign`,
  },
  'campaign-ended': {
    'zh-CN': () => '活动已结束，不再接受报送',
    en: () => 'the campaign period has ended; submissions are closed',
  },
  'no-such-occurrence': {
    'zh-CN': (p) => `报送事项“${p.deadline}”没有“${p.occurrence}”这一期（共有：${p.occurrences.join('、')}）`,
    en: (p) => `deadline '${p.deadline}' has no occurrence '${p.occurrence}' (it has ${p.occurrences.join(', ')})`,
  },
  'not-open-yet': {
    'zh-CN': (p) => `「${p.title}」${p.occurrence ? `（${issueOf(p.occurrence)}）` : ''}尚未开始报送，${wallTime(p.opens, 'zh-CN')}起接受报送`,
    en: (p) => `'${p.title}'${p.occurrence ? ` (${p.occurrence})` : ''} is not open yet: submissions open at ${p.opens}`,
  },
  'no-obligation': {
    'zh-CN': (p) => `${p.department}没有${p.occurrence}这一期的报送任务`,
    en: (p) => `no obligation ${p.occurrence} for ${p.department}`,
  },
  excused: {
    'zh-CN': (p) => `${p.departmentName}已免报「${p.title}」（${issueOf(p.occurrence)}）：${p.reason}`,
    en: (p) => `${p.departmentName} was excused from '${p.title}' (${p.occurrence}): ${p.reason}`,
  },
  'figures-invalid': {
    'zh-CN': (p) => `统计表有 ${p.fieldErrors.length} 处需要修改：${p.fieldErrors.map((e) => e.message).join('；')}`,
    en: (p) => `the statistics table has ${p.fieldErrors.length} error(s): ${p.fieldErrors.map((e) => e.message).join('; ')}`,
  },
  'decreases-unconfirmed': {
    'zh-CN': (p) => `累计数比上次报送的小，请核实，确认无误后再提交：${p.fieldWarnings.map((e) => e.message).join('；')}`,
    en: (p) => `cumulative figures went down; confirm them to submit: ${p.fieldWarnings.map((e) => e.message).join('; ')}`,
  },
  'figures-missing': {
    'zh-CN': (p) => `请填写《${p.formTitle}》后再提交`,
    en: (p) => `'${p.title}' asks for the statistics table 《${p.formTitle}》; no figures were given`,
  },
  'no-form': {
    'zh-CN': (p) => `「${p.title}」没有统计表，请改为填写报送内容`,
    en: (p) => `'${p.title}' has no statistics table; send a report instead`,
  },
  'attachments-not-allowed': {
    'zh-CN': (p) => `「${p.title}」不接受附件，请去掉附件后提交${p.instead === 'figures' ? '统计表' : '报送内容'}`,
    en: (p) => `'${p.title}' takes no attachments (its plan says submit.attachments: false); send ${p.instead === 'figures' ? 'the figures' : 'the report'} without files`,
  },
  'too-many-attachments': {
    'zh-CN': (p) => `附件过多：每次最多 ${p.max} 个文件`,
    en: (p) => `too many attachments (${p.count}): at most ${p.max} files per submission`,
  },
  'attachment-kind': {
    'zh-CN': (p) => `文件“${p.name}”的类型不允许上传；仅接受 ${p.allowed.join(' ')} 文件`,
    en: (p) => `file '${p.name}' is not a kind that can be attached; accepted: ${p.allowed.join(' ')}`,
  },
  'attachment-too-large': {
    'zh-CN': (p) => {
      if (p.size === undefined) return `文件“${p.name}”过大，单个文件不得超过 ${formatBytes(p.max, 'zh-CN')}`;
      const [size, max] = sizeOverLimit(p.size, p.max, 'zh-CN');
      return `文件“${p.name}”过大（${size}），超过单个文件 ${max}${max.endsWith('）') ? '' : ' '}的上限`;
    },
    en: (p) => {
      if (p.size === undefined) return `file '${p.name}' is too large: at most ${formatBytes(p.max, 'en')} per file`;
      const [size, max] = sizeOverLimit(p.size, p.max, 'en');
      return `file '${p.name}' is too large (${size}): at most ${max} per file`;
    },
  },
  'report-too-long': {
    'zh-CN': (p) => `报送内容不超过${p.max}字（本次${p.length}字）`,
    en: (p) => `the report is ${p.length} characters long; at most ${p.max} are accepted`,
  },
  'report-required': {
    'zh-CN': (p) => `「${p.title}」需要报送内容：请填写报送内容${p.attachmentsAllowed ? '或上传附件' : ''}`,
    en: (p) => `'${p.title}' asks for a report: give its text${p.attachmentsAllowed ? ' or attach a file' : ''}`,
  },
  'nothing-not-allowed': {
    'zh-CN': (p) => `「${p.title}」没有统计表，不能提交零报告，请填写报送内容`,
    en: (p) => `'${p.title}' has no statistics table, so 'nothing to report' (零报告) does not apply; send a report instead`,
  },
  'nothing-with-content': {
    'zh-CN': (p) => `零报告表示「${p.title}」本期无相关数据，不能同时填写数字、报送内容或附件；如有数据，请按正常方式提交`,
    en: (p) => `a 'nothing to report' (零报告) submission for '${p.title}' carries no figures, report or attachments; to report figures, submit them normally`,
  },
};

/**
 * The reason for a refusal, in `language` — the one function that words them. A form's field
 * problems keep the messages form-data.ts wrote in the plan's language.
 */
export function describeRefusal(r: SubmissionRefusal, language: Language): string {
  return (TEXTS[r.code][language] as (p: unknown) => string)(r.params);
}

export const fieldErrorsOf = (r: SubmissionRefusal): FieldProblem[] => (r.code === 'figures-invalid' ? r.params.fieldErrors : []);
export const fieldWarningsOf = (r: SubmissionRefusal): FieldProblem[] => (r.code === 'decreases-unconfirmed' ? r.params.fieldWarnings : []);

// --- the rules ---------------------------------------------------------------------------------

export type SubmissionVerdict =
  | { ok: true; key: string; values?: FormValues; duplicateOf?: string; nothing?: true }
  | { ok: false; refusal: SubmissionRefusal };

type Located =
  | { ok: true; key: string; duplicateOf: string }
  | { ok: true; key: string; duplicateOf?: undefined; deadline: CompiledDeadline; occurrence: CompiledOccurrence }
  | { ok: false; refusal: SubmissionRefusal };

/** The obligation a submission is for, if the department may submit for it now. */
function locate(plan: CompiledPlan, state: ShardState, input: SubmissionInput, nowMs: number): Located {
  const seen = state.submissionIds[input.submissionId];
  if (seen) return { ok: true, key: seen, duplicateOf: seen };
  const dept = plan.departments.find((d) => d.id === input.department);
  if (!dept) return { ok: false, refusal: refusal('unknown-department', { department: input.department }) };
  const deadline = plan.deadlines.find((d) => d.id === input.deadline);
  if (!deadline || !deadline.departments.includes(dept.id)) {
    return { ok: false, refusal: refusal('no-such-deadline', { department: dept.id, departmentName: dept.name, deadline: input.deadline }) };
  }
  if (nowMs > Date.parse(plan.campaign.periodEnd)) return { ok: false, refusal: refusal('campaign-ended', {}) };
  let occ: CompiledOccurrence | undefined;
  if (input.occurrence) {
    occ = deadline.occurrences.find((o) => o.key === input.occurrence);
    if (!occ) return { ok: false, refusal: refusal('no-such-occurrence', { deadline: deadline.id, occurrence: input.occurrence, occurrences: deadline.occurrences.map((o) => o.key) }) };
    if (Date.parse(occ.opens) > nowMs) return { ok: false, refusal: refusal('not-open-yet', { title: deadline.title, occurrence: occ.key, opens: occ.opens }) };
  } else {
    occ = resolveOccurrence(plan, state, deadline, dept.id, nowMs);
    if (!occ) return { ok: false, refusal: refusal('not-open-yet', { title: deadline.title, opens: deadline.occurrences[0]?.opens ?? '' }) };
  }
  const key = obligationKey(occ.key, dept.id);
  const rec = state.obligations[key];
  if (!rec) return { ok: false, refusal: refusal('no-obligation', { occurrence: occ.key, department: dept.id }) };
  if (rec.status === 'excused') {
    return { ok: false, refusal: refusal('excused', { departmentName: dept.name, title: deadline.title, occurrence: occ.key, reason: rec.excused?.reason ?? '' }) };
  }
  return { ok: true, key, deadline, occurrence: occ };
}

/** The department's latest accepted values for the same deadline up to this occurrence (for cumulative checks). */
function previousValues(state: ShardState, deadline: CompiledDeadline, occ: CompiledOccurrence, department: string): FormValues | undefined {
  const i = deadline.occurrences.findIndex((o) => o.key === occ.key);
  for (let j = i; j >= 0; j--) {
    const v = state.obligations[obligationKey(deadline.occurrences[j]!.key, department)]?.versions.at(-1)?.values;
    if (v) return v;
  }
  return undefined;
}

/**
 * The attachments' number, kinds and sizes: the file names and sizes are all it needs, so the
 * portal and the CLI ask before storing a byte. Number and size only when `limits` are given (they
 * are the deployment's, known where the files are read); kinds always.
 */
export function checkAttachments(files: ReadonlyArray<{ name: string; size?: number }>, limits?: AttachmentLimits): SubmissionRefusal | undefined {
  if (limits && files.length > limits.maxFiles) return refusal('too-many-attachments', { count: files.length, max: limits.maxFiles });
  for (const f of files) {
    if (!ATTACHMENT_EXTENSIONS.includes(extensionOf(f.name))) return refusal('attachment-kind', { name: f.name, allowed: [...ATTACHMENT_EXTENSIONS] });
    if (limits && f.size !== undefined && f.size > limits.maxFileBytes) return refusal('attachment-too-large', { name: f.name, size: f.size, max: limits.maxFileBytes });
  }
  return undefined;
}

/** The report's length, in characters (code points, as a person counts them). */
export function checkReportLength(report: string | undefined): SubmissionRefusal | undefined {
  if (report === undefined || report.length <= REPORT_MAX_CHARS) return undefined;
  const length = [...report].length;
  return length > REPORT_MAX_CHARS ? refusal('report-too-long', { length, max: REPORT_MAX_CHARS }) : undefined;
}

/**
 * Whether the submission is accepted now, and if so for which obligation (with its figures
 * normalised); otherwise the first reason it is not. The workflow's validator, the portal and the
 * CLI call this; `limits` are the deployment's file limits where the files are read.
 */
export function judgeSubmission(plan: CompiledPlan, state: ShardState, input: SubmissionInput, nowMs: number, limits?: AttachmentLimits): SubmissionVerdict {
  const found = locate(plan, state, input, nowMs);
  if (!found.ok || found.duplicateOf !== undefined) return found;
  const { deadline, occurrence: occ, key } = found;
  const language = plan.campaign.language;
  const files = input.attachments ?? [];
  const report = input.report ?? '';
  if (input.nothing) return judgeNothing(deadline, key, input);
  let values: FormValues | undefined;
  const form = deadline.submit.form ? plan.forms.find((f) => f.id === deadline.submit.form) : undefined;
  if (deadline.submit.form) {
    if (form && input.values !== undefined) {
      const check = checkFormValues(form, input.values, previousValues(state, deadline, occ, input.department), input.confirmDecreases ?? [], language);
      if (check.errors.length) return { ok: false, refusal: refusal('figures-invalid', { fieldErrors: check.errors }) };
      if (check.warnings.length) return { ok: false, refusal: refusal('decreases-unconfirmed', { fieldWarnings: check.warnings }) };
      values = check.values;
    }
  } else if (input.values !== undefined && Object.keys(input.values).length > 0) {
    return { ok: false, refusal: refusal('no-form', { title: deadline.title }) };
  }
  if (files.length && !deadline.submit.attachments) {
    return { ok: false, refusal: refusal('attachments-not-allowed', { title: deadline.title, instead: deadline.submit.form ? 'figures' : 'report' }) };
  }
  const problem = checkAttachments(files.map((f) => ({ name: f.name, size: f.size })), limits) ?? checkReportLength(input.report);
  if (problem) return { ok: false, refusal: problem };
  if (deadline.submit.report && !deadline.submit.form && !report.trim() && !files.length) {
    return { ok: false, refusal: refusal('report-required', { title: deadline.title, attachmentsAllowed: deadline.submit.attachments }) };
  }
  if (deadline.submit.form && !(values && isFilled(values))) {
    return { ok: false, refusal: refusal('figures-missing', { title: deadline.title, formTitle: form?.title ?? deadline.submit.form }) };
  }
  return { ok: true, key, values };
}

/**
 * A 零报告 (nothing to report this period): allowed where the deadline asks for a statistics table
 * (an office's tables are where "no activity this period" is an answer of its own); it carries no
 * figures, report text or attachments. Figures sent later are a new version, judged as usual.
 */
function judgeNothing(deadline: CompiledDeadline, key: string, input: SubmissionInput): SubmissionVerdict {
  if (!deadline.submit.form) return { ok: false, refusal: refusal('nothing-not-allowed', { title: deadline.title }) };
  const hasValues = input.values !== undefined && Object.values(input.values).some((v) => v !== null && v !== undefined && String(v).trim() !== '');
  if (hasValues || (input.report ?? '').trim() || (input.attachments ?? []).length) {
    return { ok: false, refusal: refusal('nothing-with-content', { title: deadline.title }) };
  }
  return { ok: true, key, nothing: true };
}

/** Why the department may not submit for this obligation now, if it may not (the content aside). */
export function obligationRefusal(plan: CompiledPlan, state: ShardState, input: SubmissionInput, nowMs: number): SubmissionRefusal | undefined {
  const found = locate(plan, state, input, nowMs);
  return found.ok ? undefined : found.refusal;
}

/**
 * What the submit update's handler runs, right after its validator judged the same submission in
 * the same activation: the obligation and the normalised figures. It refuses nothing the rules of
 * an older release accepted, so replaying a history recorded under them takes the same path
 * (only validators — whose rejections are not in history — apply rules added since), and records
 * the figures as that release did (valuesAsRecorded: a spelling the number rule now refuses).
 */
export function acceptSubmission(plan: CompiledPlan, state: ShardState, input: SubmissionInput, nowMs: number): SubmissionVerdict {
  const found = locate(plan, state, input, nowMs);
  if (!found.ok || found.duplicateOf !== undefined) return found;
  const form = found.deadline.submit.form ? plan.forms.find((f) => f.id === found.deadline.submit.form) : undefined;
  if (input.nothing) return { ok: true, key: found.key, nothing: true };
  const values = form && input.values !== undefined ? valuesAsRecorded(form, input.values) : undefined;
  return { ok: true, key: found.key, values };
}

/**
 * The verdict in the engine's own words (English), as the workflow's failure message carries it
 * for operators and logs; departments get describeRefusal in their plan's language.
 */
export function checkSubmission(
  plan: CompiledPlan,
  state: ShardState,
  input: SubmissionInput,
  nowMs: number,
): { ok: true; key: string; values?: FormValues; duplicateOf?: string } | { ok: false; reason: string; fieldErrors?: FieldProblem[]; fieldWarnings?: FieldProblem[] } {
  const verdict = judgeSubmission(plan, state, input, nowMs);
  if (verdict.ok) return verdict;
  const fieldErrors = fieldErrorsOf(verdict.refusal);
  const fieldWarnings = fieldWarningsOf(verdict.refusal);
  return { ok: false, reason: describeRefusal(verdict.refusal, 'en'), ...(fieldErrors.length ? { fieldErrors } : {}), ...(fieldWarnings.length ? { fieldWarnings } : {}) };
}

/**
 * A department's shard state as far as the rules need it, from its obligation records (as the
 * shard's obligations query returns them): the portal and the CLI judge a submission before
 * storing its files or sending it. A submission id already in a version is a repeat, as in the shard.
 */
export function stateOfRecords(records: readonly ObligationRecord[]): ShardState {
  const obligations: Record<string, ObligationRecord> = {};
  const submissionIds: Record<string, string> = {};
  for (const r of records) {
    const key = obligationKey(r.occurrence, r.department);
    obligations[key] = r;
    for (const v of r.versions) submissionIds[v.submissionId] = key;
  }
  return { obligations, processedUntilMs: 0, launched: [], paused: false, submissionIds };
}
