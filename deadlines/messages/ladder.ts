/**
 * What the compiler says about reminders and escalation (compile/ladder.ts, chasing.ts,
 * deadline.ts): reminders listed twice or falling outside their occurrence or before the notice,
 * escalation rungs out of order or too frequent, follow-ups past the period, and chasing that the
 * default bound cut short or that sends one department too many messages.
 */
import { catalogue, listSome, listSomeZh, plural, type Words } from './core';

/** Whose ladder a message is about. */
export const LADDER_OWNER = {
  defaultReminders: { en: 'defaults.reminders', zh: 'defaults.reminders' } as Words,
  builtInReminders: { en: 'built-in default reminders', zh: '内置的默认提醒' } as Words,
  defaultEscalation: { en: 'defaults.escalation', zh: 'defaults.escalation' } as Words,
  builtInEscalation: { en: 'built-in default escalation', zh: '内置的默认催办' } as Words,
  deadline: (id: string): Words => ({ en: `deadline '${id}'`, zh: `截止事项 '${id}'` }),
};

/** Where inherited reminders come from, after "the 3d reminder". */
export type ReminderOrigin = 'deadline' | 'defaults' | 'built-in';

const originEn = (o: ReminderOrigin) => (o === 'deadline' ? '' : o === 'defaults' ? ' (from defaults.reminders)' : ' (the built-in default reminders)');
const originZh = (o: ReminderOrigin) => (o === 'deadline' ? '' : o === 'defaults' ? '（来自 defaults.reminders）' : '（内置的默认提醒）');

export const LADDER_MESSAGES = catalogue('ladder', {
  reminderTwice: {
    en: (owner: Words, r: string) => `${owner.en}: the reminder ${r} is listed twice; remove one`,
    zh: (owner: Words, r: string) => `${owner.zh}：提醒 ${r} 写了两次；请删去一个`,
  },
  fixedReminderInDefaults: {
    en: (owner: Words) => `${owner.en}: a reminder on a fixed date belongs to one deadline, not to defaults.reminders; use durations here (3d, 1d, 2h, 1wd)`,
    zh: (owner: Words) => `${owner.zh}：固定日期的提醒只能写在某一项截止事项下，不能写在 defaults.reminders 中；这里请用时长（3d、1d、2h、1wd）`,
  },
  rungAfterEvery: {
    en: (owner: Words, rung: number, every: number) =>
      `${owner.en}: escalation rungs are out of order: rung ${rung} comes after the repeating rung ${every} (every: …), which runs until the next occurrence or the period end; put the every: rung last`,
    zh: (owner: Words, rung: number, every: number) =>
      `${owner.zh}：催办级顺序不对：第 ${rung} 级排在重复催办的第 ${every} 级（every: …）之后，而重复催办一直持续到下一次截止或活动期间结束；请把 every: 这一级放在最后`,
  },
  rungsOutOfOrder: {
    en: (owner: Words, rung: number, text: string, earlier: number, earlierText: string) =>
      `${owner.en}: escalation rungs are out of order: rung ${rung} (after ${text}) must come later than rung ${earlier} (after ${earlierText}); list the rungs from the earliest to the latest`,
    zh: (owner: Words, rung: number, text: string, earlier: number, earlierText: string) =>
      `${owner.zh}：催办级顺序不对：第 ${rung} 级（after ${text}）应晚于第 ${earlier} 级（after ${earlierText}）；请按从早到晚的顺序排列`,
  },
  everyZero: {
    en: (owner: Words, text: string) => `${owner.en}: every: ${text} would repeat without pause; use an interval such as 1d or 1wd`,
    zh: (owner: Words, text: string) => `${owner.zh}：every: ${text} 会不停地重复；请用 1d 或 1wd 这样的间隔`,
  },
  everyTooOften: {
    en: (owner: Words, text: string) => `${owner.en}: every: ${text} would send a message more often than once an hour; use at least 1h (1d or 1wd is usual)`,
    zh: (owner: Words, text: string) => `${owner.zh}：every: ${text} 每小时会发不止一条消息；间隔至少 1h（一般用 1d 或 1wd）`,
  },
  reminderAfterDeadline: {
    en: (id: string, at: string, due: string) => `deadline '${id}': the reminder on ${at} would come after the deadline itself (${due}); a reminder must come before it`,
    zh: (id: string, at: string, due: string) => `截止事项 '${id}'：${at} 的提醒晚于截止时间（${due}）；提醒必须在截止之前`,
  },
  reminderBeforePeriod: {
    en: (id: string, text: string, at: string, start: string) =>
      `deadline '${id}': the ${text} reminder would be sent on ${at}, before the period starts (${start}); remove or shorten it`,
    zh: (id: string, text: string, at: string, start: string) => `截止事项 '${id}'：提前 ${text} 的提醒会在 ${at} 发出，早于活动期间开始日（${start}）；请删去或缩短`,
  },
  remindersLeftOut: {
    en: (id: string, text: string, origin: ReminderOrigin, dates: string[]) =>
      `deadline '${id}': the ${text} reminder${originEn(origin)} would come before the occurrence opens (before the period starts or before the previous occurrence is due) for ${plural(dates.length, 'occurrence')} (${listSome(dates)}); it is left out there`,
    zh: (id: string, text: string, origin: ReminderOrigin, dates: string[]) =>
      `截止事项 '${id}'：提前 ${text} 的提醒${originZh(origin)}对 ${dates.length} 次截止（${listSomeZh(dates)}）会早于该次报送开始（活动期间开始，或上一次截止），这些提醒不发`,
  },
  remindersBeforeIssued: {
    en: (id: string, text: string, dates: string[], issued: string) =>
      `deadline '${id}': the ${text} reminder would be sent before the notice is issued (campaign.issued: ${issued}) for ${plural(dates.length, 'occurrence')} (${listSome(dates)}); it is left out there — nothing is sent before the notice exists`,
    zh: (id: string, text: string, dates: string[], issued: string) =>
      `截止事项 '${id}'：提前 ${text} 的提醒对 ${dates.length} 次截止（${listSomeZh(dates)}）会早于通知印发（campaign.issued: ${issued}），这些提醒不发——通知下发之前不发送任何消息`,
  },
  rungAfterPeriod: {
    en: (id: string, step: number, text: string, at: string, end: string) =>
      `deadline '${id}': escalation rung ${step} (after ${text}) would fall on ${at}, after the period ends (${end}); it is left out — widen campaign.period if that follow-up matters`,
    zh: (id: string, step: number, text: string, at: string, end: string) =>
      `截止事项 '${id}'：第 ${step} 级催办（after ${text}）在 ${at}，晚于活动期间结束日（${end}），不发——如需要这次催办，请放宽 campaign.period`,
  },
  tooManyEscalations: {
    en: (text: string, max: number, id: string) =>
      `escalation every: ${text} would send more than ${max} messages for one occurrence of deadline '${id}'; use a longer interval (1d or 1wd is usual)`,
    zh: (text: string, max: number, id: string) => `every: ${text} 对截止事项 '${id}' 的一次截止会发超过 ${max} 条催办；请用更长的间隔（一般用 1d 或 1wd）`,
  },
  untilNextOnOneOff: {
    en: (id: string) =>
      `deadline '${id}' is due once, so until: next (the next occurrence) never comes; give a date, times: N, or until: { next_of: <the deadline that follows> }`,
    zh: (id: string) => `截止事项 '${id}' 只截止一次，until: next（下一次截止）永远不会到来；请写日期、times: N，或 until: { next_of: <接着的截止事项> }`,
  },
  untilBeforeDue: {
    en: (id: string, every: string, until: string, due: string) =>
      `deadline '${id}': the repeating rung (every ${every}) ends on ${until} (until:), before the deadline is first due (${due}), so it never sends a chaser; check the date`,
    zh: (id: string, every: string, until: string, due: string) =>
      `截止事项 '${id}'：重复催办（every ${every}）在 ${until} 停止（until:），早于第一次截止（${due}），一次也不会催办；请核对日期`,
  },
  chaseCapped: {
    en: (id: string, every: string, cap: number, where: string[]) =>
      `deadline '${id}': the repeating rung (every ${every}) says nothing about when it ends, so it stops after ${cap} chasers, the default bound, for ${plural(where.length, 'occurrence')} (${listSome(where)}); add until: (a date, next, { next_of: … }) or times: N to the rung to choose its end`,
    zh: (id: string, every: string, cap: number, where: string[]) =>
      `截止事项 '${id}'：重复催办（every ${every}）没有写何时停止，按默认上限发满 ${cap} 次后停止，涉及 ${where.length} 次截止（${listSomeZh(where)}）；请在这一级加上 until:（日期、next、{ next_of: … }）或 times: N`,
  },
  tooManyMessages: {
    en: (id: string, count: number, threshold: number, occurrence: string) =>
      `deadline '${id}': one department can receive up to ${count} messages (reminders and escalations) for one obligation (${occurrence}), more than ${threshold}; end the chasing sooner with until: or times: on the every: rung, or use a longer interval`,
    zh: (id: string, count: number, threshold: number, occurrence: string) =>
      `截止事项 '${id}'：一个单位为一次报送（${occurrence}）最多会收到 ${count} 条消息（提醒和催办），超过 ${threshold} 条；请在 every: 这一级用 until: 或 times: 提前结束催办，或用更长的间隔`,
  },
});
