/**
 * Validated plan (schema.ts) → compiled timeline (timeline.ts).
 *
 * Pure and deterministic: the same plan gives byte-identical output on any machine, in any
 * process time zone (all arithmetic is on local dates of the campaign zone with luxon, and on the
 * working-day calendar of deadlines/calendar). Every instant is written
 * `yyyy-MM-ddTHH:mm:ss.SSS±HH:mm` in the campaign zone, e.g. 2024-02-02T18:00:00.000+08:00.
 *
 * Besides computing the timeline it checks what the schema cannot: references between sections,
 * duplicate ids, dates against the period, the escalation ladder, schedules that produce nothing.
 * Problems come back as diagnostics pinned to the plan's lines; nothing here throws for a plan
 * that passed the schema.
 */
import { DateTime } from 'luxon';
import {
  addCalendarDays,
  createWorkCalendar,
  formatLunarDate,
  isoWeekday,
  lunarDatesInRange,
  lunarToSolar,
  parseLunarText,
  solarToLunar,
  springFestival,
  toDayNumber,
  type WorkCalendar,
} from './calendar';
import { closest, type Diagnostic, type Position } from './diagnostics';
import { approximateMinutes, describeDuration, type Duration, parseDuration } from './durations';
import type { Locator, PathSegment } from './parse';
import {
  type Anchor,
  type ColumnInput,
  type DateOrRelative,
  type NonWorkingDayRule,
  parseWeekday,
  type PlanInput,
  type ReminderInput,
  type RungInput,
  SCHEDULE_KINDS,
  type ScheduleInput,
} from './schema';
import type {
  CompiledDeadline,
  CompiledDepartment,
  CompiledForm,
  CompiledOccurrence,
  CompiledPlan,
  Contact,
  DeadlineKind,
  EscalationAudience,
  EscalationStep,
  FormColumn,
  Language,
  ReminderStep,
} from './timeline';

export interface CompileContext {
  file: string;
  locate: Locator;
}

export interface CompileResult {
  /** Present when there are no errors. */
  plan?: CompiledPlan;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';
export const DEFAULT_END_OF_WORKDAY = '18:00';
/** Used when the plan has no `defaults.reminders`. */
export const DEFAULT_REMINDERS = ['3d', '1d', '2h'];
/** Used when the plan has no `defaults.escalation`. */
export const DEFAULT_ESCALATION: RungInput[] = [
  { after: '0h', to: ['department', 'leaders'] },
  { after: '1wd', to: ['coordinator'] },
  { every: '1d', to: ['department', 'leaders'] },
];
/** A campaign plan covers at most this many days (keeps every computation small). */
export const MAX_PERIOD_DAYS = 731;
export const MAX_OCCURRENCES = 400;
export const MAX_ESCALATIONS_PER_OCCURRENCE = 1000;

/** The one ISO-8601 form used for every instant: milliseconds and a numeric offset. */
export function formatInstant(dt: DateTime): string {
  return dt.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZ");
}

const ENGLISH_WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

// ---------------------------------------------------------------------------------------------
// Reference checks on raw data (run even when the structure has errors)

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Duplicate ids and references to departments, groups and forms that do not exist. Works on the
 * raw YAML data and ignores whatever is malformed (the schema reports that), so that these
 * mistakes are reported together with structural ones.
 */
export function checkReferences(raw: unknown, ctx: CompileContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!isObj(raw)) return out;
  const err = (path: PathSegment[], message: string, target: 'key' | 'value' = 'value') => {
    const p = ctx.locate(path, target);
    out.push({ file: ctx.file, line: p.line, col: p.col, severity: 'error', message });
  };

  const firstSeen = <T>(items: unknown[], idOf: (x: unknown) => string | undefined, basePath: PathSegment[], what: string) => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const id = idOf(item);
      if (id === undefined) return;
      const prev = seen.get(id);
      if (prev !== undefined) {
        const first = ctx.locate([...basePath, prev, 'id']);
        err([...basePath, i, 'id'], `duplicate ${what} id '${id}': it is already used at line ${first.line}; give each ${what} its own id`);
      } else seen.set(id, i);
    });
    return seen;
  };

  const departments = arr(raw.departments);
  const deptIds = firstSeen(departments, (d) => (isObj(d) ? str(d.id) : undefined), ['departments'], 'department');
  const groups = isObj(raw.groups) ? raw.groups : undefined;
  const groupIds = new Set(groups ? Object.keys(groups) : []);
  for (const g of groupIds) {
    if (deptIds.has(g)) {
      err(['groups', g], `group '${g}' has the same id as a department; from: could not tell them apart — rename the group (e.g. '${g}-all')`, 'key');
    }
  }
  const members = new Map<string, number>();
  departments.forEach((d, i) => {
    if (!isObj(d)) return;
    arr(d.groups).forEach((g, j) => {
      const gid = str(g);
      if (gid === undefined) return;
      if (!groupIds.has(gid)) {
        const near = closest(gid, groupIds);
        err(
          ['departments', i, 'groups', j],
          groupIds.size === 0
            ? `unknown group '${gid}': the plan has no groups: section — add groups: { ${gid}: { name: … } }`
            : `unknown group '${gid}'${near ? ` — did you mean '${near}'?` : ''} (groups are defined under groups:${near ? '' : `; known: ${[...groupIds].join(', ')}`})`,
        );
      } else members.set(gid, (members.get(gid) ?? 0) + 1);
    });
  });

  const forms = arr(raw.forms);
  const formIds = firstSeen(forms, (f) => (isObj(f) ? str(f.id) : undefined), ['forms'], 'form');
  forms.forEach((f, i) => {
    if (!isObj(f)) return;
    const seen = new Map<string, PathSegment[]>();
    const walk = (cols: unknown, path: PathSegment[]) => {
      arr(cols).forEach((c, j) => {
        if (!isObj(c)) return;
        const id = str(c.id);
        if (id !== undefined) {
          const prev = seen.get(id);
          if (prev) {
            const first = ctx.locate([...prev, 'id']);
            err([...path, j, 'id'], `duplicate column id '${id}' in form '${str(f.id) ?? `#${i + 1}`}': it is already used at line ${first.line}; give each column (and sub-column) its own id`);
          } else seen.set(id, [...path, j]);
        }
        walk(c.of_which, [...path, j, 'of_which']);
      });
    };
    walk(f.columns, ['forms', i, 'columns']);
  });

  const deadlines = arr(raw.deadlines);
  firstSeen(deadlines, (d) => (isObj(d) ? str(d.id) : undefined), ['deadlines'], 'deadline');
  const referable = [...deptIds.keys(), ...groupIds];
  deadlines.forEach((d, i) => {
    if (!isObj(d)) return;
    arr(d.from).forEach((ref, j) => {
      const id = str(ref);
      if (id === undefined) return;
      if (groupIds.has(id)) {
        if (!members.has(id)) {
          err(['deadlines', i, 'from', j], `group '${id}' has no departments: add '${id}' to the groups: list of each department that belongs to it`);
        }
        return;
      }
      if (deptIds.has(id)) return;
      const near = closest(id, referable);
      err(
        ['deadlines', i, 'from', j],
        `unknown department or group '${id}'${near ? ` — did you mean '${near}'?` : ''} (from: takes ids from departments: and groups:)`,
      );
    });
    const submit = d.submit;
    if (isObj(submit)) {
      const form = str(submit.form);
      if (form !== undefined && !formIds.has(form)) {
        const near = closest(form, formIds.keys());
        err(
          ['deadlines', i, 'submit', 'form'],
          formIds.size === 0
            ? `unknown form '${form}': the plan has no forms: section — define the statistics table under forms:`
            : `unknown form '${form}'${near ? ` — did you mean '${near}'?` : ''} (forms are defined under forms:)`,
        );
      }
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Compilation

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
}

interface Ladder {
  reminders: ReminderRung[];
  escalation: EscalationRung[];
  /** Where the reminders / escalation came from, for messages. */
  remindersFrom: 'deadline' | 'defaults' | 'built-in';
  escalationFrom: 'deadline' | 'defaults' | 'built-in';
}

interface RawOccurrence {
  date: string;
  time: string;
}

class Compiler {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];
  zone = DEFAULT_TIMEZONE;
  language: Language = 'zh-CN';
  endOfWorkday = DEFAULT_END_OF_WORKDAY;
  periodStartDate = '';
  periodEndDate = '';
  periodStart!: DateTime;
  periodEnd!: DateTime;
  cal!: WorkCalendar;

  constructor(
    readonly input: PlanInput,
    readonly ctx: CompileContext,
  ) {}

  pos(path: PathSegment[], target: 'key' | 'value' = 'value'): Position {
    return this.ctx.locate(path, target);
  }

  error(path: PathSegment[], message: string, target: 'key' | 'value' = 'value'): void {
    const p = this.pos(path, target);
    this.errors.push({ file: this.ctx.file, line: p.line, col: p.col, severity: 'error', message });
  }

  warn(path: PathSegment[], message: string, target: 'key' | 'value' = 'value'): void {
    const p = this.pos(path, target);
    this.warnings.push({ file: this.ctx.file, line: p.line, col: p.col, severity: 'warning', message });
  }

  local(date: string, time: string): DateTime {
    return DateTime.fromISO(`${date}T${time}`, { zone: this.zone });
  }

  dayLabel(date: string): string {
    const wd = ENGLISH_WEEKDAYS[isoWeekday(date) - 1];
    const holiday = this.cal.holidayName(date);
    return holiday ? `${wd}, ${holiday}` : wd;
  }

  compile(): CompiledPlan | undefined {
    const { input } = this;
    const c = input.campaign;
    this.zone = c.timezone ?? DEFAULT_TIMEZONE;
    this.language = c.language ?? 'zh-CN';
    this.endOfWorkday = c.end_of_workday ?? DEFAULT_END_OF_WORKDAY;
    this.periodStartDate = c.period.start;
    this.periodEndDate = c.period.end;

    const span = toDayNumber(c.period.end) - toDayNumber(c.period.start);
    if (span < 0) {
      this.error(
        ['campaign', 'period', 'end'],
        `campaign.period: the end (${c.period.end}) is before the start (${c.period.start}); the period runs from start to end, both days included`,
      );
      return undefined;
    }
    if (span + 1 > MAX_PERIOD_DAYS) {
      this.error(['campaign', 'period', 'end'], `campaign.period is ${span + 1} days long; a campaign plan covers at most ${MAX_PERIOD_DAYS} days — split it into one plan per campaign`);
      return undefined;
    }
    this.periodStart = DateTime.fromISO(c.period.start, { zone: this.zone }).startOf('day');
    this.periodEnd = DateTime.fromISO(c.period.end, { zone: this.zone }).endOf('day');

    if (!this.buildCalendar()) return undefined;
    this.checkHolidayData();

    const groups = input.groups ?? {};
    const departments: CompiledDepartment[] = input.departments.map((d) => ({
      id: d.id,
      name: d.name,
      contacts: d.contacts.map(toContact),
      leaders: (d.leaders ?? []).map(toContact),
      groups: [...new Set(d.groups ?? [])],
    }));
    const deptIndex = new Map(departments.map((d, i) => [d.id, i]));
    const forms: CompiledForm[] = (input.forms ?? []).map((f) => ({ id: f.id, title: f.title, columns: f.columns.map(toColumn) }));

    const defaults = this.defaultLadder();
    const deadlines: CompiledDeadline[] = [];
    input.deadlines.forEach((d, i) => {
      const compiled = this.compileDeadline(d, i, defaults, departments, deptIndex, groups);
      if (compiled) deadlines.push(compiled);
    });

    this.checkAudiences(deadlines, departments);

    if (this.errors.length > 0) return undefined;
    return {
      format: 1,
      campaign: {
        id: c.id,
        title: c.title,
        timezone: this.zone,
        language: this.language,
        periodStart: formatInstant(this.periodStart),
        periodEnd: formatInstant(this.periodEnd),
        endOfWorkday: this.endOfWorkday,
        office: { name: c.office.name, contacts: (c.office.contacts ?? []).map(toContact) },
      },
      calendar: {
        holidays: [...(input.calendar?.holidays ?? [])],
        workdays: [...(input.calendar?.workdays ?? [])],
        springFestivalHoliday: Object.fromEntries(
          Object.entries(input.calendar?.spring_festival_holiday ?? {}).map(([y, b]) => [y, { start: b.start, end: b.end }]),
        ),
      },
      departments,
      groups: Object.entries(groups).map(([id, g]) => ({ id, name: g.name })),
      forms,
      deadlines,
    };
  }

  // -- calendar ---------------------------------------------------------------------------------

  buildCalendar(): boolean {
    const cal = this.input.calendar ?? {};
    const holidays = cal.holidays ?? [];
    const workdays = cal.workdays ?? [];
    let ok = true;
    const holidaySet = new Map(holidays.map((d, i) => [d, i]));
    workdays.forEach((d, i) => {
      if (holidaySet.has(d)) {
        this.error(['calendar', 'workdays', i], `${d} is listed both under calendar.holidays and calendar.workdays; a day is either off or worked — remove it from one list`);
        ok = false;
      }
    });
    const sfh: Record<number, { start: string; end: string }> = {};
    for (const [year, block] of Object.entries(cal.spring_festival_holiday ?? {})) {
      const a = toDayNumber(block.start);
      const b = toDayNumber(block.end);
      if (b < a) {
        this.error(['calendar', 'spring_festival_holiday', year, 'end'], `calendar.spring_festival_holiday ${year}: the end (${block.end}) is before the start (${block.start})`);
        ok = false;
      } else if (b - a > 31) {
        this.error(['calendar', 'spring_festival_holiday', year], `calendar.spring_festival_holiday ${year}: ${block.start} to ${block.end} is longer than a month; give the statutory holiday block only`);
        ok = false;
      } else {
        const sf = springFestival(Number(year));
        if (Math.abs(toDayNumber(sf) - a) > 20) {
          this.warn(['calendar', 'spring_festival_holiday', year, 'start'], `calendar.spring_festival_holiday ${year} starts on ${block.start}, far from that year's Spring Festival (${sf}); check the year`);
        }
        sfh[Number(year)] = { start: block.start, end: block.end };
      }
    }
    if (!ok) return false;
    try {
      this.cal = createWorkCalendar({ holidays, workdays, springFestivalHoliday: sfh });
    } catch (e) {
      this.error(['calendar'], `calendar: ${(e as Error).message}`, 'key');
      return false;
    }
    return true;
  }

  checkHolidayData(): void {
    const first = Number(this.periodStartDate.slice(0, 4));
    const last = Number(this.periodEndDate.slice(0, 4));
    for (let y = first; y <= last; y++) {
      if (!this.cal.hasHolidayData(y)) {
        this.warn(
          ['campaign', 'period'],
          `there is no table of statutory holidays for ${y} yet: in ${y} only Saturdays and Sundays count as days off. Add that year's holidays and adjusted working days (调休) from the State Council notice under calendar.holidays and calendar.workdays`,
          'key',
        );
      }
    }
  }

  // -- ladders ----------------------------------------------------------------------------------

  defaultLadder(): Ladder {
    const d = this.input.defaults;
    const reminders = d?.reminders
      ? this.compileReminders(d.reminders, ['defaults', 'reminders'], true, 'defaults.reminders')
      : this.compileReminders(DEFAULT_REMINDERS, ['defaults'], true, 'built-in default reminders');
    const escalation = d?.escalation
      ? this.compileEscalation(d.escalation, ['defaults', 'escalation'], 'defaults.escalation')
      : this.compileEscalation(DEFAULT_ESCALATION, ['defaults'], 'built-in default escalation');
    return {
      reminders,
      escalation,
      remindersFrom: d?.reminders ? 'defaults' : 'built-in',
      escalationFrom: d?.escalation ? 'defaults' : 'built-in',
    };
  }

  compileReminders(list: ReminderInput[], base: PathSegment[], inDefaults: boolean, owner: string): ReminderRung[] {
    const out: ReminderRung[] = [];
    const seen = new Map<string, number>();
    list.forEach((r, j) => {
      const path = base[base.length - 1] === 'reminders' ? [...base, j] : base;
      if (typeof r === 'string') {
        const duration = parseDuration(r);
        if (!duration) return; // reported by the schema
        const k = `${duration.amount}${duration.unit}`;
        if (seen.has(k)) {
          this.error(path, `${owner}: the reminder ${r} is listed twice; remove one`);
          return;
        }
        seen.set(k, j);
        out.push({ kind: 'before', duration, text: duration.text, path });
      } else {
        if (inDefaults) {
          this.error(path, `${owner}: a reminder on a fixed date belongs to one deadline, not to defaults.reminders; use durations here (3d, 1d, 2h, 1wd)`);
          return;
        }
        out.push({ kind: 'at', date: r.date, time: r.time, text: r.time ? `${r.date} ${r.time}` : r.date, path });
      }
    });
    return out;
  }

  compileEscalation(list: RungInput[], base: PathSegment[], owner: string): EscalationRung[] {
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
        this.error(
          path,
          `${owner}: escalation rungs are out of order: rung ${j + 1} comes after the repeating rung ${everyIndex + 1} (every: …), which runs until the next occurrence or the period end; put the every: rung last`,
        );
        return;
      }
      if (kind === 'after') {
        const minutes = approximateMinutes(duration);
        if (lastAfter && minutes <= lastAfter.minutes) {
          this.error(
            path,
            `${owner}: escalation rungs are out of order: rung ${j + 1} (after ${duration.text}) must come later than rung ${lastAfter.index + 1} (after ${lastAfter.text}); list the rungs from the earliest to the latest`,
          );
          return;
        }
        lastAfter = { minutes, text: duration.text, index: j };
      } else {
        everyIndex = j;
        if (duration.amount === 0) {
          this.error(path, `${owner}: every: ${duration.text} would repeat without pause; use an interval such as 1d or 1wd`);
          return;
        }
        if (approximateMinutes(duration) < 60) {
          this.error(path, `${owner}: every: ${duration.text} would send a message more often than once an hour; use at least 1h (1d or 1wd is usual)`);
          return;
        }
      }
      out.push({ kind, duration, to: [...r.to], label: r.label ?? this.rungLabel(kind, duration), path });
    });
    return out;
  }

  rungLabel(kind: 'after' | 'every', d: Duration): string {
    const en = this.language === 'en';
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

  // -- deadlines --------------------------------------------------------------------------------

  compileDeadline(
    d: PlanInput['deadlines'][number],
    i: number,
    defaults: Ladder,
    departments: CompiledDepartment[],
    deptIndex: Map<string, number>,
    groups: NonNullable<PlanInput['groups']>,
  ): CompiledDeadline | undefined {
    const base: PathSegment[] = ['deadlines', i];
    const errorsBefore = this.errors.length;

    // Departments: every id in from (groups expanded), in the order of departments:.
    const chosen = new Set<number>();
    for (const ref of d.from) {
      const di = deptIndex.get(ref);
      if (di !== undefined) chosen.add(di);
      else if (ref in groups) departments.forEach((dep, k) => dep.groups.includes(ref) && chosen.add(k));
    }
    const deptIds = [...chosen].sort((a, b) => a - b).map((k) => departments[k].id);

    const kindKey = SCHEDULE_KINDS.find((k) => d.schedule[k] !== undefined);
    if (!kindKey) return undefined; // reported by the schema
    const kind: DeadlineKind = kindKey === 'open' ? 'open' : ['weekly', 'half_monthly', 'every_working_days'].includes(kindKey) ? 'recurring' : 'one-off';

    // Ladder for this deadline.
    let ladder: Ladder = defaults;
    if (d.reminders || d.escalation) {
      ladder = {
        reminders: d.reminders ? this.compileReminders(d.reminders, [...base, 'reminders'], false, `deadline '${d.id}'`) : defaults.reminders,
        escalation: d.escalation ? this.compileEscalation(d.escalation, [...base, 'escalation'], `deadline '${d.id}'`) : defaults.escalation,
        remindersFrom: d.reminders ? 'deadline' : defaults.remindersFrom,
        escalationFrom: d.escalation ? 'deadline' : defaults.escalationFrom,
      };
    }
    if (kind === 'open') {
      if (d.reminders && d.reminders.length > 0) {
        this.error([...base, 'reminders'], `deadline '${d.id}' is open (accepted any time in the period): it has no due time to remind of — remove reminders:`, 'key');
      }
      if (d.escalation && d.escalation.length > 0) {
        this.error([...base, 'escalation'], `deadline '${d.id}' is open (accepted any time in the period): nothing is ever late — remove escalation:`, 'key');
      }
      if (d.on_non_working_day) {
        this.warn([...base, 'on_non_working_day'], `deadline '${d.id}' is open: on_non_working_day has no effect`, 'key');
      }
    }
    if (kind === 'recurring') {
      ladder.reminders.forEach((r) => {
        if (r.kind === 'at' && ladder.remindersFrom === 'deadline') {
          this.error(r.path, `deadline '${d.id}' recurs: a reminder on a fixed date (${r.text}) fits only a one-off deadline; use a duration before each due, like 1d or 2h`);
        }
      });
    }

    const rule: NonWorkingDayRule = d.on_non_working_day ?? this.input.defaults?.on_non_working_day ?? 'keep';
    let occurrences: CompiledOccurrence[] = [];
    if (kind === 'open') {
      occurrences = [
        {
          key: `${d.id}@${this.periodEndDate}`,
          due: formatInstant(this.periodEnd),
          opens: formatInstant(this.periodStart),
          reminders: [],
          escalations: [],
        },
      ];
    } else {
      const raw = kind === 'one-off' ? this.oneOff(d, base, kindKey) : this.recurring(d, base, kindKey);
      if (raw && this.errors.length === errorsBefore) occurrences = this.buildOccurrences(d, base, kind, raw, rule, ladder);
    }

    if (this.errors.length > errorsBefore) return undefined;
    const submit = d.submit ?? {};
    return {
      id: d.id,
      title: d.title,
      kind,
      submit: { report: submit.report ?? true, ...(submit.form !== undefined ? { form: submit.form } : {}), attachments: submit.attachments ?? false },
      ...(d.description !== undefined ? { description: d.description } : {}),
      departments: deptIds,
      from: [...d.from],
      ...(d.quote !== undefined ? { quote: d.quote } : {}),
      occurrences,
    };
  }

  timeOf(s: ScheduleInput): string {
    return s.time ?? this.endOfWorkday;
  }

  /** The Spring Festival the campaign is about: the one inside the period, else the nearest. */
  campaignSpringFestival(path: PathSegment[]): string | undefined {
    const first = Number(this.periodStartDate.slice(0, 4));
    const last = Number(this.periodEndDate.slice(0, 4));
    const candidates: string[] = [];
    for (let y = first - 1; y <= last + 1; y++) {
      if (y >= 1901 && y <= 2099) candidates.push(springFestival(y));
    }
    const a = toDayNumber(this.periodStartDate);
    const b = toDayNumber(this.periodEndDate);
    const inside = candidates.filter((sf) => toDayNumber(sf) >= a && toDayNumber(sf) <= b);
    if (inside.length > 1) {
      this.error(path, `the period contains ${inside.length} Spring Festivals (${inside.join(', ')}), so spring_festival is ambiguous; use a date instead`);
      return undefined;
    }
    if (inside.length === 1) return inside[0];
    const dist = (sf: string) => Math.min(Math.abs(toDayNumber(sf) - a), Math.abs(toDayNumber(sf) - b));
    return [...candidates].sort((x, y) => dist(x) - dist(y))[0];
  }

  resolveAnchor(anchor: Anchor, path: PathSegment[]): string | undefined {
    switch (anchor) {
      case 'period_start':
        return this.periodStartDate;
      case 'period_end':
        return this.periodEndDate;
      case 'spring_festival':
        return this.campaignSpringFestival(path);
      case 'spring_festival_holiday_end': {
        const sf = this.campaignSpringFestival(path);
        if (!sf) return undefined;
        const year = Number(sf.slice(0, 4));
        const block = this.cal.springFestivalHoliday(year);
        if (!block) {
          this.error(
            path,
            `the statutory Spring Festival holiday of ${year} is not known yet; add calendar.spring_festival_holiday: { ${year}: { start: yyyy-MM-dd, end: yyyy-MM-dd } } from the State Council notice`,
          );
          return undefined;
        }
        return block.end;
      }
    }
  }

  resolveRelative(rel: { relative_to: Anchor; days?: number; working_days?: number }, path: PathSegment[]): string | undefined {
    const anchor = this.resolveAnchor(rel.relative_to, path);
    if (anchor === undefined) return undefined;
    if (rel.working_days !== undefined) return this.cal.addWorkingDays(anchor, rel.working_days);
    return addCalendarDays(anchor, rel.days ?? 0);
  }

  resolveDateOrRelative(v: DateOrRelative, path: PathSegment[]): string | undefined {
    if (typeof v === 'string') return v;
    if (v.days !== undefined && v.working_days !== undefined) {
      this.error([...path, 'working_days'], 'give either days (calendar days) or working_days, not both', 'key');
      return undefined;
    }
    return this.resolveRelative(v, path);
  }

  oneOff(d: PlanInput['deadlines'][number], base: PathSegment[], kind: string): RawOccurrence[] | undefined {
    const s = d.schedule;
    const sp = [...base, 'schedule'];
    const time = this.timeOf(s);
    if (kind === 'date' && s.date) return [{ date: s.date, time }];
    if (kind === 'relative_to' && s.relative_to) {
      const date = this.resolveRelative({ relative_to: s.relative_to, days: s.days, working_days: s.working_days }, [...sp, 'relative_to']);
      return date ? [{ date, time }] : undefined;
    }
    if (kind === 'lunar' && s.lunar !== undefined) {
      const md =
        typeof s.lunar === 'string' ? parseLunarText(s.lunar) : { month: s.lunar.month, day: s.lunar.day, leap: s.lunar.leap ?? false };
      if (!md) return undefined; // reported by the schema
      const written = typeof s.lunar === 'string' ? s.lunar : formatLunarDate(md);
      const lp = [...sp, 'lunar'];
      let dates: string[];
      try {
        dates = lunarDatesInRange(md.month, md.day, md.leap, this.periodStartDate, this.periodEndDate);
      } catch (e) {
        this.error(lp, `deadline '${d.id}': the lunar date ${written} cannot be looked up for this period: ${(e as Error).message}`);
        return undefined;
      }
      if (dates.length === 1) return [{ date: dates[0], time }];
      if (dates.length > 1) {
        this.error(lp, `deadline '${d.id}': the lunar date ${written} falls ${dates.length} times in the period (${dates.join(', ')}); use date: to say which one`);
        return undefined;
      }
      // Why not: does it exist in the lunar years around the period, and where does it fall?
      const lunarYears = [solarToLunar(this.periodStartDate).year, solarToLunar(this.periodEndDate).year];
      const years = new Set(lunarYears.filter((y) => y >= 1901 && y <= 2098));
      const reasons: string[] = [];
      const nearby: string[] = [];
      for (const y of years) {
        try {
          if (md.day === 'last') {
            const found = lunarDatesInRange(md.month, 'last', md.leap, addCalendarDays(`${y}-01-01`, -60), `${y + 1}-03-31`);
            if (found.length === 0) throw new RangeError(`lunar year ${y} has no ${formatLunarDate(md)}`);
            nearby.push(...found);
          } else nearby.push(lunarToSolar({ year: y, month: md.month, day: md.day, leap: md.leap }));
        } catch (e) {
          reasons.push((e as Error).message);
        }
      }
      if (nearby.length === 0) {
        this.error(lp, `deadline '${d.id}': the lunar date ${written} does not exist around this campaign: ${reasons.join('; ')}`);
      } else {
        this.error(
          lp,
          `deadline '${d.id}': the lunar date ${written} is not within the period ${this.periodStartDate} to ${this.periodEndDate} (it falls on ${[...new Set(nearby)].sort().join(' / ')}); check the date or the period`,
        );
      }
      return undefined;
    }
    return undefined;
  }

  recurring(d: PlanInput['deadlines'][number], base: PathSegment[], kind: string): RawOccurrence[] | undefined {
    const s = d.schedule;
    const sp = [...base, 'schedule'];
    const time = this.timeOf(s);
    const from = s.starting !== undefined ? this.resolveDateOrRelative(s.starting, [...sp, 'starting']) : this.periodStartDate;
    const to = s.until !== undefined ? this.resolveDateOrRelative(s.until, [...sp, 'until']) : this.periodEndDate;
    if (from === undefined || to === undefined) return undefined;
    if (toDayNumber(from) > toDayNumber(to)) {
      this.error([...sp, s.until !== undefined ? 'until' : 'starting'], `deadline '${d.id}': the schedule starts on ${from} but ends on ${to}, before it starts`);
      return undefined;
    }
    const a = Math.max(toDayNumber(from), toDayNumber(this.periodStartDate));
    const b = Math.min(toDayNumber(to), toDayNumber(this.periodEndDate));
    const dates: string[] = [];
    const fromDay = (n: number) => addCalendarDays('1970-01-01', n);
    if (kind === 'weekly' && s.weekly) {
      const wd = parseWeekday(s.weekly);
      for (let n = a; n <= b; n++) if (isoWeekday(fromDay(n)) === wd) dates.push(fromDay(n));
    } else if (kind === 'half_monthly') {
      for (let n = a; n <= b; n++) {
        const date = fromDay(n);
        const day = Number(date.slice(8, 10));
        const last = DateTime.fromISO(date).daysInMonth;
        if (day === 15 || day === last) dates.push(date);
      }
    } else if (kind === 'every_working_days' && s.every_working_days) {
      let cur = from;
      for (let guard = 0; guard <= MAX_OCCURRENCES + 1; guard++) {
        cur = this.cal.addWorkingDays(cur, s.every_working_days);
        const n = toDayNumber(cur);
        if (n > b) break;
        if (n >= a) dates.push(cur);
      }
    }
    const what = describeRecurrence(s);
    if (dates.length === 0) {
      this.error(
        sp,
        `deadline '${d.id}': ${what} has no occurrence between ${fromDay(a) <= fromDay(b) ? `${fromDay(a)} and ${fromDay(b)}` : `${from} and ${to} within the period`}; check starting/until and the period`,
        'key',
      );
      return undefined;
    }
    if (dates.length > MAX_OCCURRENCES) {
      this.error(sp, `deadline '${d.id}': ${what} gives ${dates.length} occurrences; a deadline may have at most ${MAX_OCCURRENCES}`, 'key');
      return undefined;
    }
    return dates.map((date) => ({ date, time }));
  }

  buildOccurrences(
    d: PlanInput['deadlines'][number],
    base: PathSegment[],
    kind: DeadlineKind,
    raw: RawOccurrence[],
    rule: NonWorkingDayRule,
    ladder: Ladder,
  ): CompiledOccurrence[] {
    const sp = [...base, 'schedule'];
    const schedulePath = kind === 'one-off' ? [...sp, SCHEDULE_KINDS.find((k) => d.schedule[k] !== undefined) ?? 'date'] : sp;
    const ruleWhere = d.on_non_working_day ? `deadline '${d.id}' on_non_working_day` : 'defaults.on_non_working_day';

    interface Due {
      date: string;
      due: DateTime;
      moved?: { from: string; rule: 'previous_working_day' | 'next_working_day' };
      nonWorkingDay?: boolean;
    }
    const dues: Due[] = [];
    const kept: string[] = [];
    const dropped: string[] = [];
    for (const r of raw) {
      const original = this.local(r.date, r.time);
      if (kind === 'one-off' && (original < this.periodStart || original > this.periodEnd)) {
        const side = original < this.periodStart ? `before the period starts (${this.periodStartDate})` : `after the period ends (${this.periodEndDate})`;
        this.error(
          schedulePath,
          `deadline '${d.id}' is due on ${r.date} ${r.time}, ${side}; correct the date or widen campaign.period`,
        );
        continue;
      }
      let date = r.date;
      let moved: Due['moved'];
      let nonWorkingDay: boolean | undefined;
      if (!this.cal.isWorkingDay(r.date)) {
        if (rule === 'keep') {
          nonWorkingDay = true;
          kept.push(`${r.date} (${this.dayLabel(r.date)})`);
        } else {
          date = rule === 'previous_working_day' ? this.cal.previousWorkingDay(r.date) : this.cal.nextWorkingDay(r.date);
          moved = { from: formatInstant(original), rule };
        }
      }
      const due = this.local(date, r.time);
      if (due < this.periodStart || due > this.periodEnd) {
        const side = due < this.periodStart ? 'before the period starts' : 'after the period ends';
        if (kind === 'one-off') {
          this.error(
            schedulePath,
            `deadline '${d.id}' is due on ${r.date} (${this.dayLabel(r.date)}), a non-working day; ${rule} moves it to ${date}, ${side} — use another on_non_working_day rule or widen campaign.period`,
          );
        } else dropped.push(`${r.date} → ${date}`);
        continue;
      }
      if (dues.some((x) => x.date === date)) {
        dropped.push(`${r.date} → ${date} (already due that day)`);
        continue;
      }
      dues.push({ date, due, ...(moved ? { moved } : {}), ...(nonWorkingDay ? { nonWorkingDay } : {}) });
    }
    if (kept.length > 0) {
      const fix = 'set on_non_working_day: previous_working_day or next_working_day to move it';
      this.warn(
        schedulePath,
        kind === 'one-off'
          ? `deadline '${d.id}' is due on ${kept[0]}, a non-working day; it is kept there (${fix})`
          : `deadline '${d.id}': ${kept.length} of ${raw.length} occurrences fall on non-working days and are kept there: ${listSome(kept)} (${fix.replace(' it', ' them')})`,
        'key',
      );
    }
    if (dropped.length > 0) {
      this.warn(
        schedulePath,
        `deadline '${d.id}': ${dropped.length} occurrence${dropped.length === 1 ? '' : 's'} left out after ${ruleWhere} (${rule}) moved ${dropped.length === 1 ? 'it' : 'them'} out of the period or onto another occurrence: ${listSome(dropped)}`,
        'key',
      );
    }
    dues.sort((x, y) => x.due.toMillis() - y.due.toMillis());

    const occurrences: CompiledOccurrence[] = [];
    const droppedReminders = new Map<string, string[]>();
    const droppedRungs = new Set<string>();
    dues.forEach((x, k) => {
      const opens = k === 0 ? this.periodStart : dues[k - 1].due;
      const limit = k + 1 < dues.length ? dues[k + 1].due : this.periodEnd;
      const reminders = this.reminderSteps(d, kind, x.due, x.date, opens, ladder, droppedReminders);
      const escalations = this.escalationSteps(d, kind, x.due, x.date, limit, ladder, droppedRungs);
      occurrences.push({
        key: `${d.id}@${x.date}`,
        due: formatInstant(x.due),
        opens: formatInstant(opens),
        ...(x.moved ? { moved: x.moved } : {}),
        ...(x.nonWorkingDay ? { nonWorkingDay: true } : {}),
        reminders,
        escalations,
      });
    });
    for (const [text, dates] of droppedReminders) {
      const r = ladder.reminders.find((q) => q.text === text);
      const path = r && ladder.remindersFrom === 'deadline' ? r.path : schedulePath;
      const origin = ladder.remindersFrom === 'deadline' ? '' : ladder.remindersFrom === 'defaults' ? ' (from defaults.reminders)' : ' (the built-in default reminders)';
      this.warn(
        path,
        `deadline '${d.id}': the ${text} reminder${origin} would come before the occurrence opens (before the period starts or before the previous occurrence is due) for ${dates.length} occurrence${dates.length === 1 ? '' : 's'} (${listSome(dates)}); it is left out there`,
      );
    }
    for (const msg of droppedRungs) this.warn(schedulePath, msg, 'key');
    return occurrences;
  }

  reminderSteps(
    d: PlanInput['deadlines'][number],
    kind: DeadlineKind,
    due: DateTime,
    dueDate: string,
    opens: DateTime,
    ladder: Ladder,
    dropped: Map<string, string[]>,
  ): ReminderStep[] {
    const steps: Array<{ at: DateTime; before: string }> = [];
    for (const r of ladder.reminders) {
      let at: DateTime;
      if (r.kind === 'at') {
        if (kind !== 'one-off') continue; // reported in compileDeadline
        at = this.local(r.date!, r.time ?? due.toFormat('HH:mm'));
        if (at > due) {
          this.error(
            r.path,
            `deadline '${d.id}': the reminder on ${at.toFormat('yyyy-MM-dd HH:mm')} would come after the deadline itself (${due.toFormat('yyyy-MM-dd HH:mm')}); a reminder must come before it`,
          );
          continue;
        }
      } else {
        const dur = r.duration!;
        at =
          dur.unit === 'wd'
            ? this.local(this.cal.addWorkingDays(dueDate, -dur.amount), due.toFormat('HH:mm'))
            : due.minus(dur.unit === 'd' ? { days: dur.amount } : dur.unit === 'h' ? { hours: dur.amount } : { minutes: dur.amount });
      }
      if (at < opens) {
        // A reminder the plan wrote for this very deadline is a mistake; one inherited from the
        // campaign-wide ladder simply does not fit an early deadline and is left out (warning).
        if (kind === 'one-off' && ladder.remindersFrom === 'deadline') {
          this.error(
            r.path,
            `deadline '${d.id}': the ${r.text} reminder would be sent on ${at.toFormat('yyyy-MM-dd HH:mm')}, before the period starts (${this.periodStartDate}); remove or shorten it`,
          );
        } else {
          const list = dropped.get(r.text) ?? [];
          list.push(dueDate);
          dropped.set(r.text, list);
        }
        continue;
      }
      if (steps.some((s) => s.at.toMillis() === at.toMillis())) continue;
      steps.push({ at, before: r.text });
    }
    steps.sort((x, y) => x.at.toMillis() - y.at.toMillis());
    return steps.map((s) => ({ at: formatInstant(s.at), before: s.before }));
  }

  escalationSteps(
    d: PlanInput['deadlines'][number],
    kind: DeadlineKind,
    due: DateTime,
    dueDate: string,
    limit: DateTime,
    ladder: Ladder,
    droppedRungs: Set<string>,
  ): EscalationStep[] {
    const steps: EscalationStep[] = [];
    const plus = (from: DateTime, fromDate: string, dur: Duration): { at: DateTime; date: string } => {
      if (dur.unit === 'wd') {
        const date = this.cal.addWorkingDays(fromDate, dur.amount);
        const at = DateTime.fromISO(`${date}T${from.toFormat('HH:mm:ss.SSS')}`, { zone: this.zone });
        return { at, date };
      }
      const at = from.plus(dur.unit === 'd' ? { days: dur.amount } : dur.unit === 'h' ? { hours: dur.amount } : { minutes: dur.amount });
      return { at, date: at.toFormat('yyyy-MM-dd') };
    };
    let prev = { at: due, date: dueDate };
    ladder.escalation.forEach((rung, idx) => {
      const step = idx + 1;
      if (rung.kind === 'after') {
        const next = plus(due, dueDate, rung.duration);
        if (next.at >= limit) {
          if (kind === 'one-off') {
            droppedRungs.add(
              `deadline '${d.id}': escalation rung ${step} (after ${rung.duration.text}) would fall on ${next.at.toFormat('yyyy-MM-dd HH:mm')}, after the period ends (${this.periodEndDate}); it is left out — widen campaign.period if that follow-up matters`,
            );
          }
          prev = next;
          return;
        }
        steps.push({ at: formatInstant(next.at), step, to: [...rung.to], label: rung.label });
        prev = next;
      } else {
        let cur = plus(prev.at, prev.date, rung.duration);
        let count = 0;
        while (cur.at < limit) {
          if (++count > MAX_ESCALATIONS_PER_OCCURRENCE) {
            this.error(
              rung.path,
              `escalation every: ${rung.duration.text} would send more than ${MAX_ESCALATIONS_PER_OCCURRENCE} messages for one occurrence of deadline '${d.id}'; use a longer interval (1d or 1wd is usual)`,
            );
            return;
          }
          steps.push({ at: formatInstant(cur.at), step, to: [...rung.to], label: rung.label });
          cur = plus(cur.at, cur.date, rung.duration);
        }
      }
    });
    return steps;
  }

  checkAudiences(deadlines: CompiledDeadline[], departments: CompiledDepartment[]): void {
    const usesCoordinator = deadlines.some((d) => d.occurrences.some((o) => o.escalations.some((e) => e.to.includes('coordinator'))));
    if (usesCoordinator && (this.input.campaign.office.contacts ?? []).length === 0) {
      this.warn(
        ['campaign', 'office'],
        'escalations go to the coordinator, but campaign.office has no contacts; add contacts: [{ name: …, email: … }] or those messages reach nobody',
        'key',
      );
    }
    const usesLeaders = deadlines.some((d) => d.occurrences.some((o) => o.escalations.some((e) => e.to.includes('leaders'))));
    if (usesLeaders) {
      const byId = new Map(departments.map((d) => [d.id, d]));
      const targeted = new Set(deadlines.flatMap((d) => d.departments));
      const without = [...targeted].filter((id) => (byId.get(id)?.leaders.length ?? 0) === 0);
      if (without.length > 0) {
        this.warn(
          ['departments'],
          `escalations copy leaders, but ${without.length} department${without.length === 1 ? ' has' : 's have'} no leaders: ${listSome(without)}; add leaders: [{ name: …, email: … }] to ${without.length === 1 ? 'it' : 'them'}, or they get escalations without a copy`,
          'key',
        );
      }
    }
  }
}

function describeRecurrence(s: ScheduleInput): string {
  if (s.weekly) return `weekly on ${s.weekly}`;
  if (s.half_monthly) return 'half_monthly (15th and last day of each month)';
  if (s.every_working_days) return `every ${s.every_working_days} working days`;
  return 'the schedule';
}

function listSome(items: string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function toContact(c: { name?: string; email: string }): Contact {
  return c.name !== undefined ? { name: c.name, email: c.email } : { email: c.email };
}

function toColumn(c: ColumnInput): FormColumn {
  return {
    id: c.id,
    label: c.label,
    type: c.type,
    ...(c.unit !== undefined ? { unit: c.unit } : {}),
    ...(c.cumulative !== undefined ? { cumulative: c.cumulative } : {}),
    ...(c.of_which ? { ofWhich: c.of_which.map(toColumn) } : {}),
  };
}

/**
 * Compiles a plan that passed the schema. Reference problems (unknown ids) are expected to have
 * been reported by `checkReferences`; compilation skips such references silently.
 */
export function compilePlan(input: PlanInput, ctx: CompileContext): CompileResult {
  const c = new Compiler(input, ctx);
  const plan = c.compile();
  return { ...(plan && c.errors.length === 0 ? { plan } : {}), errors: c.errors, warnings: c.warnings };
}
