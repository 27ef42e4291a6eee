/**
 * What goes into a campaign's archive and under which names: the data read from the database for
 * one recorded campaign run (the plan, every obligation's final state from the shards' outcomes,
 * the delivery ledger's rows, the captured audit history), and the deterministic layout of the
 * submissions — `submissions/<occurrence>/<department>/v<n>/` with `submission.json`, `report.txt`
 * and `attachments/<name>` — in the plan's order (deadline, occurrence, department, version).
 *
 * Nothing here reads Temporal: an archive is built from the database alone.
 */
import type { CompiledPlan } from '../../deadlines/timeline';
import { attachmentFileName } from '../../obligations/submission-rules';
import type { SubmissionVersion } from '../../obligations/obligations';
import type { CampaignRecord } from '../../store/campaign-records';
import type { Stores } from '../../store/stores';
import type { ObligationView } from '../../workflows/department-shard.messages';
import { archivedDeliveries, type ArchivedDelivery } from './deliveries';
import type { AuditCapture } from './record';

export interface ArchiveData {
  record: CampaignRecord;
  /** The plan the campaign ended with. */
  plan: CompiledPlan;
  /** Every plan it ran, oldest first (more than one when it was amended). */
  planVersions: Array<{ ref: string; plan: CompiledPlan }>;
  /** Every obligation's final state, in the plan's order (those an amendment removed last). */
  obligations: ObligationView[];
  deliveries: ArchivedDelivery[];
  audit?: AuditCapture;
}

export type ArchiveStores = Pick<Stores, 'blobs' | 'plans' | 'ledger'>;

async function json<T>(stores: ArchiveStores, ref: string): Promise<T> {
  return JSON.parse((await stores.blobs.get(ref)).toString('utf8')) as T;
}

export async function loadArchiveData(stores: ArchiveStores, record: CampaignRecord): Promise<ArchiveData> {
  const plan = await stores.plans.load(record.planRef);
  const planVersions = [];
  for (const ref of record.planRefs) planVersions.push({ ref, plan: await stores.plans.load(ref) });
  const outcomes = (await Promise.all(record.shardOutcomes.map((ref) => json<ObligationView[]>(stores, ref)))).flat();
  const deliveries = archivedDeliveries(await stores.ledger.scoped(record.run).list(record.campaignId), record.clock, plan.campaign.timezone);
  const audit = record.auditRef ? await json<AuditCapture>(stores, record.auditRef) : undefined;
  return { record, plan, planVersions, obligations: inPlanOrder(plan, outcomes), deliveries, audit };
}

function inPlanOrder(plan: CompiledPlan, obligations: readonly ObligationView[]): ObligationView[] {
  const rank = new Map<string, number>();
  for (const d of plan.deadlines) for (const occ of d.occurrences) for (const dept of d.departments) rank.set(`${occ.key}|${dept}`, rank.size);
  const key = (o: ObligationView) => `${o.occurrence}|${o.department}`;
  // A shard that continued as new or an amendment never makes two records of one obligation; keep the first if it did.
  const unique = [...new Map(obligations.map((o) => [key(o), o])).values()];
  return unique.sort((a, b) => (rank.get(key(a)) ?? Infinity) - (rank.get(key(b)) ?? Infinity) || key(a).localeCompare(key(b)));
}

// --- the submissions' files --------------------------------------------------------------------

export interface VersionFiles {
  version: SubmissionVersion;
  dir: string;
  /** submission.json: who, when, the figures, the report, the attachments' names and references. */
  record: string;
  report?: string;
  attachments: Array<{ path: string; ref: string; name: string; size: number; type: string }>;
}

export interface ObligationFiles {
  obligation: ObligationView;
  versions: VersionFiles[];
}

/** A path segment from a name in the plan or a file's name: nothing that would climb out or fail to unpack. */
export function pathSegment(name: string): string {
  const clean = name
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_')
    .trim();
  return !clean || /^\.+$/.test(clean) ? '_' : clean;
}

export function submissionFiles(data: ArchiveData): ObligationFiles[] {
  return data.obligations.map((o) => ({
    obligation: o,
    versions: o.versions.map((v) => {
      const dir = `submissions/${pathSegment(o.occurrence)}/${pathSegment(o.department)}/v${v.version}`;
      const taken = new Set<string>();
      const attachments = (v.attachments ?? []).map((a, i) => {
        const given = attachmentFileName(a.name);
        const base = pathSegment(given.startsWith('.') ? `附件${given}` : given);
        let name = base;
        for (let n = i + 1; taken.has(name); n++) name = `${n}-${base}`;
        taken.add(name);
        return { path: `${dir}/attachments/${name}`, ref: a.ref, name: a.name, size: a.size, type: a.type };
      });
      return { version: v, dir, record: `${dir}/submission.json`, ...(v.report ? { report: `${dir}/report.txt` } : {}), attachments };
    }),
  }));
}

/** submission.json of one version: the obligation it answers and everything the department sent. */
export function submissionRecord(plan: CompiledPlan, o: ObligationView, files: VersionFiles): string {
  const deadline = plan.deadlines.find((d) => d.id === o.deadline);
  const v = files.version;
  return `${JSON.stringify(
    {
      deadline: o.deadline,
      deadlineTitle: deadline?.title,
      occurrence: o.occurrence,
      due: o.extendedTo ?? o.due,
      department: o.department,
      departmentName: plan.departments.find((d) => d.id === o.department)?.name,
      version: v.version,
      submissionId: v.submissionId,
      receivedAt: v.receivedAt,
      by: v.by,
      late: v.late,
      ...(v.values ? { values: v.values } : {}),
      ...(v.report !== undefined ? { report: v.report } : {}),
      attachments: files.attachments.map((a) => ({ name: a.name, size: a.size, type: a.type, ref: a.ref, file: a.path.slice(files.dir.length + 1) })),
    },
    null,
    2,
  )}\n`;
}

/** The notice's own words for each deadline, as the plan quotes them; undefined when it quotes none. */
export function noticeQuotes(plan: CompiledPlan): string | undefined {
  const quoted = plan.deadlines.filter((d) => d.quote);
  if (!quoted.length) return undefined;
  return `${plan.campaign.title}：通知原文摘录（计划中引用的原文）\n\n${quoted.map((d) => `【${d.title}】\n${d.quote}\n`).join('\n')}`;
}
