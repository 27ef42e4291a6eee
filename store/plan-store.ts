/**
 * Compiled plans, in the database's `plans` table. `campaign start` and `amend` save the compiled
 * plan; the workflows pass its reference to activities, which load it (cached) to render messages.
 *
 * A plan's reference is the one a blob of its JSON would have (`sha256:` of the JSON text): an
 * earlier version kept plans as blobs, so the references held by workflows started then stay valid,
 * and a plan not in the table is looked for among the blobs (imported by `campaign migrate-data`).
 */
import type { CompiledPlan } from '../deadlines/timeline';
import { BlobNotFoundError, blobRef, type BlobStore } from './blob-store';
import { type Database, nowMs } from './database/database';

export class PlanNotFoundError extends Error {
  constructor(ref: string) {
    super(`the compiled plan ${ref} is not in the store: do the CLI and every worker use the same database (CAMPAIGN_DATABASE_URL, or the same CAMPAIGN_DATA_DIR on one machine)?`);
    this.name = 'PlanNotFoundError';
  }
}

/** Plans kept in memory: a worker renders every message of a batch from the same few plans. */
const CACHED_PLANS = 100;

export class PlanStore {
  private readonly cache = new Map<string, CompiledPlan>();
  constructor(
    private readonly db: Database,
    private readonly blobs: BlobStore,
  ) {}

  async save(plan: CompiledPlan): Promise<string> {
    const json = JSON.stringify(plan);
    const ref = blobRef(json);
    await this.db.run(`INSERT INTO plans (ref, plan, created_at) VALUES ($1, $2, ${nowMs(this.db.dialect)}) ON CONFLICT (ref) DO NOTHING`, [ref, json]);
    this.remember(ref, plan);
    return ref;
  }

  async load(ref: string): Promise<CompiledPlan> {
    const hit = this.cache.get(ref);
    if (hit) return hit;
    const row = await this.db.get<{ plan: string }>(`SELECT plan FROM plans WHERE ref = $1`, [ref]);
    let json: string;
    if (row) json = row.plan;
    else {
      try {
        json = (await this.blobs.get(ref)).toString('utf8');
      } catch (err) {
        if (err instanceof BlobNotFoundError) throw new PlanNotFoundError(ref);
        throw err;
      }
    }
    const plan = JSON.parse(json) as CompiledPlan;
    this.remember(ref, plan);
    return plan;
  }

  private remember(ref: string, plan: CompiledPlan): void {
    if (this.cache.size >= CACHED_PLANS && !this.cache.has(ref)) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(ref, plan);
  }
}
