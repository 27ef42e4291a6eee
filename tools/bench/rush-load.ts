/**
 * The departments of the rush benchmark (tools/bench/rush.ts) at the portal, over plain HTTP on
 * loopback, as their browsers would be: each opens its link ahead of time (the page, its CSRF token
 * and the form's idempotency key; the template, downloaded and filled, for those who upload it),
 * then presses "submit" at its moment in the last minute before 18:00. A department whose answer is
 * not its receipt presses again as a person would, after the Retry-After the page gives (at most
 * three presses), with the same form — so the same key.
 *
 * Bounded: at most `maxInFlight` requests at once, each given up after `requestTimeoutMs`, the whole
 * rush after `stopAfterMs`; it stops by itself.
 */
import ExcelJS from 'exceljs';
import type { CompiledPlan } from '../../deadlines/timeline';
import { formsOf, outcomeOf, postForm, receiptOf, type Answer } from '../../test/support/portal-forms';
import { statsValues } from './generate-plan';

export interface Department {
  index: number;
  id: string;
  /** Its link: http://portal/d/<token>. */
  link: string;
  via: 'form' | 'xlsx';
  /** From its page: the form it will post (CSRF token, idempotency key). */
  csrf?: string;
  key?: string;
  /** The template it filled in, for `via: 'xlsx'`. */
  xlsx?: Buffer;
}

export interface Press {
  department: string;
  via: 'form' | 'xlsx';
  /** 1 for the first press, 2 and 3 for presses again. */
  attempt: number;
  /** When it was meant to be pressed and when it was sent, ms from the rush's start. */
  scheduledMs: number;
  sentMs: number;
  /** Send → answer read. */
  ms: number;
  status: number;
  outcome?: string;
  receiptId?: string;
  error?: string;
}

export interface RushRun {
  presses: Press[];
  /** Requests in flight at once, at most. */
  maxInFlight: number;
  /** The receipt each department ended with (undefined: none). */
  receipts: Map<string, string | undefined>;
  /** Rush start → last answer. */
  wallMs: number;
}

const OCCURRENCE_FIELDS = (plan: CompiledPlan) => {
  const deadline = plan.deadlines[0]!;
  return { deadline: deadline.id, occurrence: deadline.occurrences[0]!.key };
};

const display = (v: unknown) => (Array.isArray(v) ? v.join('、') : String(v));

/** Runs `tasks` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

/** Fills the data row of a downloaded template where its meta sheet says each column is. */
async function filledTemplate(template: ArrayBuffer, values: Record<string, unknown>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template);
  const meta = new Map<string, ExcelJS.CellValue[]>();
  wb.getWorksheet('meta')!.eachRow((row) => meta.set(String(row.getCell(1).value), (row.values as ExcelJS.CellValue[]).slice(2)));
  const sheet = wb.getWorksheet(String(meta.get('sheet')![0]))!;
  const row = Number(meta.get('dataRow')![0]);
  const first = Number(meta.get('firstColumn')![0]);
  (meta.get('columns') ?? []).forEach((id, i) => {
    const v = values[String(id)];
    if (v !== undefined) sheet.getCell(row, first + i).value = typeof v === 'number' ? v : display(v);
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Every department opens its page (and downloads and fills its template); the time each page took. */
export async function openPages(plan: CompiledPlan, departments: Department[], concurrency: number): Promise<{ ms: number[]; failures: string[] }> {
  const { deadline, occurrence } = OCCURRENCE_FIELDS(plan);
  const ms: number[] = [];
  const failures: string[] = [];
  await pool(departments, concurrency, async (d) => {
    try {
      const t0 = performance.now();
      const res = await fetch(d.link, { signal: AbortSignal.timeout(60_000) });
      const page = await res.text();
      ms.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`page: ${res.status} ${outcomeOf(page) ?? ''}`);
      const forms = formsOf(page, occurrence);
      const form = d.via === 'xlsx' ? forms.upload : forms.submit;
      if (!form) throw new Error('no upload form on the page');
      d.csrf = form.csrf;
      d.key = form.key;
      if (d.via === 'xlsx') {
        const t = await fetch(`${d.link}/template/${deadline}.xlsx?occurrence=${encodeURIComponent(occurrence)}`, { signal: AbortSignal.timeout(60_000) });
        if (t.status !== 200) throw new Error(`template: ${t.status}`);
        d.xlsx = await filledTemplate(await t.arrayBuffer(), statsValues(d.index, 0));
      }
    } catch (err) {
      failures.push(`${d.id}: ${(err as Error).message}`);
    }
  });
  return { ms, failures };
}

/** One press of "submit" (or "upload") from the department's open page. */
function press(plan: CompiledPlan, d: Department, portalOrigin: string, signal: AbortSignal): Promise<Answer> {
  const { deadline, occurrence } = OCCURRENCE_FIELDS(plan);
  const fields: Array<[string, string]> = [['csrf', d.csrf ?? ''], ['key', d.key ?? ''], ['deadline', deadline], ['occurrence', occurrence]];
  if (d.via === 'xlsx') {
    return postForm(`${d.link}/upload`, portalOrigin, fields, { field: 'xlsx', name: `${d.id}.xlsx`, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: d.xlsx ?? Buffer.alloc(0) }, signal);
  }
  for (const [k, v] of Object.entries(statsValues(d.index, 0))) fields.push([`v.${k}`, display(v)]);
  fields.push(['report', '']);
  return postForm(`${d.link}/submit`, portalOrigin, fields, undefined, signal);
}

/**
 * The rush: department i presses at `atMs[i]` ms from now, presses again (at most twice, after the
 * page's Retry-After, at most 10 s) when its answer is not a receipt. Resolves once every department
 * has its receipt or has given up, or after `stopAfterMs` (what is still on its way is then aborted).
 */
export async function runRush(
  plan: CompiledPlan,
  departments: Department[],
  atMs: number[],
  opts: { portalOrigin: string; maxInFlight: number; requestTimeoutMs: number; stopAfterMs: number; presses?: number },
): Promise<RushRun> {
  const presses: Press[] = [];
  const receipts = new Map<string, string | undefined>();
  const stop = new AbortController();
  const stopTimer = setTimeout(() => stop.abort(), opts.stopAfterMs);
  const t0 = performance.now();
  let inFlight = 0;
  let maxInFlight = 0;
  const waiting: Array<() => void> = [];
  const slot = async () => {
    while (inFlight >= opts.maxInFlight) await new Promise<void>((r) => waiting.push(r));
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
  };
  const release = () => {
    inFlight--;
    waiting.shift()?.();
  };
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
  let lastAnswer = 0;

  await Promise.all(
    departments.map(async (d, i) => {
      let scheduled = atMs[i]!;
      for (let attempt = 1; attempt <= (opts.presses ?? 3) && !stop.signal.aborted; attempt++) {
        await sleep(t0 + scheduled - performance.now());
        if (stop.signal.aborted) break;
        await slot();
        const sentMs = performance.now() - t0;
        let answer: Answer | undefined;
        let error: string | undefined;
        try {
          answer = await press(plan, d, opts.portalOrigin, AbortSignal.any([stop.signal, AbortSignal.timeout(opts.requestTimeoutMs)]));
        } catch (err) {
          error = (err as Error).name === 'TimeoutError' ? `no answer in ${opts.requestTimeoutMs / 1000} s` : (err as Error).message;
        } finally {
          release();
        }
        const endMs = performance.now() - t0;
        lastAnswer = Math.max(lastAnswer, endMs);
        const outcome = answer ? outcomeOf(answer.body) : undefined;
        const receipt = answer && answer.status === 200 ? receiptOf(answer.body) : undefined;
        presses.push({ department: d.id, via: d.via, attempt, scheduledMs: scheduled, sentMs, ms: endMs - sentMs, status: answer?.status ?? 0, outcome, receiptId: receipt?.id, error });
        if (receipt && (outcome === 'recorded' || outcome === 'already-received')) {
          receipts.set(d.id, receipt.id);
          return;
        }
        // A page drawn again after an answer that never came carries the same key: the next press is the same submission.
        const retryAfter = Number(answer?.retryAfter ?? 5);
        scheduled = endMs + Math.min(10, Number.isFinite(retryAfter) ? retryAfter : 5) * 1000;
      }
      receipts.set(d.id, undefined);
    }),
  );
  clearTimeout(stopTimer);
  return { presses, maxInFlight, receipts, wallMs: lastAnswer };
}

/**
 * When each department presses, ms from the rush's start: `spread` of them one after another over
 * the first `burstAtMs`, the rest all at `burstAtMs` (the last ten seconds' panic). Which ones press
 * in the burst is mixed across the shards by a fixed shuffle.
 */
export function rushSchedule(count: number, burst: number, burstAtMs: number): { order: number[]; atMs: number[] } {
  const order = Array.from({ length: count }, (_, i) => i);
  let x = 0x9e3779b9;
  for (let i = order.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const spread = count - burst;
  const atMs = order.map((_, k) => (k < spread ? Math.floor((k * burstAtMs) / Math.max(1, spread)) : burstAtMs));
  return { order, atMs };
}
