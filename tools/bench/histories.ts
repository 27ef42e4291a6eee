/**
 * What Temporal holds after a rehearsed campaign, read from the histories of every run of the
 * campaign workflow and its shards (a shard may continue as new): events and encoded bytes, the
 * largest event, the exact peaks of pending activities and children, and the Temporal actions the
 * engine took against the minimum; also the size of one shard's obligations query.
 */
import type { Client } from '@temporalio/client';
import { obligationsQuery, type ObligationView } from '../../workflows/department-shard.messages';

/** Temporal's limits the scale test holds the engine to. */
export const HISTORY_EVENT_LIMIT = 10_240;
export const PENDING_LIMIT = 500;

export interface RunStats {
  workflowId: string;
  runId: string;
  events: number;
  /** Encoded size of the whole history. */
  bytes: number;
  /** Largest single event (encoded), e.g. a continue-as-new input. */
  largestEventBytes: number;
  largestEventType: string;
  /** Exact peaks from the history: activities scheduled and not yet closed, children initiated and not yet closed. */
  maxPendingActivities: number;
  maxPendingChildren: number;
  actions: { timers: number; activities: number; updates: number; children: number; signals: number; continueAsNew: number };
}

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/** Encoded (protobuf) size of a history or event: the generated message classes carry their encoder. */
function encodedSize(message: object): number {
  const type = message.constructor as unknown as { encode?: (m: object) => { finish(): Uint8Array } };
  return type.encode ? type.encode(message).finish().length : Buffer.byteLength(JSON.stringify(message));
}

/** `activityTaskScheduledEventAttributes` -> `ActivityTaskScheduled`. */
function eventTypeName(e: HistoryEvent): string {
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]);
  return key ? key.replace(/EventAttributes$/, '').replace(/^./, (c) => c.toUpperCase()) : String(e.eventType);
}

function runStats(workflowId: string, runId: string, history: History): RunStats {
  const events = history.events ?? [];
  let activities = 0;
  let children = 0;
  const s: RunStats = {
    workflowId,
    runId,
    events: events.length,
    bytes: encodedSize(history),
    largestEventBytes: 0,
    largestEventType: '',
    maxPendingActivities: 0,
    maxPendingChildren: 0,
    actions: { timers: 0, activities: 0, updates: 0, children: 0, signals: 0, continueAsNew: 0 },
  };
  for (const e of events) {
    const size = encodedSize(e);
    if (size > s.largestEventBytes) {
      s.largestEventBytes = size;
      s.largestEventType = eventTypeName(e);
    }
    if (e.timerStartedEventAttributes) s.actions.timers++;
    if (e.activityTaskScheduledEventAttributes) {
      s.actions.activities++;
      activities++;
    }
    if (e.activityTaskCompletedEventAttributes || e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes || e.activityTaskCanceledEventAttributes) activities--;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) s.actions.updates++;
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      s.actions.children++;
      children++;
    }
    if (
      e.startChildWorkflowExecutionFailedEventAttributes ||
      e.childWorkflowExecutionCompletedEventAttributes ||
      e.childWorkflowExecutionFailedEventAttributes ||
      e.childWorkflowExecutionCanceledEventAttributes ||
      e.childWorkflowExecutionTerminatedEventAttributes ||
      e.childWorkflowExecutionTimedOutEventAttributes
    ) {
      children--;
    }
    if (e.workflowExecutionSignaledEventAttributes || e.signalExternalWorkflowExecutionInitiatedEventAttributes) s.actions.signals++;
    if (e.workflowExecutionContinuedAsNewEventAttributes) s.actions.continueAsNew++;
    s.maxPendingActivities = Math.max(s.maxPendingActivities, activities);
    s.maxPendingChildren = Math.max(s.maxPendingChildren, children);
  }
  return s;
}

/** Every run of a workflow, newest first: follows the continue-as-new chain back to the first run. */
export async function workflowRuns(client: Client, workflowId: string): Promise<RunStats[]> {
  const out: RunStats[] = [];
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    out.push(runStats(workflowId, runId, history));
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return out;
}

export interface HistoryReport {
  runs: RunStats[];
  largest: RunStats;
  largestBytes: RunStats;
  largestEvent: RunStats;
  peakActivities: RunStats;
  peakChildren: RunStats;
  totals: RunStats['actions'] & { events: number; runs: number };
}

export async function campaignHistories(client: Client, workflowId: string, shardIds: readonly string[]): Promise<HistoryReport> {
  const runs: RunStats[] = [];
  for (const id of [workflowId, ...shardIds]) runs.push(...(await workflowRuns(client, id)));
  const max = (f: (r: RunStats) => number) => runs.reduce((a, b) => (f(b) > f(a) ? b : a));
  const totals = { timers: 0, activities: 0, updates: 0, children: 0, signals: 0, continueAsNew: 0, events: 0, runs: runs.length };
  for (const r of runs) {
    for (const k of Object.keys(r.actions) as Array<keyof RunStats['actions']>) totals[k] += r.actions[k];
    totals.events += r.events;
  }
  return {
    runs,
    largest: max((r) => r.events),
    largestBytes: max((r) => r.bytes),
    largestEvent: max((r) => r.largestEventBytes),
    peakActivities: max((r) => r.maxPendingActivities),
    peakChildren: max((r) => r.maxPendingChildren),
    totals,
  };
}

/** Size of one shard's answer to the obligations query: as the engine's activities ask (failed deliveries only) and in full (`campaign status`). */
export async function obligationsQueryBytes(client: Client, shardWorkflowId: string): Promise<{ engine: number; full: number }> {
  const handle = client.workflow.getHandle(shardWorkflowId);
  const engine: ObligationView[] = await handle.query(obligationsQuery, { deliveries: 'failures' });
  const full: ObligationView[] = await handle.query(obligationsQuery, {});
  return { engine: Buffer.byteLength(JSON.stringify(engine)), full: Buffer.byteLength(JSON.stringify(full)) };
}

/** Minimum Temporal actions: one timer and one activity per message sent, one update per submission. */
export function minimumActions(messages: number, submissions: number): number {
  return 2 * messages + submissions;
}

export function engineActions(h: HistoryReport): number {
  return h.totals.timers + h.totals.activities + h.totals.updates + h.totals.children + h.totals.signals;
}
