/**
 * `campaign submit`: a department's submission from the coordinator's side. The submission rules
 * (obligations/submission-rules.ts) judge it here before any file is stored — the same rules, limits
 * (PORTAL_MAX_FILES, PORTAL_MAX_UPLOAD_BYTES) and reasons as the portal and the workflow, worded in
 * the plan's language — and the workflow judges it again when it arrives. `--nothing` submits a
 * 零报告 (nothing to report this period) — no figures, report or attachments.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { terminalValues } from '../terminal-text';
import { UserError } from '../errors';

interface SubmitOpts {
  department: string;
  deadline: string;
  occurrence?: string;
  file?: string;
  report?: string;
  attach?: string[];
  submissionId?: string;
  confirmDecrease?: string[];
  nothing?: boolean;
  json?: boolean;
}

export interface FormFile {
  values?: Record<string, unknown>;
  report?: string;
}

/**
 * Form data from a YAML or JSON file: `{ values: {...}, report?: "..." }`, or just the map of
 * column id -> value.
 */
export function readFormFile(file: string): FormFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UserError(`${file} is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new UserError(`${file} must hold a map of column id -> value, or { values: {...}, report: "..." }`);
  const obj = data as Record<string, unknown>;
  const keys = Object.keys(obj);
  const wrapped = 'values' in obj && obj.values !== null && typeof obj.values === 'object' && !Array.isArray(obj.values) && keys.every((k) => k === 'values' || k === 'report');
  if (wrapped || (keys.length > 0 && keys.every((k) => k === 'report'))) {
    if (obj.report !== undefined && typeof obj.report !== 'string') throw new UserError(`${file}: 'report' must be text`);
    return { values: obj.values as Record<string, unknown> | undefined, report: obj.report as string | undefined };
  }
  return { values: obj };
}

/** JSON with object keys sorted, so equal content hashes equally whatever the key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * The default submission id: a hash of what identifies this submission (campaign, department,
 * deadline, occurrence) and of its content, so running the same command twice submits once.
 */
export function defaultSubmissionId(parts: { workflowId: string; department: string; deadline: string; occurrence?: string; content: unknown }): string {
  const hash = createHash('sha256').update(canonical([parts.workflowId, parts.department, parts.deadline, parts.occurrence ?? '', parts.content])).digest('hex');
  return `cli-${hash.slice(0, 32)}`;
}

/** `campaign submit <id> --department D --deadline X [...]`: a department's submission, from the coordinator's side. */
export function register(program: Command): void {
  program
    .command('submit')
    .description("submit for a department: the figures of a statistics form (--file), a report (--report) and/or attachments (--attach); prints the receipt")
    .argument('<id>', 'campaign id (e.g. demo) or workflow id (campaign/demo)')
    .requiredOption('--department <id>', 'the department submitting, e.g. east')
    .requiredOption('--deadline <id>', 'the deadline, e.g. weekly-stats')
    .option('--occurrence <key>', 'the occurrence, e.g. weekly-stats@2024-03-13 (default: the one open now, else the latest one due)')
    .option('--file <file>', 'form data, YAML or JSON: { values: { column: value, ... }, report: "..." } or just the values')
    .option('--report <text>', 'the report text (overrides a report in --file)')
    .option('--attach <files...>', 'files to attach (stored before the submission is sent)')
    .option('--submission-id <id>', 'idempotency key (default: a hash of campaign, department, deadline, occurrence and content)')
    .option('--confirm-decrease <columns...>', 'cumulative columns whose figure went down on purpose')
    .option('--nothing', '零报告: nothing to report this period (no figures, report or attachments)')
    .option('--json', 'print the receipt as JSON')
    .action(async (id: string, opts: SubmitOpts) => {
      const form = opts.file !== undefined ? readFormFile(opts.file) : {};
      const report = opts.report ?? form.report;
      const values = form.values;
      // Attachment names as the rules keep them (no controls or invisible marks, cut between graphemes).
      const { attachmentFileName } = await import('../../obligations/submission-rules');
      const files = (opts.attach ?? []).map((path) => {
        try {
          const stat = statSync(path);
          if (stat.isDirectory()) throw Object.assign(new Error('a directory'), { code: 'EISDIR' });
          return { path, name: attachmentFileName(basename(path)), size: stat.size };
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          throw new UserError(`cannot read attachment ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'this is a directory' : (err as Error).message}`);
        }
      });
      if (!opts.nothing && values === undefined && report === undefined && files.length === 0) {
        throw new UserError('nothing to submit: give the figures (--file), a report (--report) and/or attachments (--attach), or --nothing for a 零报告');
      }

      const { withCampaigns, runningPlan, zoneOf, languageOf, assertRunning, userErrorOf } = await import('../context');
      const { campaignTime } = await import('../../reports/audit-history');
      const { obligationKey, resolveOccurrence } = await import('../../obligations/obligations');
      const rules = await import('../../obligations/submission-rules');
      const { RequestRejectedError } = await import('../../client/campaign-client');
      const { obligationsQuery } = await import('../../workflows/department-shard.messages');
      await withCampaigns(opts, async (ctx) => {
        const workflowId = ctx.campaigns.workflowIdOf(id);
        const info = await ctx.campaigns.info(id);
        assertRunning(info, 'submissions');
        const plan = await runningPlan(ctx, info);
        const language = languageOf(plan);
        const nowMs = Date.parse(info.campaignNow);
        const limits = { maxFiles: ctx.env.PORTAL_MAX_FILES, maxFileBytes: ctx.env.PORTAL_MAX_UPLOAD_BYTES };
        /** A refusal as the department would read it (the rules' reason, its field problems, the hint to confirm). */
        const refused = (r: import('../../obligations/submission-rules').SubmissionRefusal) =>
          userErrorOf(new RequestRejectedError(rules.describeRefusal(r, language), rules.fieldErrorsOf(r), rules.fieldWarningsOf(r), r));
        // The attachments' number, kinds and sizes, before a byte is read.
        const fileProblem = rules.checkAttachments(files, limits);
        if (fileProblem) throw refused(fileProblem);

        const known = !!plan?.departments.some((d) => d.id === opts.department);
        const records = known ? await ctx.temporal.workflow.getHandle(await ctx.campaigns.shardOf(id, opts.department)).query(obligationsQuery, { department: opts.department }) : [];
        const state = rules.stateOfRecords(records);
        // Pin the occurrence now (the one the workflow would pick), so that the default
        // submission id of a re-run names the same obligation.
        let occurrence = opts.occurrence;
        const deadline = plan?.deadlines.find((d) => d.id === opts.deadline);
        if (!occurrence && deadline && deadline.departments.includes(opts.department)) occurrence = resolveOccurrence(plan!, state, deadline, opts.department, nowMs)?.key;

        // The files are staged in the store (streamed, hashed), and become blobs only once the rules accept the submission.
        const staged = [];
        try {
          for (const f of files) staged.push({ file: f, blob: await ctx.blobs.stage(createReadStream(f.path)) });
          const attachments = staged.map(({ file, blob }) => ({ ref: blob.ref, name: file.name, size: blob.size, type: rules.ATTACHMENT_TYPES[rules.extensionOf(file.name)] ?? 'application/octet-stream' }));
          const confirmDecreases = opts.confirmDecrease?.length ? opts.confirmDecrease : undefined;
          const submissionId =
            opts.submissionId ??
            defaultSubmissionId({
              workflowId,
              department: opts.department,
              deadline: opts.deadline,
              occurrence,
              content: { values: values ?? null, report: report ?? null, attachments: attachments.map((a) => [a.ref, a.name]), confirmDecreases: [...(confirmDecreases ?? [])].sort(), ...(opts.nothing ? { nothing: true } : {}) },
            });
          const input = { submissionId, department: opts.department, deadline: opts.deadline, occurrence, values, report, attachments: attachments.length ? attachments : undefined, confirmDecreases, ...(opts.nothing ? { nothing: true } : {}), by: ctx.by };
          if (plan) {
            const verdict = rules.judgeSubmission(plan, state, input, nowMs, limits);
            if (!verdict.ok) throw refused(verdict.refusal);
          }
          for (const s of staged) await s.blob.commit();
          const receipt = await ctx.campaigns.submit(id, input).catch((err: unknown) => {
            // The workflow's refusal, worded as the rules word it for this plan.
            throw err instanceof RequestRejectedError && err.refusal ? refused(err.refusal) : err;
          });
          const zone = zoneOf(info, plan);
          const dept = plan?.departments.find((d) => d.id === receipt.department)?.name;
          const title = plan?.deadlines.find((d) => d.id === receipt.deadline)?.title;
          ctx.out.result(receipt, () => {
            // Names, titles and file names are the users' text: shown escaped (cli/terminal-text.ts).
            const s = terminalValues({ dept, title, department: receipt.department, occurrence: receipt.occurrence, submissionId: receipt.submissionId, files: attachments.map((a) => a.name) });
            return [
              `${receipt.duplicate ? 'already received' : 'received'}: ${s.dept ? `${s.dept} (${s.department})` : s.department} — ${s.title ? `${s.title} (${s.occurrence})` : s.occurrence}`,
              `  version ${receipt.version}${opts.nothing ? ', 零报告 (nothing to report)' : ''}, ${receipt.late ? 'LATE' : 'on time'}, received ${campaignTime(receipt.receivedAt, zone, language)} (campaign time)`,
              ...(attachments.length ? [`  attachments: ${attachments.map((a, i) => `${s.files[i]} (${a.size} bytes)`).join(', ')}`] : []),
              `  submission id ${s.submissionId}`,
              ...(receipt.duplicate ? ['  (this submission had been received before; nothing changed)'] : []),
            ];
          });
        } finally {
          for (const s of staged) await s.blob.discard();
        }
      });
    });
}
