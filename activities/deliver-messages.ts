/**
 * Where reminders, escalations, launch notices and receipts are sent: one activity call per
 * batch of messages due at the same instant, each message composed from the stored plan and
 * delivered exactly once through the ledger (built ahead of time when this worker could: see
 * mail/delivery/prepared-messages.ts). Transient failures fail the activity after every
 * message was tried (Temporal retries, the ledger skips what went out); permanent ones are
 * recorded and returned.
 */
import { CancelledFailure, Context } from '@temporalio/activity';
import { composeMessage } from '../mail/compose';
import type { ComposeRequest } from '../obligations/message-requests';
import { deliverOnce, deliverySummary } from '../mail/delivery/ledger';
import { TransientSmtpError } from '../mail/smtp-errors';
import type { DeliveryEntry } from '../obligations/obligations';
import type { ActivityDeps } from './deps';

/** The request with its department's signed link, when the workflow left it to the activity (''). */
function withLink(deps: ActivityDeps, campaignId: string, req: ComposeRequest): ComposeRequest {
  if ('link' in req && req.link === '' && 'departmentId' in req) return { ...req, link: deps.links(campaignId, req.departmentId) };
  return req;
}

export function deliverMessagesActivity(deps: ActivityDeps) {
  /**
   * `scope` names the campaign run (its delivery ledger); `at` is the campaign instant the batch is
   * for, recorded for messages that carry no instant of their own (launch notices, receipts).
   */
  return async function deliverMessages(input: {
    planRef: string;
    requests: ComposeRequest[];
    scope: string;
    at: string;
    /** The shard's next batch as things stand: prepared on this worker once this one is sent (mail/delivery/prepared-messages.ts). */
    next?: { requests: ComposeRequest[]; dueWallMs: number };
  }): Promise<DeliveryEntry[]> {
    const plan = await deps.plans.load(input.planRef);
    const ledger = deps.ledger.scoped(input.scope);
    const prepared = deps.prepared;
    const ctx = Context.current();
    const out: DeliveryEntry[] = new Array(input.requests.length);
    let transient: TransientSmtpError | undefined;
    let next = 0;
    let done = 0;
    // As many messages in flight as the SMTP pool has connections; each one is exactly-once on its own.
    const sendNext = async (): Promise<void> => {
      for (let i = next++; i < input.requests.length; i = next++) {
        // Cancelled (the campaign was cancelled): stop between messages; what went out is in the ledger.
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('campaign cancelled while sending; the messages sent so far are recorded');
        const ready = prepared?.take(input.planRef, input.scope, input.requests[i]!);
        const req = ready ? input.requests[i]! : withLink(deps, plan.campaign.id, input.requests[i]!);
        const composed = ready?.composed ?? composeMessage(plan, req, { from: deps.from });
        const at = 'at' in req && typeof req.at === 'string' ? req.at : input.at;
        try {
          const records = await deliverOnce(ledger, deps.mailer, composed.message, composed.key, { prepared: ready?.mime });
          out[i] = { kind: composed.kind, step: composed.key.step, at, ...deliverySummary(records) };
        } catch (err) {
          if (!(err instanceof TransientSmtpError)) throw err;
          transient ??= err;
        }
        ctx.heartbeat(++done);
      }
    };
    const sendAll = () => Promise.all(Array.from({ length: Math.min(deps.sendConcurrency ?? 5, input.requests.length) }, sendNext));
    await (prepared?.whileSending(sendAll) ?? sendAll());
    if (transient) throw transient;
    if (prepared && input.next && input.next.requests.length > 0) {
      prepared.schedule({
        plan,
        planRef: input.planRef,
        scope: input.scope,
        requests: input.next.requests,
        complete: (r) => withLink(deps, plan.campaign.id, r),
        dueWallMs: input.next.dueWallMs,
      });
    }
    return out;
  };
}
