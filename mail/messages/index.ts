/**
 * Every kind of message the engine sends, one module each (mail/messages/<kind>.ts; what a kind
 * provides is in kind.ts). mail/compose.ts and mail/render.ts look a kind up here; the order is
 * the one the preview and the tests go through them in.
 */
import type { ComposeRequest } from '../../obligations/message-requests';
import { chase } from './chase';
import { coordinatorDigest } from './coordinator-digest';
import { escalation } from './escalation';
import { finalSummary } from './final-summary';
import type { MessageCommon } from './context';
import type { MessageType } from './kind';
import { launch } from './launch';
import { overdue } from './overdue';
import { receipt } from './receipt';
import { reminder } from './reminder';
import { rollup } from './rollup';
import { weeklyDigest } from './weekly-digest';

const MESSAGES = {
  launch,
  reminder,
  overdue,
  escalation,
  'coordinator-digest': coordinatorDigest,
  receipt,
  chase,
  rollup,
  'weekly-digest': weeklyDigest,
  'final-summary': finalSummary,
} satisfies { [K in ComposeRequest['kind']]: Pick<MessageType<K, MessageCommon>, 'key' | 'compose'> };

export type MessageKind = keyof typeof MESSAGES;

export const MESSAGE_KINDS = Object.keys(MESSAGES) as readonly MessageKind[];

/** The render context of each kind. */
export type ContextByKind = { [K in MessageKind]: (typeof MESSAGES)[K] extends MessageType<K, infer C> ? C : never };

/** The module of one kind (undefined for a kind there is none of). */
export function messageType<K extends MessageKind>(kind: K): MessageType<K, ContextByKind[K]> | undefined {
  return Object.hasOwn(MESSAGES, kind) ? (MESSAGES[kind] as unknown as MessageType<K, ContextByKind[K]>) : undefined;
}
