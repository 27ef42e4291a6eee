/**
 * The reminder and escalation ladder: what the plan writes under reminders: and escalation: (for
 * one deadline, under defaults:, or the built-in defaults), checked for order and repetition,
 * then turned into the instants of each occurrence's reminders (before the due, never before the
 * notice is issued) and escalation steps (after it, up to the next occurrence or the period end,
 * a repeating rung ending as chasing.ts says).
 */
import type { DateTime } from 'luxon';
import { approximateMinutes, describeDuration, type Duration, parseDuration } from '../durations';
import type { Message, Words } from '../messages/core';
import { LADDER_MESSAGES as M, LADDER_OWNER } from '../messages/ladder';
import type { PathSegment } from '../parse';
import type { DeadlineInput, PlanInput, ReminderInput, RungEndInput, RungInput } from '../schema';
import type { DeadlineKind, EscalationAudience, EscalationStep, Language, ReminderStep } from '../timeline';
import { type Campaign, formatInstant, localInstant, sameTimeDaysAway } from './campaign';
import { type ChaseContext, chaseEnd } from './chasing';
import type { Report } from './report';

/** Used when the plan has no `defaults.reminders`. */
export const DEFAULT_REMINDERS = ['3d', '1d', '2h'];
/** Used when the plan has no `defaults.escalation`. */
export const DEFAULT_ESCALATION: RungInput[] = [
  { after: '0h', to: ['department', 'leaders'] },
  { after: '1wd', to: ['coordinator'] },
  { every: '1d', to: ['department', 'leaders'] },
];
export const MAX_ESCALATIONS_PER_OCCURRENCE = 1000;

interface ReminderRung {
  kind: 'before' | 'at';
  duration?: Duration;
  date?: string;
  time?: string;
  text: string;
  path: PathSegment[];
}

interface EscalationRung {
  kind: 'after' | 'every';
  duration: Duration;
  to: EscalationAudience[];
  label: string;
  path: PathSegment[];
  /** A repeating rung's end as written (until:, times:); see chasing.ts. */
  until?: RungEndInput;
  times?: number;
}

export interface Ladder {
  reminders: ReminderRung[];
  escalation: EscalationRung[];
  /** Where the reminders / escalation came from, for messages. */
  remindersFrom: 'deadline' | 'defaults' | 'built-in';
  escalationFrom: 'deadline' | 'defaults' | 'built-in';
}

/** The ladder of every deadline that has none of its own: defaults:, else the built-in one. */
export function defaultLadder(defaults: PlanInput['defaults'], language: Language, report: Report): Ladder {
  const reminders = defaults?.reminders
    ? compileReminders(report, defaults.reminders, ['defaults', 'reminders'], true, LADDER_OWNER.defaultReminders)
    : compileReminders(report, DEFAULT_REMINDERS, ['defaults'], true, LADDER_OWNER.builtInReminders);
  const escalation = defaults?.escalation
    ? compileEscalation(report, language, defaults.escalation, ['defaults', 'escalation'], LADDER_OWNER.defaultEscalation)
    : compileEscalation(report, language, DEFAULT_ESCALATION, ['defaults'], LADDER_OWNER.builtInEscalation);
  return {
    reminders,
    escalation,
    remindersFrom: defaults?.reminders ? 'defaults' : 'built-in',
    escalationFrom: defaults?.escalation ? 'defaults' : 'built-in',
  };
}

/** A deadline's ladder: its own reminders: and escalation: where it has them, the defaults otherwise. */
export function deadlineLadder(d: DeadlineInput, base: PathSegment[], defaults: Ladder, language: Language, report: Report): Ladder {
  if (!d.reminders && !d.escalation) return defaults;
  return {
    reminders: d.reminders ? compileReminders(report, d.reminders, [...base, 'reminders'], false, LADDER_OWNER.deadline(d.id)) : defaults.reminders,
    escalation: d.escalation ? compileEscalation(report, language, d.escalation, [...base, 'escalation'], LADDER_OWNER.deadline(d.id)) : defaults.escalation,
    remindersFrom: d.reminders ? 'deadline' : defaults.remindersFrom,
    escalationFrom: d.escalation ? 'deadline' : defaults.escalationFrom,
  };
}

function compileReminders(report: Report, list: ReminderInput[], base: PathSegment[], inDefaults: boolean, owner: Words): ReminderRung[] {
  const out: ReminderRung[] = [];
  const seen = new Map<string, number>();
  list.forEach((r, j) => {
    const path = base[base.length - 1] === 'reminders' ? [...base, j] : base;
    if (typeof r === 'string') {
      const duration = parseDuration(r);
      if (!duration) return; // reported by the schema
      const k = `${duration.amount}${duration.unit}`;
      if (seen.has(k)) {
        report.error(path, M.reminderTwice(owner, r));
        return;
      }
      seen.set(k, j);
      out.push({ kind: 'before', duration, text: duration.text, path });
    } else {
      if (inDefaults) {
        report.error(path, M.fixedReminderInDefaults(owner));
        return;
      }
      out.push({ kind: 'at', date: r.date, time: r.time, text: r.time ? `${r.date} ${r.time}` : r.date, path });
    }
  });
  return out;
}

function compileEscalation(report: Report, language: Language, list: RungInput[], base: PathSegment[], owner: Words): EscalationRung[] {
  const out: EscalationRung[] = [];
  const where = (j: number) => (base[base.length - 1] === 'escalation' ? [...base, j] : base);
  let lastAfter: { minutes: number; text: string; index: number } | undefined;
  let everyIndex: number | undefined;
  list.forEach((r, j) => {
    const path = where(j);
    const text = r.after ?? r.every;
    const duration = text !== undefined ? parseDuration(text) : undefined;
    if (!duration) return; // reported by the schema
    const kind = r.after !== undefined ? 'after' : 'every';
    if (everyIndex !== undefined) {
      report.error(path, M.rungAfterEvery(owner, j + 1, everyIndex + 1));
      return;
    }
    if (kind === 'after') {
      const minutes = approximateMinutes(duration);
      if (lastAfter && minutes <= lastAfter.minutes) {
        report.error(path, M.rungsOutOfOrder(owner, j + 1, duration.text, lastAfter.index + 1, lastAfter.text));
        return;
      }
      lastAfter = { minutes, text: duration.text, index: j };
    } else {
      everyIndex = j;
      if (duration.amount === 0) {
        report.error(path, M.everyZero(owner, duration.text));
        return;
      }
      if (approximateMinutes(duration) < 60) {
        report.error(path, M.everyTooOften(owner, duration.text));
        return;
      }
    }
    out.push({
      kind,
      duration,
      to: [...r.to],
      label: r.label ?? rungLabel(language, kind, duration),
      path,
      ...(r.until !== undefined ? { until: r.until } : {}),
      ...(r.times !== undefined ? { times: r.times } : {}),
    });
  });
  return out;
}

/** The label of a rung the plan gives none: 到期, 逾期1个工作日, 每天 / at due, 1 working day late, daily. */
function rungLabel(language: Language, kind: 'after' | 'every', d: Duration): string {
  const en = language === 'en';
  if (kind === 'after') {
    if (d.amount === 0) return en ? 'at due' : '到期';
    return en ? `${describeDuration(d, 'en')} late` : `逾期${describeDuration(d, 'zh-CN')}`;
  }
  if (d.amount === 1) {
    const one = { d: ['daily', '每天'], h: ['hourly', '每小时'], m: ['every minute', '每分钟'], wd: ['every working day', '每个工作日'] }[d.unit];
    return en ? one[0] : one[1];
  }
  return en ? `every ${describeDuration(d, 'en')}` : `每${describeDuration(d, 'zh-CN')}`;
}

/** One occurrence as its ladder sees it. */
export interface LadderOccurrence {
  deadline: string;
  kind: DeadlineKind;
  due: DateTime;
  /** The due's local date, yyyy-MM-dd. */
  dueDate: string;
  /** When the occurrence opens: the period start, or the previous occurrence's due. */
  opens: DateTime;
  /** Where its escalation stops: the next occurrence's due, or the period end. */
  limit: DateTime;
  /** Where the deadline's schedule is written: what a built-in rung's warnings point at. */
  schedulePath: PathSegment[];
}

/**
 * The reminders of one occurrence, in time order. Reminders that would come before it opens are
 * an error when the plan wrote them for this one-off deadline, and otherwise left out and
 * collected in `dropped` (reminder text → due dates) for one warning per deadline; those that
 * would come before the notice is issued (campaign.issued) are left out and collected in
 * `beforeNotice` the same way.
 */
export function reminderSteps(
  campaign: Campaign,
  report: Report,
  ladder: Ladder,
  occ: LadderOccurrence,
  dropped: Map<string, string[]>,
  beforeNotice: Map<string, string[]>,
): ReminderStep[] {
  const { deadline, kind, due, dueDate, opens } = occ;
  const steps: Array<{ at: DateTime; before: string }> = [];
  for (const r of ladder.reminders) {
    const written = { path: ladder.remindersFrom === 'built-in' ? occ.schedulePath : r.path };
    let at: DateTime;
    if (r.kind === 'at') {
      if (kind !== 'one-off') continue; // reported in compileDeadline
      at = localInstant(campaign, r.date!, r.time ?? due.toFormat('HH:mm'), written);
      if (at > due) {
        report.error(r.path, M.reminderAfterDeadline(deadline, at.toFormat('yyyy-MM-dd HH:mm'), due.toFormat('yyyy-MM-dd HH:mm')));
        continue;
      }
    } else {
      const dur = r.duration!;
      at =
        dur.unit === 'wd'
          ? localInstant(campaign, campaign.cal.addWorkingDays(dueDate, -dur.amount), due.toFormat('HH:mm'), written)
          : dur.unit === 'd'
            ? sameTimeDaysAway(campaign, due, -dur.amount, written)
            : due.minus(dur.unit === 'h' ? { hours: dur.amount } : { minutes: dur.amount });
    }
    if (at < opens) {
      // A reminder the plan wrote for this very deadline is a mistake; one inherited from the
      // campaign-wide ladder simply does not fit an early deadline and is left out (warning).
      if (kind === 'one-off' && ladder.remindersFrom === 'deadline') {
        report.error(r.path, M.reminderBeforePeriod(deadline, r.text, at.toFormat('yyyy-MM-dd HH:mm'), campaign.periodStartDate));
      } else {
        const list = dropped.get(r.text) ?? [];
        list.push(dueDate);
        dropped.set(r.text, list);
      }
      continue;
    }
    if (campaign.issuedStart && at < campaign.issuedStart) {
      beforeNotice.set(r.text, [...(beforeNotice.get(r.text) ?? []), dueDate]);
      continue;
    }
    if (steps.some((s) => s.at.toMillis() === at.toMillis())) continue;
    steps.push({ at, before: r.text });
  }
  steps.sort((x, y) => x.at.toMillis() - y.at.toMillis());
  return steps.map((s) => ({ at: formatInstant(s.at), before: s.before }));
}

/** One warning per reminder left out of some occurrences (see reminderSteps). */
export function warnDroppedReminders(report: Report, deadline: string, ladder: Ladder, dropped: Map<string, string[]>, schedulePath: PathSegment[]): void {
  for (const [text, dates] of dropped) {
    const r = ladder.reminders.find((q) => q.text === text);
    const path = r && ladder.remindersFrom === 'deadline' ? r.path : schedulePath;
    report.warn(path, M.remindersLeftOut(deadline, text, ladder.remindersFrom, dates));
  }
}

/**
 * The escalation steps of one occurrence: each after: rung once, then the every: rung repeated
 * until the occurrence's limit or the rung's own end (chasing.ts), whichever comes first. A
 * one-off deadline's after: rung that falls past the period is left out and its warning added to
 * `droppedRungs`; an occurrence whose chasing the default bound cut short is added to
 * `chase.capped`.
 */
export function escalationSteps(
  campaign: Campaign,
  report: Report,
  ladder: Ladder,
  occ: LadderOccurrence,
  droppedRungs: Map<string, Message>,
  chase: ChaseContext,
): EscalationStep[] {
  const { deadline, kind, due, dueDate, limit } = occ;
  const steps: EscalationStep[] = [];
  const plus = (from: DateTime, fromDate: string, dur: Duration, path: PathSegment[]): { at: DateTime; date: string } => {
    if (dur.unit === 'wd') {
      const date = campaign.cal.addWorkingDays(fromDate, dur.amount);
      const at = localInstant(campaign, date, from.toFormat('HH:mm:ss.SSS'), { path });
      return { at, date };
    }
    const at = dur.unit === 'd' ? sameTimeDaysAway(campaign, from, dur.amount, { path }) : from.plus(dur.unit === 'h' ? { hours: dur.amount } : { minutes: dur.amount });
    return { at, date: at.toFormat('yyyy-MM-dd') };
  };
  let prev = { at: due, date: dueDate };
  ladder.escalation.forEach((rung, idx) => {
    const step = idx + 1;
    const path = ladder.escalationFrom === 'built-in' ? occ.schedulePath : rung.path;
    if (rung.kind === 'after') {
      const next = plus(due, dueDate, rung.duration, path);
      if (next.at >= limit) {
        if (kind === 'one-off') {
          const m = M.rungAfterPeriod(deadline, step, rung.duration.text, next.at.toFormat('yyyy-MM-dd HH:mm'), campaign.periodEndDate);
          droppedRungs.set(m.en, m);
        }
        prev = next;
        return;
      }
      steps.push({ at: formatInstant(next.at), step, to: [...rung.to], label: rung.label });
      prev = next;
    } else {
      let cur = plus(prev.at, prev.date, rung.duration, path);
      let count = 0;
      const end = chaseEnd(campaign, { ...rung, path }, due, chase);
      while (cur.at < limit && (!end.stopAt || cur.at < end.stopAt)) {
        if (count >= end.max) {
          if (end.byDefault) chase.capped.push(dueDate);
          return;
        }
        if (++count > MAX_ESCALATIONS_PER_OCCURRENCE) {
          report.error(rung.path, M.tooManyEscalations(rung.duration.text, MAX_ESCALATIONS_PER_OCCURRENCE, deadline));
          return;
        }
        steps.push({ at: formatInstant(cur.at), step, to: [...rung.to], label: rung.label });
        cur = plus(cur.at, cur.date, rung.duration, path);
      }
    }
  });
  return steps;
}
