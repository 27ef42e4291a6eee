/**
 * What the engine asks to be sent: one request per message, with the business key that makes its
 * delivery exactly-once. The workflows decide *which* requests fall due (obligations.ts, the
 * campaign's instants); mail/compose.ts turns a request into a message, with the module of its
 * kind (mail/messages/<kind>.ts: recipients, business key, template values). Payload type only: it
 * travels in workflow histories and activity inputs, so it stays small and serialisable.
 */
import type { Contact } from '../deadlines/timeline';

export type Figures = Array<{ label: string; value: string | number; unit?: string }>;

/**
 * What to compose. Business keys (MessageKey.key / step) per kind, as each kind's `key` in
 * mail/messages/<kind>.ts builds them:
 * - launch:             `launch/<dept>`            / `launch`
 * - reminder:           `<occurrence>/<dept>`      / `reminder-<rung>`            e.g. reminder-3d
 * - overdue|escalation: `<occurrence>/<dept>`      / `escalation-<step>@<at UTC>` e.g. escalation-1@20240202T100000Z
 * - coordinator-digest: `coordinator-digest`       / `<at UTC>`
 * - receipt:            `<occurrence>/<dept>`      / `receipt-<submissionId>`
 * - chase:              `<occurrence>/<dept>`      / `chase-<chaseId>`
 * - rollup:             `<occurrence>`             / `rollup`
 * - weekly-digest:      `weekly-digest`            / `<weekStart local date>`
 * - final-summary:      `final-summary`            / `final-summary`
 */
export type ComposeRequest =
  | { kind: 'launch'; departmentId: string; link: string }
  /** `due` overrides the occurrence's due instant when the obligation was extended. */
  | { kind: 'reminder'; occurrenceKey: string; departmentId: string; before: string; at?: string; due?: string; link: string }
  /**
   * An escalation rung after due. `step` and `at` identify the rung in the occurrence's
   * `escalations` (daily repeats share the step number, `at` tells them apart). Recipients follow the
   * rung's `to` (first audience in To, the rest in Cc); without a matching rung: overdue = department
   * with leaders in Cc, escalation = the coordinating office. See {@link escalationKind}.
   */
  | { kind: 'overdue' | 'escalation'; occurrenceKey: string; departmentId: string; step: number; at: string; due?: string; link?: string }
  | {
      kind: 'coordinator-digest';
      at: string;
      late: Array<{ occurrenceKey: string; departmentId: string; link?: string }>;
      /** Recipients the mail server refused for good, for the office to correct. */
      failures?: Array<{ occurrenceKey: string; departmentId: string; address: string; reason: string }>;
      link?: string;
    }
  /**
   * A chase by hand (催报): a coordinator's click (obligations/chase-rules.ts), one per chased
   * department; `at` is when it was pressed, `due` the extended due instant if any.
   */
  | { kind: 'chase'; occurrenceKey: string; departmentId: string; chaseId: string; at: string; due?: string; link: string }
  | {
      kind: 'receipt';
      occurrenceKey: string;
      departmentId: string;
      submissionId: string;
      submittedAt: string;
      submittedBy?: string;
      revision?: number;
      link: string;
      summary?: Figures;
    }
  | {
      kind: 'rollup';
      occurrenceKey: string;
      at: string;
      /** Departments that submitted (the rest of the deadline's departments are listed as missing). */
      submitted: Array<{ departmentId: string; at: string; late?: boolean }>;
      totals?: Figures;
      link?: string;
    }
  | {
      kind: 'weekly-digest';
      weekStart: string;
      weekEnd: string;
      received: number;
      upcoming: Array<{ occurrenceKey: string; outstanding: number }>;
      late: Array<{ occurrenceKey: string; departmentId: string }>;
      link?: string;
    }
  | {
      kind: 'final-summary';
      totals: { obligations: number; onTime: number; late: number; missing: number };
      attachment: { filename: string; path?: string; content?: Buffer };
      link?: string;
      /** Extra recipients in Cc (e.g. leaders of the office). */
      cc?: Contact[];
    };

