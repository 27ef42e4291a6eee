/**
 * Builds complete messages from the compiled plan and a few ids, so that a send activity is just
 *
 *   const { message, key } = composeMessage(plan, request, { from: config.from });
 *   const records = await deliverOnce(ledger, mailer, message, key);
 *
 * It picks the recipients (department contacts, leaders in Cc, the coordinating office), renders
 * the templates in the campaign's language, attaches the .ics / XLSX, and sets the headers:
 * Message-ID (deterministic, from the business key), X-Campaign-Key, Reply-To (the coordinating
 * office, so replies reach a person) and Auto-Submitted (RFC 3834, so out-of-office robots stay
 * quiet). The business keys are listed with {@link ComposeRequest}.
 *
 * Pure apart from reading the template files. Throws {@link ComposeError} (non-retryable) when the
 * plan has no such department / occurrence, or nobody to send to.
 */
import { DateTime } from 'luxon';
import type { CompiledDeadline, CompiledDepartment, CompiledOccurrence, CompiledPlan, Contact, EscalationAudience, EscalationStep } from '../deadlines/timeline';
import type { MailAddress } from '../config/mail';
import { campaignKeyHeader, messageIdFor } from './delivery/ledger';
import type { MessageKey } from './delivery/ledger';
import { renderMessage } from './render';
import type { ContextByKind, DeadlineInfo, DepartmentInfo, MessageKind, RenderOptions } from './render';
import type { OutgoingMessage } from './transport';
import type { ComposeRequest } from '../obligations/message-requests';

export class ComposeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComposeError';
  }
}

export interface ComposeOptions extends RenderOptions {
  /** The sender (MailConfig.from); its domain names the Message-ID. */
  from: MailAddress;
}

export interface ComposedMessage {
  kind: MessageKind;
  key: MessageKey;
  message: OutgoingMessage;
}

/** Which template an escalation rung uses: a rung addressed to the department is an "overdue" notice. */
export function escalationKind(step: Pick<EscalationStep, 'to'>): 'overdue' | 'escalation' {
  return step.to[0] === 'department' ? 'overdue' : 'escalation';
}

/** Business key of a message, without composing it. */
export function messageKeyFor(plan: CompiledPlan, req: ComposeRequest): MessageKey {
  const campaignId = plan.campaign.id;
  switch (req.kind) {
    case 'launch':
      return { campaignId, key: `launch/${req.departmentId}`, step: 'launch' };
    case 'reminder':
      return { campaignId, key: `${req.occurrenceKey}/${req.departmentId}`, step: `reminder-${req.before}` };
    case 'overdue':
    case 'escalation':
      return { campaignId, key: `${req.occurrenceKey}/${req.departmentId}`, step: `escalation-${req.step}@${utcStamp(req.at)}` };
    case 'coordinator-digest':
      return { campaignId, key: 'coordinator-digest', step: utcStamp(req.at) };
    case 'receipt':
      return { campaignId, key: `${req.occurrenceKey}/${req.departmentId}`, step: `receipt-${req.submissionId}` };
    case 'rollup':
      return { campaignId, key: req.occurrenceKey, step: 'rollup' };
    case 'weekly-digest':
      return { campaignId, key: 'weekly-digest', step: localDate(req.weekStart, plan.campaign.timezone) };
    case 'final-summary':
      return { campaignId, key: 'final-summary', step: 'final-summary' };
  }
}

/** One index per plan object (PlanStore hands out the same object per reference): a batch composes many messages from one plan. */
const indexes = new WeakMap<CompiledPlan, PlanIndex>();

export function composeMessage(plan: CompiledPlan, req: ComposeRequest, opts: ComposeOptions): ComposedMessage {
  let P = indexes.get(plan);
  if (!P) indexes.set(plan, (P = new PlanIndex(plan)));
  const c = plan.campaign;
  const common = {
    language: c.language,
    timezone: c.timezone,
    campaign: { id: c.id, title: c.title },
    office: { name: c.office.name, contacts: c.office.contacts },
  };
  const office = c.office.contacts;
  let to: Contact[] = [];
  let cc: Contact[] = [];
  let rendered;

  switch (req.kind) {
    case 'launch': {
      const dept = P.department(req.departmentId);
      const deadlines: DeadlineInfo[] = [];
      for (const d of plan.deadlines) {
        if (!d.departments.includes(dept.id)) continue;
        for (const occ of d.occurrences) deadlines.push(P.info(d, occ));
      }
      to = dept.contacts;
      rendered = render('launch', {
        ...common,
        department: deptInfo(dept),
        deadlines,
        link: req.link,
        periodStart: c.periodStart,
        periodEnd: c.periodEnd,
      });
      break;
    }
    case 'reminder': {
      const { deadline, occurrence } = P.occurrence(req.occurrenceKey);
      const dept = P.obligedDepartment(deadline, req.departmentId);
      to = dept.contacts;
      rendered = render('reminder', {
        ...common,
        department: deptInfo(dept),
        deadline: { ...P.info(deadline, occurrence), due: req.due ?? occurrence.due },
        before: req.before,
        at: req.at ?? occurrence.reminders.find((r) => r.before === req.before)?.at,
        link: req.link,
      });
      break;
    }
    case 'overdue':
    case 'escalation': {
      const { deadline, occurrence } = P.occurrence(req.occurrenceKey);
      const dept = P.obligedDepartment(deadline, req.departmentId);
      const rung = occurrence.escalations.find((e) => e.step === req.step && sameInstant(e.at, req.at)) ?? occurrence.escalations.find((e) => e.step === req.step);
      const audiences: EscalationAudience[] = rung?.to ?? (req.kind === 'overdue' ? ['department', 'leaders'] : ['coordinator']);
      const lists = audiences.map((a) => (a === 'department' ? dept.contacts : a === 'leaders' ? dept.leaders : office));
      const firstNonEmpty = lists.findIndex((l) => l.length > 0);
      if (firstNonEmpty >= 0) {
        to = lists[firstNonEmpty];
        cc = lists.filter((_, i) => i !== firstNonEmpty).flat();
      } else if (req.kind === 'escalation') {
        to = office; // nobody listed for this rung (e.g. no leaders): the coordinating office still hears of it
      }
      const info = { ...P.info(deadline, occurrence), due: req.due ?? occurrence.due };
      if (req.kind === 'overdue') {
        rendered = render('overdue', {
          ...common,
          department: deptInfo(dept),
          deadline: info,
          at: req.at,
          link: requireLink(req.link, 'overdue'),
          leaders: audiences.includes('leaders') ? dept.leaders : [],
        });
      } else {
        rendered = render('escalation', {
          ...common,
          department: { ...deptInfo(dept), contacts: dept.contacts },
          deadline: info,
          at: req.at,
          audience: audiences[firstNonEmpty >= 0 ? firstNonEmpty : 0] === 'leaders' ? 'leaders' : 'coordinator',
          stepLabel: rung?.label,
          link: req.link,
        });
      }
      break;
    }
    case 'coordinator-digest': {
      to = office;
      rendered = render('coordinator-digest', {
        ...common,
        at: req.at,
        late: req.late.map((l) => {
          const { deadline, occurrence } = P.occurrence(l.occurrenceKey);
          const dept = P.department(l.departmentId);
          return { department: { ...deptInfo(dept), contacts: dept.contacts }, deadline: P.info(deadline, occurrence), link: l.link };
        }),
        failures: (req.failures ?? []).map((f) => {
          const { deadline, occurrence } = P.occurrence(f.occurrenceKey);
          return { department: deptInfo(P.department(f.departmentId)), deadline: P.info(deadline, occurrence), address: f.address, reason: f.reason };
        }),
        link: req.link,
      });
      break;
    }
    case 'receipt': {
      const { deadline, occurrence } = P.occurrence(req.occurrenceKey);
      const dept = P.obligedDepartment(deadline, req.departmentId);
      to = dept.contacts;
      rendered = render('receipt', {
        ...common,
        department: deptInfo(dept),
        deadline: P.info(deadline, occurrence),
        submittedAt: req.submittedAt,
        submittedBy: req.submittedBy,
        receiptId: req.submissionId,
        revision: req.revision,
        link: req.link,
        summary: req.summary,
      });
      break;
    }
    case 'rollup': {
      const { deadline, occurrence } = P.occurrence(req.occurrenceKey);
      const done = new Map(req.submitted.map((s) => [s.departmentId, s]));
      to = office;
      rendered = render('rollup', {
        ...common,
        deadline: P.info(deadline, occurrence),
        at: req.at,
        submitted: deadline.departments
          .filter((id) => done.has(id))
          .map((id) => {
            const s = done.get(id)!;
            return { department: deptInfo(P.department(id)), at: s.at, late: s.late };
          }),
        missing: deadline.departments
          .filter((id) => !done.has(id))
          .map((id) => {
            const dept = P.department(id);
            return { department: { ...deptInfo(dept), contacts: dept.contacts } };
          }),
        totals: req.totals,
        formTitle: deadline.submit.form ? P.formTitle(deadline.submit.form) : undefined,
        link: req.link,
      });
      break;
    }
    case 'weekly-digest': {
      to = office;
      rendered = render('weekly-digest', {
        ...common,
        weekStart: req.weekStart,
        weekEnd: req.weekEnd,
        received: req.received,
        upcoming: req.upcoming.map((u) => {
          const { deadline, occurrence } = P.occurrence(u.occurrenceKey);
          return { deadline: P.info(deadline, occurrence), outstanding: u.outstanding, total: deadline.departments.length };
        }),
        late: req.late.map((l) => {
          const { deadline, occurrence } = P.occurrence(l.occurrenceKey);
          return { department: deptInfo(P.department(l.departmentId)), deadline: P.info(deadline, occurrence) };
        }),
        link: req.link,
      });
      break;
    }
    case 'final-summary': {
      to = office;
      cc = req.cc ?? [];
      rendered = render('final-summary', { ...common, totals: req.totals, attachment: req.attachment, link: req.link });
      break;
    }
  }

  function render<K extends MessageKind>(kind: K, ctx: ContextByKind[K]) {
    return renderMessage(kind, ctx, opts);
  }

  const toAddr = dedupeContacts(to);
  const ccAddr = dedupeContacts(cc).filter((a) => !toAddr.some((t) => t.address.toLowerCase() === a.address.toLowerCase()));
  if (toAddr.length === 0) {
    throw new ComposeError(`${req.kind}: nobody to send to (no contact address in the plan for ${describe(req)})`);
  }
  const key = messageKeyFor(plan, req);
  const domain = opts.from.address.slice(opts.from.address.lastIndexOf('@') + 1);
  const replyTo = dedupeContacts(office);
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

// ---------------------------------------------------------------- helpers

class PlanIndex {
  private readonly depts: Map<string, CompiledDepartment>;
  private readonly occs = new Map<string, { deadline: CompiledDeadline; occurrence: CompiledOccurrence }>();
  constructor(private readonly plan: CompiledPlan) {
    this.depts = new Map(plan.departments.map((d) => [d.id, d]));
    for (const d of plan.deadlines) for (const o of d.occurrences) this.occs.set(o.key, { deadline: d, occurrence: o });
  }
  department(id: string): CompiledDepartment {
    const d = this.depts.get(id);
    if (!d) throw new ComposeError(`the plan has no department "${id}"`);
    return d;
  }
  obligedDepartment(deadline: CompiledDeadline, id: string): CompiledDepartment {
    const d = this.department(id);
    if (!deadline.departments.includes(id)) throw new ComposeError(`department "${id}" does not owe deadline "${deadline.id}"`);
    return d;
  }
  occurrence(key: string): { deadline: CompiledDeadline; occurrence: CompiledOccurrence } {
    const o = this.occs.get(key);
    if (!o) throw new ComposeError(`the plan has no deadline occurrence "${key}"`);
    return o;
  }
  formTitle(id: string): string {
    return this.plan.forms.find((f) => f.id === id)?.title ?? id;
  }
  info(d: CompiledDeadline, o: CompiledOccurrence): DeadlineInfo {
    return {
      id: d.id,
      occurrenceKey: o.key,
      title: d.title,
      due: o.due,
      description: d.description,
      submit: { report: d.submit.report, form: d.submit.form ? this.formTitle(d.submit.form) : undefined, attachments: d.submit.attachments },
    };
  }
}

function deptInfo(d: CompiledDepartment): DepartmentInfo {
  return { id: d.id, name: d.name };
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

function requireLink(link: string | undefined, kind: string): string {
  if (!link) throw new ComposeError(`${kind}: a submission link is required`);
  return link;
}

function sameInstant(a: string, b: string): boolean {
  return Date.parse(a) === Date.parse(b);
}

function utcStamp(iso: string): string {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new ComposeError(`not an ISO instant: ${JSON.stringify(iso)}`);
  return dt.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
}

function localDate(iso: string, zone: string): string {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new ComposeError(`not an ISO date: ${JSON.stringify(iso)}`);
  // a bare date is read in the campaign zone; an instant is converted to it
  return (/T/.test(iso) ? dt.setZone(zone) : DateTime.fromISO(iso, { zone })).toISODate() as string;
}

function describe(req: ComposeRequest): string {
  if ('departmentId' in req) return `department "${req.departmentId}"`;
  return 'the coordinating office';
}
