/**
 * Compiled plans in the blob store. `campaign start` and `amend` save the compiled plan; the
 * workflows pass its reference to activities, which load it (cached) to render messages.
 */
import type { CompiledPlan } from '../deadlines/timeline';
import { BlobNotFoundError, type BlobStore } from './blob-store';

export class PlanNotFoundError extends Error {
  constructor(ref: string) {
    super(`the compiled plan ${ref} is not in the store: is CAMPAIGN_DATA_DIR the same folder for the CLI and every worker?`);
    this.name = 'PlanNotFoundError';
  }
}

export class PlanStore {
  private readonly cache = new Map<string, CompiledPlan>();
  constructor(private readonly blobs: BlobStore) {}

  async save(plan: CompiledPlan): Promise<string> {
    const ref = await this.blobs.put(JSON.stringify(plan));
    this.cache.set(ref, plan);
    return ref;
  }

  async load(ref: string): Promise<CompiledPlan> {
    const hit = this.cache.get(ref);
    if (hit) return hit;
    try {
      const plan = JSON.parse((await this.blobs.get(ref)).toString('utf8')) as CompiledPlan;
      if (this.cache.size > 100) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(ref, plan);
      return plan;
    } catch (err) {
      if (err instanceof BlobNotFoundError) throw new PlanNotFoundError(ref);
      throw err;
    }
  }
}
