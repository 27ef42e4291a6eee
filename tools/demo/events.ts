/**
 * Turns what happens into the demo's event lines, in campaign time: the messages arriving in the
 * demo inbox (grouped: one line for the launch notices, one per reminder or escalation rung and
 * deadline, the coordinator's messages by their subject; a rung that repeats every working day is
 * shown the first time only) and the departments' submissions (one line per deadline for those on
 * time, one line per late submission). Also keeps the counts the progress line shows.
 */
import { DateTime } from 'luxon';
import { campaignNowMs, type CampaignClock } from '../../obligations/clock';
import type { CompiledOccurrence, CompiledPlan } from '../../deadlines/timeline';
import { KIND_LABELS, type InboxMessage, type MessageKind } from './inbox-feed';
import type { SubmitOutcome } from './portal-player';
import type { Action } from './schedule';

const ORDER: MessageKind[] = ['launch', 'reminder', 'overdue', 'digest', 'rollup', 'weekly', 'receipt', 'summary'];

interface Group {
  kind: MessageKind;
  atMs: number;
  occurrence?: string;
  messages: InboxMessage[];
  lastWallMs: number;
}

export function campaignTimeText(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).setLocale('en-GB').toFormat('yyyy-MM-dd ccc HH:mm');
}

export function lateness(ms: number): string {
  const h = Math.round(ms / 3_600_000);
  if (h < 24) return `${h} h`;
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

/** An obligation's escalation rung (`escalation-3`), whichever day it is repeated on. */
const rungKey = (m: InboxMessage) => `${m.occurrence}|${m.department}|${m.step.split('@')[0]}`;

export class EventBoard {
  readonly counts = new Map<MessageKind, number>();
  readonly submitted = { onTime: 0, late: 0 };
  private readonly groups = new Map<string, Group>();
  /** Lines waiting for their turn, so that everything prints in campaign-time order. */
  private readonly lines: Array<{ atMs: number; rank: number; text: string; addedWallMs: number }> = [];
  private readonly rungsSeen = new Set<string>();
  private readonly occurrences = new Map<string, { title: string; occ: CompiledOccurrence; recurring: boolean; open: boolean }>();
  private readonly onTime = new Map<string, { expected: number; done: Array<{ action: Action; outcome: SubmitOutcome; atMs: number }> }>();
  /** A resumed demo: the campaign time it resumed at, what went out meanwhile, the departments' catch-up. */
  private resumedAtMs = -Infinity;
  private readonly backlog = { counts: new Map<MessageKind, number>(), lastWallMs: 0 };
  private catchUp?: { expected: number; onTime: number; late: number; departments: Set<string>; lastAtMs: number };

  constructor(
    readonly plan: CompiledPlan,
    readonly clock: CampaignClock,
    readonly print: (line: string) => void,
  ) {
    for (const d of plan.deadlines) for (const occ of d.occurrences) this.occurrences.set(occ.key, { title: d.title, occ, recurring: d.occurrences.length > 1, open: d.kind === 'open' });
  }

  /** "east", "east, west, north" (plan order), "11 departments". */
  private departments(ids: string[]): string {
    const order = this.plan.departments.map((d) => d.id);
    const unique = [...new Set(ids)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    return unique.length <= 4 ? unique.join(', ') : `${unique.length} departments`;
  }

  private get zone(): string {
    return this.plan.campaign.timezone;
  }

  /** The deadline's title, with the occurrence's date for a recurring one. */
  title(occurrence: string): string {
    const o = this.occurrences.get(occurrence);
    if (!o) return occurrence;
    return o.recurring ? `${o.title} ${occurrence.split('@')[1]?.slice(5) ?? ''}` : o.title;
  }

  private emit(atMs: number, label: string, text: string, rank = 9): void {
    this.lines.push({ atMs, rank, text: `${campaignTimeText(atMs, this.zone)}  ${label.padEnd(9)} ${text}`, addedWallMs: Date.now() });
  }

  /** The campaign instant a message was due (from its business key), else when it arrived. */
  private instantOf(m: InboxMessage): number {
    const stamp = (s: string) => {
      const dt = DateTime.fromFormat(s, "yyyyMMdd'T'HHmmss'Z'", { zone: 'utc' });
      return dt.isValid ? dt.toMillis() : undefined;
    };
    const occ = m.occurrence ? this.occurrences.get(m.occurrence)?.occ : undefined;
    let at: number | undefined;
    if (m.kind === 'launch') at = Date.parse(this.plan.campaign.periodStart);
    else if (m.kind === 'reminder') {
      const r = occ?.reminders.find((x) => `reminder-${x.before}` === m.step);
      at = r ? Date.parse(r.at) : undefined;
    } else if (m.kind === 'overdue') at = stamp(m.step.split('@')[1] ?? '');
    else if (m.kind === 'rollup') at = occ ? Date.parse(occ.due) : undefined;
    else if (m.kind === 'digest') at = stamp(m.step);
    else if (m.kind === 'weekly') {
      const start = DateTime.fromISO(m.step, { zone: this.zone });
      at = start.isValid ? start.plus({ days: 7, hours: 9 }).toMillis() : undefined;
    } else if (m.kind === 'summary') at = Date.parse(this.plan.campaign.periodEnd);
    return at ?? Math.round(campaignNowMs(this.clock, m.receivedMs));
  }

  /** Counts messages already delivered before this demo process started (a resumed run). */
  countOnly(messages: InboxMessage[]): void {
    for (const m of messages) {
      this.counts.set(m.kind, (this.counts.get(m.kind) ?? 0) + 1);
      if (m.kind === 'overdue' && m.occurrence && m.department) this.rungsSeen.add(rungKey(m));
    }
  }

  /**
   * A resumed demo: messages due before `resumedAtMs` (sent while the demo was stopped, or as the
   * engine catches up) are summed up in one line; so are the departments' catch-up submissions.
   */
  resumedAt(resumedAtMs: number, catchUps: number): void {
    this.resumedAtMs = resumedAtMs;
    this.catchUp = { expected: catchUps, onTime: 0, late: 0, departments: new Set(), lastAtMs: resumedAtMs };
  }

  addMessages(messages: InboxMessage[], wallNow = Date.now()): void {
    for (const m of messages) {
      this.counts.set(m.kind, (this.counts.get(m.kind) ?? 0) + 1);
      if (m.kind === 'receipt') continue; // the submission's own line says it
      const atMs = this.instantOf(m);
      if (atMs < this.resumedAtMs && m.kind !== 'summary') {
        this.backlog.counts.set(m.kind, (this.backlog.counts.get(m.kind) ?? 0) + 1);
        this.backlog.lastWallMs = wallNow;
        if (m.kind === 'overdue' && m.occurrence && m.department) this.rungsSeen.add(rungKey(m));
        continue;
      }
      const perMessage = m.kind === 'digest' || m.kind === 'rollup' || m.kind === 'weekly' || m.kind === 'summary' || m.kind === 'other';
      const key = perMessage ? m.file : `${m.kind}|${atMs}|${m.occurrence ?? ''}`;
      const g = this.groups.get(key) ?? { kind: m.kind, atMs, occurrence: m.occurrence, messages: [], lastWallMs: wallNow };
      g.messages.push(m);
      g.lastWallMs = wallNow;
      this.groups.set(key, g);
    }
  }

  /**
   * Prints what is settled, in campaign-time order: a group of messages once it stopped growing
   * (a batch arrives within a fraction of a second), and any line once campaign time is a moment
   * (1.5 s of wall time) past it — messages due at an instant arrive a little after it.
   */
  flush(wallNow = Date.now(), all = false): void {
    const campaignNow = campaignNowMs(this.clock, wallNow);
    const lag = 1500 / this.clock.scale;
    if (this.backlog.counts.size && (all || wallNow - this.backlog.lastWallMs > 2000)) {
      const n = [...this.backlog.counts.values()].reduce((a, b) => a + b, 0);
      const parts = ORDER.filter((k) => this.backlog.counts.get(k)).map((k) => `${KIND_LABELS[k]} ${this.backlog.counts.get(k)}`);
      this.emit(this.resumedAtMs, 'caught up', `${n} message${n === 1 ? '' : 's'} due while the demo was stopped went out now: ${parts.join(', ')}`, -1);
      this.backlog.counts.clear();
    }
    for (const [key, g] of [...this.groups.entries()]) {
      if (all || (wallNow - g.lastWallMs > 1000 && campaignNow - g.atMs >= lag)) {
        this.groups.delete(key);
        this.printGroup(g);
      }
    }
    const ready = this.lines.filter((l) => all || campaignNow - l.atMs >= lag || wallNow - l.addedWallMs > 3000);
    ready.sort((a, b) => a.atMs - b.atMs || a.rank - b.rank);
    for (const l of ready) {
      this.lines.splice(this.lines.indexOf(l), 1);
      this.print(l.text);
    }
  }

  private printGroup(g: Group): void {
    const ms = g.messages;
    const emit = (label: string, text: string) => this.emit(g.atMs, label, text, ORDER.indexOf(g.kind));
    const title = g.occurrence ? this.title(g.occurrence) : '';
    switch (g.kind) {
      case 'launch':
        return emit('launch', `launch notices → ${this.departments(ms.map((m) => m.department ?? '?'))}, each with its deadlines, calendar file and own portal link`);
      case 'reminder': {
        const rung = ms[0]!.step.replace(/^reminder-/, '');
        return emit('reminder', `${rung} before “${title}” → ${this.departments(ms.map((m) => m.department ?? '?'))}`);
      }
      case 'overdue': {
        const occ = g.occurrence ? this.occurrences.get(g.occurrence)?.occ : undefined;
        const fresh = ms.filter((m) => {
          const k = rungKey(m);
          if (this.rungsSeen.has(k)) return false;
          this.rungsSeen.add(k);
          return true;
        });
        if (fresh.length === 0) return; // a daily chaser again: counted, not shown
        const stepNo = Number(/^escalation-(\d+)/.exec(fresh[0]!.step)?.[1] ?? 0);
        const rung = occ?.escalations.find((e) => e.step === stepNo);
        const repeats = (occ?.escalations.filter((e) => e.step === stepNo).length ?? 0) > 1;
        const cc = fresh.some((m) => m.cc.length > 0) ? ', leaders in Cc' : '';
        return emit('overdue', `“${title}” escalation ${stepNo}${rung ? ` (${rung.label})` : ''} → ${this.departments(fresh.map((m) => m.department ?? '?'))}${cc}${repeats ? '; repeated until submitted' : ''}`);
      }
      case 'digest':
      case 'rollup':
      case 'weekly':
      case 'summary':
      case 'other': {
        const label = { digest: 'digest', rollup: 'roll-up', weekly: 'weekly', summary: 'summary', other: 'message' }[g.kind];
        for (const m of ms) emit(label, `${m.subject} → ${m.to.length > 2 ? `${m.to[0]} +${m.to.length - 1}` : m.to.join(', ')}${g.kind === 'summary' ? ', summary XLSX attached' : ''}`);
        return;
      }
      case 'receipt':
        return;
    }
  }

  /** How many on-time submissions to wait for before printing one line for an occurrence. */
  expectOnTime(occurrence: string, count: number): void {
    if (count > 0 && !this.occurrences.get(occurrence)?.open) this.onTime.set(occurrence, { expected: count, done: [] });
  }

  submission(action: Action, outcome: SubmitOutcome, atMs: number): void {
    const dept = action.department;
    if (!outcome.ok) {
      this.emit(atMs, 'refused', `${dept} could not submit “${this.title(action.occurrence)}”: ${outcome.reason}`);
    } else if (outcome.late) this.submitted.late++;
    else this.submitted.onTime++;
    const c = this.catchUp;
    if (c && action.atMs < this.resumedAtMs) {
      // Owed while the demo was stopped: one line for all of them.
      c.expected--;
      if (outcome.ok) {
        if (outcome.late) c.late++;
        else c.onTime++;
        c.departments.add(dept);
        c.lastAtMs = Math.max(c.lastAtMs, atMs);
      }
      if (c.expected <= 0) this.flushCatchUp();
      return;
    }
    const group = action.intent === 'on-time' ? this.onTime.get(action.occurrence) : undefined;
    if (outcome.ok && this.occurrences.get(action.occurrence)?.open) {
      this.emit(atMs, 'reported', `${dept} → “${this.title(action.occurrence)}” through the portal form${outcome.attachment ? `, with ${outcome.attachment}` : ''}`);
    } else if (outcome.ok && (outcome.late || !group)) {
      const how = outcome.via === 'xlsx' ? 'by XLSX upload' : 'through the portal form';
      const when = outcome.late ? `late, ${lateness(atMs - action.dueMs)} after due` : 'on time';
      const extra = outcome.attachment ? `, with ${outcome.attachment}` : '';
      this.emit(atMs, outcome.late ? 'late' : 'submitted', `${dept} submitted “${this.title(action.occurrence)}” ${how}${extra} — ${when}`);
    }
    if (group) {
      group.done.push({ action, outcome, atMs });
      if (group.done.length >= group.expected) this.flushOnTime(action.occurrence);
    }
  }

  private flushOnTime(occurrence: string): void {
    const group = this.onTime.get(occurrence);
    this.onTime.delete(occurrence);
    const ok = (group?.done ?? []).flatMap((d) => (d.outcome.ok && !d.outcome.late ? [{ ...d, outcome: d.outcome }] : []));
    if (ok.length === 0) return;
    const xlsx = ok.filter((d) => d.outcome.via === 'xlsx').map((d) => d.action.department);
    const files = ok.flatMap((d) => (d.outcome.attachment ? [`${d.action.department} attached ${d.outcome.attachment}`] : []));
    const how = xlsx.length === ok.length ? 'by XLSX upload' : xlsx.length ? `through the portal (${this.departments(xlsx)} by XLSX upload)` : 'through the portal form';
    const atMs = Math.max(...ok.map((d) => d.atMs));
    this.emit(atMs, 'submitted', `“${this.title(occurrence)}” ← ${this.departments(ok.map((d) => d.action.department))} on time ${how}${files.length ? `; ${files.join('; ')}` : ''}`);
  }

  private flushCatchUp(): void {
    const c = this.catchUp;
    this.catchUp = undefined;
    if (!c || c.onTime + c.late === 0) return;
    const n = c.onTime + c.late;
    this.emit(c.lastAtMs, 'caught up', `${n} submission${n === 1 ? '' : 's'} owed while the demo was stopped, made now through the portal by ${this.departments([...c.departments])}: ${c.late} late, ${c.onTime} still on time`);
  }

  /** Prints whatever is still grouped (at the end, or when stopping). */
  flushAll(): void {
    this.flushCatchUp();
    for (const occurrence of [...this.onTime.keys()]) this.flushOnTime(occurrence);
    this.flush(Date.now(), true);
  }

  countsText(sep = ' · '): string {
    return ORDER.map((k) => `${KIND_LABELS[k]} ${this.counts.get(k) ?? 0}`).join(sep);
  }

  /** The counts for the progress line: short, most telling first. */
  shortCounts(): string {
    const n = (k: MessageKind) => this.counts.get(k) ?? 0;
    return `✉ ${this.messageTotal}: launch ${n('launch')} remind ${n('reminder')} overdue ${n('overdue')} digest ${n('digest')} roll-up ${n('rollup')} weekly ${n('weekly')} receipt ${n('receipt')} summary ${n('summary')}`;
  }

  get messageTotal(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}
