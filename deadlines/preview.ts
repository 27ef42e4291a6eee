/**
 * Human views of a compiled plan: the text timeline `campaign preview` prints (with, per
 * deadline, the most messages one department can receive for one obligation, and the notice's
 * words next to the due they were read as), its JSON form, and one iCalendar file per
 * department. Pure and deterministic.
 */
import { DateTime } from 'luxon';
import { createWorkCalendar, type WorkCalendar } from './calendar';
import { describeDuration, parseDuration } from './durations';
import { icsCalendar, type IcsEvent } from './ics';
import { type CompiledDeadline, type CompiledOccurrence, type CompiledPlan, type EscalationAudience, expandObligations, messagesToDepartment } from './timeline';

const WEEKDAYS_ZH = ['星期一', '星期二', '星期三', '星期四', '星期五', '星期六', '星期日'];
const WEEKDAYS_EN = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

type StepKind = 'reminder' | 'due' | 'escalation';

interface Line {
  at: DateTime;
  kind: StepKind;
  deadlineIndex: number;
  text: string;
}

const WORDS = {
  'zh-CN': {
    reminder: '提醒',
    due: '截止',
    escalation: '催办',
    off: '休',
    adjusted: '班',
    period: '活动期间',
    to: '至',
    deadlines: '项任务',
    departments: '个单位',
    obligations: '项报送',
    open: '随时报送',
    movedFrom: (from: string, rule: string) => `原定${from}，${rule === 'previous_working_day' ? '提前至前一工作日' : '顺延至下一工作日'}`,
    nonWorking: '非工作日',
    audience: { department: '责任单位', leaders: '分管领导', coordinator: '牵头处室' } as Record<EscalationAudience, string>,
    cc: '抄送',
    submitReport: '报告',
    submitAttachments: '附件',
    summaryPrefix: '截止',
    before: (t: string) => {
      const d = parseDuration(t);
      return `提前${d ? describeDuration(d, 'zh-CN') : t}`;
    },
    mostMessages: '单个单位每项报送最多收到的消息（提醒＋催办）：',
    messageCount: (total: number, reminders: number, escalations: number) => `最多${total}条（提醒${reminders}条，催办${escalations}条）`,
    notice: (quote: string) => `通知原文：“${quote}”`,
    readAs: (due: string, count: number, reading?: string) =>
      `${count > 1 ? '首次截止' : '截止'} ${due}${reading ? `（${reading}）` : ''}${count > 1 ? `，共${count}次` : ''}`,
    readings: { end_of_workday: '当日下班前', start_of_day: '当日零时前，即前一天内' },
  },
  en: {
    reminder: 'reminder',
    due: 'due',
    escalation: 'escalation',
    off: 'off',
    adjusted: 'workday',
    period: 'Period',
    to: 'to',
    deadlines: 'deadlines',
    departments: 'departments',
    obligations: 'obligations',
    open: 'Any time',
    movedFrom: (from: string, rule: string) => `moved from ${from} to the ${rule === 'previous_working_day' ? 'previous' : 'next'} working day`,
    nonWorking: 'non-working day',
    audience: { department: 'department', leaders: 'leaders', coordinator: 'coordinator' } as Record<EscalationAudience, string>,
    cc: 'cc',
    submitReport: 'report',
    submitAttachments: 'attachments',
    summaryPrefix: 'Due',
    before: (t: string) => {
      const d = parseDuration(t);
      return `${d ? describeDuration(d, 'en') : t} before`;
    },
    mostMessages: 'Most messages one department can receive for one obligation (reminders + escalations):',
    messageCount: (total: number, reminders: number, escalations: number) =>
      `at most ${total} (${reminders} reminder${reminders === 1 ? '' : 's'}, ${escalations} escalation${escalations === 1 ? '' : 's'})`,
    notice: (quote: string) => `Notice: "${quote}"`,
    readAs: (due: string, count: number, reading?: string) =>
      `${count > 1 ? 'first due' : 'due'} ${due}${reading ? ` (${reading})` : ''}${count > 1 ? `, ${count} times` : ''}`,
    readings: { end_of_workday: 'by the end of that working day', start_of_day: 'before that day begins' },
  },
};

function words(plan: CompiledPlan) {
  return WORDS[plan.campaign.language] ?? WORDS['zh-CN'];
}

/** The working-day calendar the plan was compiled with (built-in tables plus the plan's additions). */
export function planCalendar(plan: CompiledPlan): WorkCalendar {
  const c = plan.calendar;
  return createWorkCalendar(c ? { holidays: c.holidays, workdays: c.workdays, springFestivalHoliday: c.springFestivalHoliday } : {});
}

/** Who a deadline is for, short: group names with a count, a few names, or a count. */
export function describeDepartments(plan: CompiledPlan, d: CompiledDeadline): string {
  const w = words(plan);
  const n = d.departments.length;
  const groupNames = new Map((plan.groups ?? []).map((g) => [g.id, g.name]));
  const deptNames = new Map(plan.departments.map((x) => [x.id, x.name]));
  const count = plan.campaign.language === 'en' ? `${n} ${n === 1 ? 'department' : w.departments}` : `${n}${w.departments}`;
  if (d.from && d.from.length > 0 && d.from.every((id) => groupNames.has(id))) {
    const names = d.from.map((id) => groupNames.get(id)).join(plan.campaign.language === 'en' ? ', ' : '、');
    return plan.campaign.language === 'en' ? `${names} (${count})` : `${names}（${count}）`;
  }
  if (n <= 3) return d.departments.map((id) => deptNames.get(id) ?? id).join(plan.campaign.language === 'en' ? ', ' : '、');
  return count;
}

function audienceText(plan: CompiledPlan, to: EscalationAudience[]): string {
  const w = words(plan);
  const [first, ...rest] = to;
  const main = w.audience[first] ?? first;
  if (!rest.length) return main;
  const copies = rest.map((a) => w.audience[a] ?? a);
  return plan.campaign.language === 'en' ? `${main}, ${w.cc} ${copies.join(', ')}` : `${main}，${w.cc}${copies.join('、')}`;
}

/**
 * The text timeline: one block per local date (with the weekday, 休 for statutory holidays and
 * weekends off, 班 for adjusted working days), one line per step.
 */
export function previewText(plan: CompiledPlan): string {
  const w = words(plan);
  const en = plan.campaign.language === 'en';
  const zone = plan.campaign.timezone;
  const cal = planCalendar(plan);
  const lines: Line[] = [];
  const open: string[] = [];
  plan.deadlines.forEach((d, di) => {
    const who = describeDepartments(plan, d);
    if (d.kind === 'open') {
      open.push(`  ${d.title} — ${who}`);
      return;
    }
    for (const occ of d.occurrences) {
      for (const r of occ.reminders) {
        lines.push({ at: DateTime.fromISO(r.at, { zone }), kind: 'reminder', deadlineIndex: di, text: `${w.reminder}${en ? ` (${w.before(r.before)})` : `（${w.before(r.before)}）`}  ${d.title} — ${who}` });
      }
      const notes: string[] = [];
      if (occ.moved) notes.push(w.movedFrom(DateTime.fromISO(occ.moved.from, { zone }).toFormat('yyyy-MM-dd'), occ.moved.rule));
      if (occ.nonWorkingDay) notes.push(w.nonWorking);
      const note = notes.length ? (en ? ` (${notes.join('; ')})` : `（${notes.join('；')}）`) : '';
      lines.push({ at: DateTime.fromISO(occ.due, { zone }), kind: 'due', deadlineIndex: di, text: `${w.due}  ${d.title} — ${who}${note}` });
      for (const e of occ.escalations) {
        lines.push({
          at: DateTime.fromISO(e.at, { zone }),
          kind: 'escalation',
          deadlineIndex: di,
          text: `${w.escalation} ${e.step}${en ? ` (${e.label})` : `（${e.label}）`}  ${d.title} — ${who} → ${audienceText(plan, e.to)}`,
        });
      }
    }
  });
  const order: Record<StepKind, number> = { reminder: 0, due: 1, escalation: 2 };
  lines.sort((a, b) => a.at.toMillis() - b.at.toMillis() || order[a.kind] - order[b.kind] || a.deadlineIndex - b.deadlineIndex);

  const c = plan.campaign;
  const obligations = expandObligations(plan).length;
  const out: string[] = [];
  out.push(`${c.title} (${c.id})`);
  out.push(
    `${w.period}: ${DateTime.fromISO(c.periodStart, { zone }).toFormat('yyyy-MM-dd')} ${w.to} ${DateTime.fromISO(c.periodEnd, { zone }).toFormat('yyyy-MM-dd')} · ${c.timezone} · ` +
      (en
        ? `${plan.deadlines.length} ${w.deadlines} · ${plan.departments.length} ${w.departments} · ${obligations} ${w.obligations}`
        : `${plan.deadlines.length}${w.deadlines} · ${plan.departments.length}${w.departments} · ${obligations}${w.obligations}`),
  );
  if (open.length) {
    out.push(`${w.open}:`);
    out.push(...open);
  }
  out.push(...deadlineSummaries(plan));
  let currentDate = '';
  for (const line of lines) {
    const date = line.at.toFormat('yyyy-MM-dd');
    if (date !== currentDate) {
      currentDate = date;
      out.push('');
      out.push(dateHeader(date, cal, en));
    }
    out.push(`  ${line.at.toFormat('HH:mm')}  ${line.text}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Per deadline with a due: the most messages one department can receive for one obligation (the
 * occurrence with the most reminders and escalations to the department or its leaders), and the
 * notice's words with the due they were read as — "X月Y日前" by the end of that working day or
 * before that day begins — so that a coordinator can check the reading.
 */
export function deadlineSummaries(plan: CompiledPlan): string[] {
  const w = words(plan);
  const en = plan.campaign.language === 'en';
  const zone = plan.campaign.timezone;
  const out: string[] = [];
  for (const d of plan.deadlines) {
    if (d.kind === 'open' || d.occurrences.length === 0) continue;
    let worst: CompiledOccurrence = d.occurrences[0];
    for (const o of d.occurrences) if (messagesToDepartment(o) > messagesToDepartment(worst)) worst = o;
    const total = messagesToDepartment(worst);
    out.push(`  ${d.title}${en ? ': ' : '：'}${w.messageCount(total, worst.reminders.length, total - worst.reminders.length)}`);
    if (d.quote === undefined && d.dateMeans === undefined) continue;
    const first = DateTime.fromISO(d.occurrences[0].due, { zone });
    const reading = d.dateMeans ?? (first.toFormat('HH:mm') === plan.campaign.endOfWorkday ? 'end_of_workday' : undefined);
    const readAs = w.readAs(first.toFormat('yyyy-MM-dd HH:mm'), d.occurrences.length, reading ? w.readings[reading] : undefined);
    out.push(`    ${d.quote !== undefined ? `${w.notice(d.quote)} → ` : ''}${readAs}`);
  }
  return out.length ? [w.mostMessages, ...out] : [];
}

/** `2024-02-10 星期六 休 春节`, `2024-02-04 星期日 班`, `2024-02-01 星期四`. */
export function dateHeader(date: string, cal: WorkCalendar, en = false): string {
  const dt = DateTime.fromISO(date);
  const weekday = (en ? WEEKDAYS_EN : WEEKDAYS_ZH)[dt.weekday - 1];
  const w = en ? WORDS.en : WORDS['zh-CN'];
  const working = cal.isWorkingDay(date);
  const weekend = dt.weekday >= 6;
  const parts = [date, weekday];
  if (!working) {
    parts.push(w.off);
    const holiday = cal.holidayName(date);
    if (holiday) parts.push(holiday);
  } else if (weekend) parts.push(w.adjusted);
  return parts.join(' ');
}

export interface PreviewJson {
  campaign: CompiledPlan['campaign'];
  obligations: Array<{ deadline: string; department: string; due: string; reminders: string[]; escalations: string[] }>;
}

/** The JSON form of the preview: the campaign and one entry per deadline occurrence × department. */
export function previewJson(plan: CompiledPlan): PreviewJson {
  return {
    campaign: plan.campaign,
    obligations: expandObligations(plan).map((o) => ({
      deadline: o.deadline,
      department: o.department,
      due: o.due,
      reminders: o.reminders,
      escalations: o.escalations,
    })),
  };
}

/**
 * One iCalendar file per department with the due times of its deadlines (open deadlines have no
 * due time and are left out). Output is reproducible: DTSTAMP is the period start.
 */
export function departmentCalendars(plan: CompiledPlan): Array<{ department: string; ics: string }> {
  const w = words(plan);
  const en = plan.campaign.language === 'en';
  const forms = new Map(plan.forms.map((f) => [f.id, f.title]));
  return plan.departments.map((dept) => {
    const events: IcsEvent[] = [];
    for (const d of plan.deadlines) {
      if (d.kind === 'open' || !d.departments.includes(dept.id)) continue;
      const what = [
        d.submit.report ? w.submitReport : undefined,
        d.submit.attachments ? w.submitAttachments : undefined,
        d.submit.form ? (forms.get(d.submit.form) ?? d.submit.form) : undefined,
      ].filter((x): x is string => x !== undefined);
      for (const occ of d.occurrences) {
        const description = [
          d.description,
          d.quote ? (en ? `Notice: ${d.quote}` : `通知原文：${d.quote}`) : undefined,
          what.length ? (en ? `Submit: ${what.join(', ')}` : `报送内容：${what.join('、')}`) : undefined,
          occ.moved ? w.movedFrom(occ.moved.from.slice(0, 10), occ.moved.rule) : undefined,
          `${plan.campaign.title} · ${plan.campaign.office.name}`,
        ]
          .filter((x): x is string => x !== undefined && x !== '')
          .join('\n');
        events.push({
          uid: `${occ.key}.${dept.id}@${plan.campaign.id}`,
          start: occ.due,
          summary: `${w.summaryPrefix}${en ? ': ' : '：'}${d.title}`,
          description,
          alarmMinutesBefore: 60,
        });
      }
    }
    events.sort((a, b) => DateTime.fromISO(a.start).toMillis() - DateTime.fromISO(b.start).toMillis() || (a.uid < b.uid ? -1 : 1));
    const ics = icsCalendar(events, {
      name: `${plan.campaign.title} · ${dept.name}`,
      timezone: plan.campaign.timezone,
      stamp: plan.campaign.periodStart,
    });
    return { department: dept.id, ics };
  });
}
