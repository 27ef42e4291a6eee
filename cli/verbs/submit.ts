import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
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

const TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.csv': 'text/csv',
  '.txt': 'text/plain',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.zip': 'application/zip',
  '.wps': 'application/vnd.ms-works',
  '.ofd': 'application/ofd',
};

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
    .option('--json', 'print the receipt as JSON')
    .action(async (id: string, opts: SubmitOpts) => {
      const form = opts.file !== undefined ? readFormFile(opts.file) : {};
      const report = opts.report ?? form.report;
      const values = form.values;
      const files = (opts.attach ?? []).map((path) => {
        try {
          return { path, bytes: readFileSync(path) };
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          throw new UserError(`cannot read attachment ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'this is a directory' : (err as Error).message}`);
        }
      });
      if (values === undefined && report === undefined && files.length === 0) {
        throw new UserError('nothing to submit: give the figures (--file), a report (--report) and/or attachments (--attach)');
      }

      const { withCampaigns, runningPlan, zoneOf, languageOf, assertRunning } = await import('../context');
      const { campaignTime } = await import('../../reports/audit-history');
      const { obligationKey, resolveOccurrence } = await import('../../obligations/obligations');
      const { obligationsQuery } = await import('../../workflows/department-shard.messages');
      await withCampaigns(opts, async (ctx) => {
        const workflowId = ctx.campaigns.workflowIdOf(id);
        const info = await ctx.campaigns.info(id);
        assertRunning(info, 'submissions');
        const plan = await runningPlan(ctx, info);
        // Attachments go to the blob store first: the workflow only ever holds their references.
        const attachments: Array<{ ref: string; name: string; size: number; type: string }> = [];
        for (const f of files) {
          const ref = await ctx.blobs.put(f.bytes);
          attachments.push({ ref, name: basename(f.path), size: f.bytes.length, type: TYPES[extname(f.path).toLowerCase()] ?? 'application/octet-stream' });
        }
        // Pin the occurrence now (the one the workflow would pick), so that the default
        // submission id of a re-run names the same obligation.
        let occurrence = opts.occurrence;
        const deadline = plan?.deadlines.find((d) => d.id === opts.deadline);
        if (!occurrence && deadline && deadline.departments.includes(opts.department)) {
          const shard = await ctx.campaigns.shardOf(id, opts.department);
          const views = await ctx.temporal.workflow.getHandle(shard).query(obligationsQuery, { department: opts.department });
          const state = { obligations: Object.fromEntries(views.map((v) => [obligationKey(v.occurrence, v.department), v])), processedUntilMs: 0, launched: [], paused: false, submissionIds: {} };
          occurrence = resolveOccurrence(plan!, state, deadline, opts.department, Date.parse(info.campaignNow))?.key;
        }
        const confirmDecreases = opts.confirmDecrease?.length ? opts.confirmDecrease : undefined;
        const submissionId =
          opts.submissionId ??
          defaultSubmissionId({
            workflowId,
            department: opts.department,
            deadline: opts.deadline,
            occurrence,
            content: { values: values ?? null, report: report ?? null, attachments: attachments.map((a) => [a.ref, a.name]), confirmDecreases: [...(confirmDecreases ?? [])].sort() },
          });
        const receipt = await ctx.campaigns.submit(id, {
          submissionId,
          department: opts.department,
          deadline: opts.deadline,
          occurrence,
          values,
          report,
          attachments: attachments.length ? attachments : undefined,
          confirmDecreases,
          by: ctx.by,
        });
        const zone = zoneOf(info, plan);
        const dept = plan?.departments.find((d) => d.id === receipt.department)?.name;
        const title = plan?.deadlines.find((d) => d.id === receipt.deadline)?.title;
        ctx.out.result(receipt, () => [
          `${receipt.duplicate ? 'already received' : 'received'}: ${dept ? `${dept} (${receipt.department})` : receipt.department} — ${title ? `${title} (${receipt.occurrence})` : receipt.occurrence}`,
          `  version ${receipt.version}, ${receipt.late ? 'LATE' : 'on time'}, received ${campaignTime(receipt.receivedAt, zone, languageOf(plan))} (campaign time)`,
          ...(attachments.length ? [`  attachments: ${attachments.map((a) => `${a.name} (${a.size} bytes)`).join(', ')}`] : []),
          `  submission id ${receipt.submissionId}`,
          ...(receipt.duplicate ? ['  (this submission had been received before; nothing changed)'] : []),
        ]);
      });
    });
}
