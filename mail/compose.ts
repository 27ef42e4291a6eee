/**
 * Builds complete messages from the compiled plan and a few ids, so that a send activity is just
 *
 *   const { message, key } = composeMessage(plan, request, { from: config.from });
 *   const records = await deliverOnce(ledger, mailer, message, key);
 *
 * Each kind of message picks its recipients and its render context (mail/messages/<kind>.ts);
 * here is what every message shares: the templates rendered in the campaign's language
 * (render.ts), addresses de-duplicated (an address in To is not repeated in Cc), and the headers:
 * Message-ID (deterministic, from the business key), X-Campaign-Key, Reply-To (the coordinating
 * office, so replies reach a person) and Auto-Submitted (RFC 3834, so out-of-office robots stay
 * quiet). The business keys are listed with {@link ComposeRequest}.
 *
 * Pure apart from reading the template files. Throws {@link ComposeError} (non-retryable) when the
 * plan has no such department / occurrence, or nobody to send to.
 */
import type { CompiledPlan, Contact } from '../deadlines/timeline';
import type { MailAddress } from '../config/mail';
import { campaignKeyHeader, messageIdFor } from './delivery/ledger';
import type { MessageKey } from './delivery/ledger';
import { messageType, type ContextByKind, type MessageKind } from './messages';
import type { MessageType, RequestOf } from './messages/kind';
import type { MessageCommon } from './messages/context';
import { ComposeError, PlanIndex } from './messages/plan-index';
import { renderMessage } from './render';
import type { RenderOptions } from './render';
import type { OutgoingMessage } from './transport';
import type { ComposeRequest } from '../obligations/message-requests';

export interface ComposeOptions extends RenderOptions {
  /** The sender (MailConfig.from); its domain names the Message-ID. */
  from: MailAddress;
}

export interface ComposedMessage {
  kind: MessageKind;
  key: MessageKey;
  message: OutgoingMessage;
}

/** The module of the request's kind, typed for any request (each module is typed for its own). */
function typeOf(req: ComposeRequest): MessageType<MessageKind, ContextByKind[MessageKind]> {
  const type = messageType(req.kind) as MessageType<MessageKind, ContextByKind[MessageKind]> | undefined;
  if (!type) throw new ComposeError(`unknown message kind: ${String(req.kind)}`);
  return type;
}

/** Business key of a message, without composing it. */
export function messageKeyFor(plan: CompiledPlan, req: ComposeRequest): MessageKey {
  return { campaignId: plan.campaign.id, ...typeOf(req).key(req as RequestOf<MessageKind>, plan) };
}

/** One index per plan object (PlanStore hands out the same object per reference): a batch composes many messages from one plan. */
const indexes = new WeakMap<CompiledPlan, PlanIndex>();

export function composeMessage(plan: CompiledPlan, req: ComposeRequest, opts: ComposeOptions): ComposedMessage {
  let P = indexes.get(plan);
  if (!P) indexes.set(plan, (P = new PlanIndex(plan)));
  const c = plan.campaign;
  const common: MessageCommon = {
    language: c.language,
    timezone: c.timezone,
    campaign: { id: c.id, title: c.title },
    office: { name: c.office.name, contacts: c.office.contacts },
  };
  const { to, cc, context } = typeOf(req).compose(req as RequestOf<MessageKind>, P, common);
  const rendered = renderMessage(req.kind, context, opts);

  const toAddr = dedupeContacts(to);
  const ccAddr = dedupeContacts(cc ?? []).filter((a) => !toAddr.some((t) => t.address.toLowerCase() === a.address.toLowerCase()));
  if (toAddr.length === 0) {
    throw new ComposeError(`${req.kind}: nobody to send to (no contact address in the plan for ${describe(req)})`);
  }
  const key = messageKeyFor(plan, req);
  const domain = opts.from.address.slice(opts.from.address.lastIndexOf('@') + 1);
  const replyTo = dedupeContacts(c.office.contacts);
  return {
    kind: req.kind,
    key,
    message: {
      from: opts.from,
      to: toAddr,
      cc: ccAddr.length > 0 ? ccAddr : undefined,
      replyTo: replyTo.length > 0 ? replyTo : undefined,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      attachments: rendered.attachments,
      messageId: messageIdFor(key, domain),
      headers: {
        'X-Campaign-Key': campaignKeyHeader(key),
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
      },
    },
  };
}

function dedupeContacts(list: Contact[]): MailAddress[] {
  const seen = new Set<string>();
  const out: MailAddress[] = [];
  for (const c of list) {
    const k = c.email.trim().toLowerCase();
    if (!k || seen.has(k)) continue;
    seen.add(k);
    out.push({ name: c.name ?? '', address: c.email.trim() });
  }
  return out;
}

function describe(req: ComposeRequest): string {
  if ('departmentId' in req) return `department "${req.departmentId}"`;
  return 'the coordinating office';
}
