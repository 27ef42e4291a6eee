/**
 * What the compiler says about the campaign as a whole (compile/campaign.ts, references.ts,
 * anchors.ts, audiences.ts): its period, notice date, time zone and the instants daylight-saving
 * time moves, its calendar additions, ids that are duplicated or refer to nothing, anchors that
 * cannot be found, and escalations that would reach nobody.
 */
import { catalogue, listSome, listSomeZh, type Words } from './core';

/** "department", "form", "deadline" for duplicate ids. */
export const ID_OWNER: Record<'department' | 'form' | 'deadline', Words> = {
  department: { en: 'department', zh: '单位' },
  form: { en: 'form', zh: '统计表' },
  deadline: { en: 'deadline', zh: '截止事项' },
};

export const WEEKDAY_WORDS: Words[] = [
  { en: 'Monday', zh: '星期一' },
  { en: 'Tuesday', zh: '星期二' },
  { en: 'Wednesday', zh: '星期三' },
  { en: 'Thursday', zh: '星期四' },
  { en: 'Friday', zh: '星期五' },
  { en: 'Saturday', zh: '星期六' },
  { en: 'Sunday', zh: '星期日' },
];

export const CAMPAIGN_MESSAGES = catalogue('campaign', {
  // ---- period, notice date, zone --------------------------------------------------------------
  periodEndBeforeStart: {
    en: (end: string, start: string) => `campaign.period: the end (${end}) is before the start (${start}); the period runs from start to end, both days included`,
    zh: (end: string, start: string) => `campaign.period：结束日（${end}）早于开始日（${start}）；活动期间从开始日到结束日，含首尾两天`,
  },
  periodTooLong: {
    en: (days: number, max: number) => `campaign.period is ${days} days long; a campaign plan covers at most ${max} days — split it into one plan per campaign`,
    zh: (days: number, max: number) => `campaign.period 长达 ${days} 天；一个活动计划最多 ${max} 天——请按活动拆成几个计划`,
  },
  issuedAfterPeriod: {
    en: (issued: string, end: string) =>
      `campaign.issued (${issued}) is after the period ends (${end}); the notice must be issued before its campaign is over — check both dates`,
    zh: (issued: string, end: string) => `campaign.issued（${issued}）晚于活动期间结束日（${end}）；通知应在活动结束前印发——请核对这两个日期`,
  },
  zoneRespelled: {
    en: (written: string, canonical: string) => `the time zone '${written}' is written '${canonical}' in the IANA database; the plan is compiled with '${canonical}' — write it so`,
    zh: (written: string, canonical: string) => `时区 '${written}' 在 IANA 时区库中写作 '${canonical}'；已按 '${canonical}' 计算——请照此改写`,
  },
  dstGap: {
    en: (zone: string, local: string, chosen: string) =>
      `${local} does not exist in ${zone}: the clocks go forward over it (daylight-saving time begins); ${chosen} is used instead — choose another time if that is not meant`,
    zh: (zone: string, local: string, chosen: string) => `${local} 在时区 ${zone} 中不存在：这天开始夏令时，时钟拨快跳过了这一时刻；改用 ${chosen}——如不合适，请另选时刻`,
  },
  dstOverlap: {
    en: (zone: string, local: string, chosen: string, other: string, later: boolean) =>
      `${local} occurs twice in ${zone}: the clocks go back over it (daylight-saving time ends); the ${later ? 'later' : 'earlier'} one, ${chosen}, is used, not ${other} — choose another time if that is not meant`,
    zh: (zone: string, local: string, chosen: string, other: string, later: boolean) =>
      `${local} 在时区 ${zone} 中出现两次：这天夏令时结束，时钟拨回；采用${later ? '后' : '前'}一次 ${chosen}，而不是 ${other}——如不合适，请另选时刻`,
  },

  // ---- calendar --------------------------------------------------------------------------------
  dayInBothLists: {
    en: (date: string) => `${date} is listed both under calendar.holidays and calendar.workdays; a day is either off or worked — remove it from one list`,
    zh: (date: string) => `${date} 同时列在 calendar.holidays 和 calendar.workdays 中；一天要么放假、要么上班——请从其中一个列表删去`,
  },
  festivalHolidayEndBeforeStart: {
    en: (year: string, end: string, start: string) => `calendar.spring_festival_holiday ${year}: the end (${end}) is before the start (${start})`,
    zh: (year: string, end: string, start: string) => `calendar.spring_festival_holiday ${year}：结束日（${end}）早于开始日（${start}）`,
  },
  festivalHolidayTooLong: {
    en: (year: string, start: string, end: string) =>
      `calendar.spring_festival_holiday ${year}: ${start} to ${end} is longer than a month; give the statutory holiday block only`,
    zh: (year: string, start: string, end: string) => `calendar.spring_festival_holiday ${year}：${start} 至 ${end} 超过一个月；只写法定节假日那几天`,
  },
  festivalHolidayFar: {
    en: (year: string, start: string, festival: string) =>
      `calendar.spring_festival_holiday ${year} starts on ${start}, far from that year's Spring Festival (${festival}); check the year`,
    zh: (year: string, start: string, festival: string) => `calendar.spring_festival_holiday ${year} 从 ${start} 开始，离该年春节（${festival}）很远；请核对年份`,
  },
  calendarUnusable: {
    en: (reason: Words) => `calendar: ${reason.en}`,
    zh: (reason: Words) => `calendar：${reason.zh}`,
  },
  noHolidayTable: {
    en: (year: number) =>
      `there is no table of statutory holidays for ${year} yet: in ${year} only Saturdays and Sundays count as days off. Add that year's holidays and adjusted working days (调休) from the State Council notice under calendar.holidays and calendar.workdays`,
    zh: (year: number) =>
      `还没有 ${year} 年的法定节假日表：${year} 年只按星期六、星期日休息计算。请按国务院办公厅的节假日安排通知，把该年的节假日和调休上班日分别写在 calendar.holidays 和 calendar.workdays 下`,
  },

  // ---- anchors ----------------------------------------------------------------------------------
  twoSpringFestivals: {
    en: (dates: string[]) => `the period contains ${dates.length} Spring Festivals (${dates.join(', ')}), so spring_festival is ambiguous; use a date instead`,
    zh: (dates: string[]) => `活动期间内有 ${dates.length} 个春节（${dates.join('、')}），spring_festival 指哪一个不明确；请改写具体日期`,
  },
  festivalHolidayUnknown: {
    en: (year: number) =>
      `the statutory Spring Festival holiday of ${year} is not known yet; add calendar.spring_festival_holiday: { ${year}: { start: yyyy-MM-dd, end: yyyy-MM-dd } } from the State Council notice`,
    zh: (year: number) =>
      `还不知道 ${year} 年春节法定假期；请按国务院办公厅通知加上 calendar.spring_festival_holiday: { ${year}: { start: yyyy-MM-dd, end: yyyy-MM-dd } }`,
  },
  issuedNeeded: {
    en: () => "relative_to: issued counts from the notice's date: add issued: yyyy-MM-dd (成文日期 or 印发日期) under campaign:",
    zh: () => 'relative_to: issued 从通知日期起算：请在 campaign: 下加上 issued: yyyy-MM-dd（成文日期或印发日期）',
  },

  // ---- ids and references ----------------------------------------------------------------------
  duplicateId: {
    en: (what: Words, id: string, line: number) => `duplicate ${what.en} id '${id}': it is already used at line ${line}; give each ${what.en} its own id`,
    zh: (what: Words, id: string, line: number) => `${what.zh} id '${id}' 重复：第 ${line} 行已经用过；每个${what.zh}要有自己的 id`,
  },
  groupSameAsDepartment: {
    en: (g: string) => `group '${g}' has the same id as a department; from: could not tell them apart — rename the group (e.g. '${g}-all')`,
    zh: (g: string) => `分组 '${g}' 与某个单位的 id 相同；from: 无法区分——请给分组改名（如 '${g}-all'）`,
  },
  unknownGroupNoGroups: {
    en: (g: string) => `unknown group '${g}': the plan has no groups: section — add groups: { ${g}: { name: … } }`,
    zh: (g: string) => `没有分组 '${g}'：计划中没有 groups: 部分——请加上 groups: { ${g}: { name: … } }`,
  },
  unknownGroup: {
    en: (g: string, near: string | undefined, known: string[]) =>
      `unknown group '${g}'${near ? ` — did you mean '${near}'?` : ''} (groups are defined under groups:${near ? '' : `; known: ${known.join(', ')}`})`,
    zh: (g: string, near: string | undefined, known: string[]) =>
      `没有分组 '${g}'${near ? `——是不是要写 '${near}'？` : ''}（分组在 groups: 下定义${near ? '' : `；现有：${known.join('、')}`}）`,
  },
  duplicateColumn: {
    en: (id: string, form: string, line: number) =>
      `duplicate column id '${id}' in form '${form}': it is already used at line ${line}; give each column (and sub-column) its own id`,
    zh: (id: string, form: string, line: number) => `统计表 '${form}' 的栏目 id '${id}' 重复：第 ${line} 行已经用过；每个栏目（和子栏目）要有自己的 id`,
  },
  unknownDeadline: {
    en: (what: string, id: string, near: string | undefined) =>
      `${what} names the deadline '${id}', which the plan does not have${near ? ` — did you mean '${near}'?` : ''} (deadline ids are under deadlines:)`,
    zh: (what: string, id: string, near: string | undefined) =>
      `${what} 引用的截止事项 '${id}' 在计划中不存在${near ? `——是不是要写 '${near}'？` : ''}（截止事项的 id 在 deadlines: 下）`,
  },
  groupWithoutMembers: {
    en: (g: string) => `group '${g}' has no departments: add '${g}' to the groups: list of each department that belongs to it`,
    zh: (g: string) => `分组 '${g}' 中没有单位：请在属于它的每个单位的 groups: 列表中加上 '${g}'`,
  },
  unknownDepartmentOrGroup: {
    en: (id: string, near: string | undefined) =>
      `unknown department or group '${id}'${near ? ` — did you mean '${near}'?` : ''} (from: takes ids from departments: and groups:)`,
    zh: (id: string, near: string | undefined) => `没有单位或分组 '${id}'${near ? `——是不是要写 '${near}'？` : ''}（from: 中写 departments: 和 groups: 里的 id）`,
  },
  unknownFormNoForms: {
    en: (form: string) => `unknown form '${form}': the plan has no forms: section — define the statistics table under forms:`,
    zh: (form: string) => `没有统计表 '${form}'：计划中没有 forms: 部分——请在 forms: 下定义统计表`,
  },
  unknownForm: {
    en: (form: string, near: string | undefined) => `unknown form '${form}'${near ? ` — did you mean '${near}'?` : ''} (forms are defined under forms:)`,
    zh: (form: string, near: string | undefined) => `没有统计表 '${form}'${near ? `——是不是要写 '${near}'？` : ''}（统计表在 forms: 下定义）`,
  },

  // ---- who escalations reach --------------------------------------------------------------------
  coordinatorWithoutContacts: {
    en: () => 'escalations go to the coordinator, but campaign.office has no contacts; add contacts: [{ name: …, email: … }] or those messages reach nobody',
    zh: () => '有催办发给牵头处室，但 campaign.office 没有联系人；请加上 contacts: [{ name: …, email: … }]，否则这些消息发不到任何人',
  },
  departmentsWithoutLeaders: {
    en: (ids: string[]) =>
      `escalations copy leaders, but ${ids.length} department${ids.length === 1 ? ' has' : 's have'} no leaders: ${listSome(ids)}; add leaders: [{ name: …, email: … }] to ${ids.length === 1 ? 'it' : 'them'}, or they get escalations without a copy`,
    zh: (ids: string[]) =>
      `催办要抄送分管领导，但有 ${ids.length} 个单位没有写分管领导：${listSomeZh(ids)}；请给它们加上 leaders: [{ name: …, email: … }]，否则催办不会抄送领导`,
  },
});

