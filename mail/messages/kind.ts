/**
 * What one kind of message is made of, so that each kind (launch, reminder, overdue…) lives in
 * its own small module beside this one and adding a kind means adding one file, its line in the
 * table (mail/messages/index.ts), its request (obligations/message-requests.ts) and its templates:
 *
 * - its business key: what the message is about and which message of it (exactly-once delivery
 *   hangs on it; every kind's key is listed with ComposeRequest);
 * - its recipients and its render context, read from the compiled plan;
 * - its template values and its attachments.
 *
 * What every kind shares stays in mail/compose.ts (headers, Message-ID, Reply-To, de-duplicated
 * addresses) and mail/render.ts (template files, the values every message has).
 */
import { DateTime } from 'luxon';
import type { CompiledPlan, Contact } from '../../deadlines/timeline';
import type { ComposeRequest } from '../../obligations/message-requests';
import type { OutgoingAttachment } from '../transport';
import type { MessageCommon } from './context';
import { ComposeError, type PlanIndex } from './plan-index';
import type { View, ViewHelpers } from './view';

/** The request of one kind (overdue and escalation share one shape). */
export type RequestOf<K extends ComposeRequest['kind']> = ComposeRequest & { kind: K };

/** One kind of message: `K` is its kind, `C` the context its templates are rendered from. */
export interface MessageType<K extends ComposeRequest['kind'], C extends MessageCommon> {
  /** Its business key under the campaign: `key` names what it is about, `step` which message of it. */
  key(req: RequestOf<K>, plan: CompiledPlan): { key: string; step: string };
  /** Who receives it (To, Cc: compose drops repeats) and the context it is rendered from. */
  compose(req: RequestOf<K>, plan: PlanIndex, common: MessageCommon): { to: Contact[]; cc?: Contact[]; context: C };
  /** The values its templates may name, beyond those every message has. */
  view(ctx: C, h: ViewHelpers): View;
  /** Files attached to it (none when absent). */
  attachments?(ctx: C, view: View): OutgoingAttachment[];
}

/** The business key of a message about one obligation: `<occurrence>/<department>`. */
export function obligationKey(req: { occurrenceKey: string; departmentId: string }): string {
  return `${req.occurrenceKey}/${req.departmentId}`;
}

/** An instant as a business key writes it: UTC, so the offset it was written with does not matter. */
export function utcStamp(iso: string): string {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new ComposeError(`not an ISO instant: ${JSON.stringify(iso)}`);
  return dt.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
}

/** A day as a business key writes it: the local date in the campaign's zone. */
export function localDate(iso: string, zone: string): string {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new ComposeError(`not an ISO date: ${JSON.stringify(iso)}`);
  // a bare date is read in the campaign zone; an instant is converted to it
  return (/T/.test(iso) ? dt.setZone(zone) : DateTime.fromISO(iso, { zone })).toISODate() as string;
}

/** A link the message cannot go without (an overdue notice must say where to submit). */
export function requireLink(link: string | undefined, kind: string): string {
  if (!link) throw new ComposeError(`${kind}: a submission link is required`);
  return link;
}
