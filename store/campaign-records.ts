/**
 * The record a finished campaign run leaves in the database, so that its archive (归档) can still
 * be built after Temporal's retention has removed the workflow histories: where the plan, the
 * summaries and every shard's final state are (blob and plan references), the campaign clock, and
 * the audit history as it was read from Temporal when the final summary went out (a blob).
 *
 * Written by the final summary's activity (reports/archive/record.ts) — or, for a campaign that
 * finished before records were kept, by `campaign archive` from the histories while Temporal still
 * has them. One row per campaign run (the delivery ledger's run, `<workflow id>@<first run id>`):
 * a campaign started again under the same id is another run with its own record.
 */
import type { CampaignClock } from '../obligations/clock';
import type { Database } from './database/database';

export interface CampaignRecord {
  /** The campaign run, as in the delivery ledger: `<workflow id>@<first run id>`. */
  run: string;
  campaignId: string;
  workflowId: string;
  title: string;
  /** The plan the campaign ended with. */
  planRef: string;
  /** Every plan it ran, oldest first: the one it started with, then each amendment's. */
  planRefs: string[];
  clock?: CampaignClock;
  summary: { json: string; csv: string; xlsx?: string };
  /** Blobs of every obligation's final state (ObligationView[] as JSON), one per shard. */
  shardOutcomes: string[];
  /** Blob of the audit history (reports/archive/record.ts: AuditCapture as JSON). */
  auditRef?: string;
  /** Why the audit history could not be read, when it could not. */
  auditProblem?: string;
  /** Campaign time the final summary was written (ISO). */
  finishedAt: string;
  recordedAt: string;
  /** Who wrote it: the final summary's activity, or `campaign archive` from the Temporal histories. */
  source: 'final-summary' | 'temporal';
}

interface Row {
  run: string;
  campaign_id: string;
  workflow_id: string;
  title: string;
  plan_ref: string;
  plan_refs: string;
  clock: string | null;
  summary_json: string;
  summary_csv: string;
  summary_xlsx: string | null;
  shard_outcomes: string;
  audit_ref: string | null;
  audit_problem: string | null;
  finished_at: string;
  recorded_at: number;
  source: CampaignRecord['source'];
}

const COLUMNS = `run, campaign_id, workflow_id, title, plan_ref, plan_refs, clock, summary_json, summary_csv, summary_xlsx,
  shard_outcomes, audit_ref, audit_problem, finished_at, recorded_at, source`;

const toRecord = (r: Row): CampaignRecord => ({
  run: r.run,
  campaignId: r.campaign_id,
  workflowId: r.workflow_id,
  title: r.title,
  planRef: r.plan_ref,
  planRefs: JSON.parse(r.plan_refs) as string[],
  ...(r.clock ? { clock: JSON.parse(r.clock) as CampaignClock } : {}),
  summary: { json: r.summary_json, csv: r.summary_csv, ...(r.summary_xlsx ? { xlsx: r.summary_xlsx } : {}) },
  shardOutcomes: JSON.parse(r.shard_outcomes) as string[],
  ...(r.audit_ref ? { auditRef: r.audit_ref } : {}),
  ...(r.audit_problem ? { auditProblem: r.audit_problem } : {}),
  finishedAt: r.finished_at,
  recordedAt: new Date(Number(r.recorded_at)).toISOString(),
  source: r.source,
});

export class CampaignRecords {
  constructor(private readonly db: Database) {}

  /** Saves the record of a run; a second save of the same run (a retried activity) replaces it. */
  async save(record: Omit<CampaignRecord, 'recordedAt'>): Promise<void> {
    const values = [
      record.run,
      record.campaignId,
      record.workflowId,
      record.title,
      record.planRef,
      JSON.stringify(record.planRefs),
      record.clock ? JSON.stringify(record.clock) : null,
      record.summary.json,
      record.summary.csv,
      record.summary.xlsx ?? null,
      JSON.stringify(record.shardOutcomes),
      record.auditRef ?? null,
      record.auditProblem ?? null,
      record.finishedAt,
      Date.now(),
      record.source,
    ];
    const updates = COLUMNS.split(',')
      .map((c) => c.trim())
      .filter((c) => c !== 'run')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    await this.db.run(`INSERT INTO campaign_records (${COLUMNS}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (run) DO UPDATE SET ${updates}`, values);
  }

  async get(run: string): Promise<CampaignRecord | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM campaign_records WHERE run = $1`, [run]);
    return row && toRecord(row);
  }

  /**
   * The latest finished run of a campaign, by campaign id (`demo`) or workflow id (`campaign/demo`),
   * or undefined when none is recorded.
   */
  async latest(id: string): Promise<CampaignRecord | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM campaign_records WHERE campaign_id = $1 OR workflow_id = $1 ORDER BY finished_at DESC, recorded_at DESC LIMIT 1`, [id]);
    return row && toRecord(row);
  }

  /** Every recorded run of a campaign, latest first. */
  async runs(id: string): Promise<CampaignRecord[]> {
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM campaign_records WHERE campaign_id = $1 OR workflow_id = $1 ORDER BY finished_at DESC, recorded_at DESC`, [id]);
    return rows.map(toRecord);
  }
}
