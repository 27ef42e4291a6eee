/**
 * What parse/structure.ts says about a plan whose structure does not match the schema: the place
 * in the plan's own words (`deadline 'weekly-stats' schedule.weekly` / `截止事项 'weekly-stats' 的
 * schedule.weekly`), wrong types, values outside a list of choices, unknown keys ("did you mean"),
 * missing keys with what to add, lists far too long.
 */
import { catalogue, type Words } from './core';

/** The word for one item of a list in the plan, by the list's key. */
export const ENTITY_WORDS: Record<string, { en: string; zh: string; byId: boolean }> = {
  deadlines: { en: 'deadline', zh: '截止事项', byId: true },
  departments: { en: 'department', zh: '单位', byId: true },
  forms: { en: 'form', zh: '统计表', byId: true },
  columns: { en: 'column', zh: '栏目', byId: true },
  of_which: { en: 'sub-column', zh: '子栏目', byId: true },
  contacts: { en: 'contact', zh: '联系人', byId: false },
  leaders: { en: 'leader', zh: '分管领导', byId: false },
  reminders: { en: 'reminder', zh: '提醒', byId: false },
  escalation: { en: 'escalation rung', zh: '催办级', byId: false },
};

/** One item of a list: `deadline 'x'` / `截止事项 'x'`, `contact #2` / `第2个联系人`, `dates (item 3)` / `dates 第3项`. */
export function itemWords(entity: { en: string; zh: string } | undefined, parent: string | undefined, index: number, id: string | undefined): Words {
  if (entity) {
    return id !== undefined ? { en: `${entity.en} '${id}'`, zh: `${entity.zh} '${id}'` } : { en: `${entity.en} #${index + 1}`, zh: `第${index + 1}个${entity.zh}` };
  }
  return parent !== undefined ? { en: `${parent} (item ${index + 1})`, zh: `${parent} 第${index + 1}项` } : { en: `item ${index + 1}`, zh: `第${index + 1}项` };
}

/** Places joined: `deadline 'x' schedule.weekly` / `截止事项 'x' 的 schedule.weekly`. */
export function joinPlaces(parts: Words[]): Words {
  return { en: parts.map((p) => p.en).join(' '), zh: parts.map((p) => p.zh).join(' 的 ') };
}

/** What a missing key needs, by its name. */
export const MISSING_HINTS: Record<string, Words> = {
  campaign: { en: 'add a campaign: section with id, title, period and office', zh: '请加上 campaign: 部分，写明 id、title、period 和 office' },
  id: { en: "add id: (lower-case letters, digits, '-')", zh: "请加上 id:（小写字母、数字、'-'）" },
  title: { en: 'add title: with the name used in the notice', zh: '请加上 title:，写通知中使用的名称' },
  period: { en: 'add period: { start: 2024-01-25, end: 2024-04-08 }', zh: '请加上 period: { start: 2024-01-25, end: 2024-04-08 }（活动期间）' },
  start: { en: 'add start: yyyy-MM-dd', zh: '请加上 start: yyyy-MM-dd' },
  end: { en: 'add end: yyyy-MM-dd', zh: '请加上 end: yyyy-MM-dd' },
  office: {
    en: 'add office: { name: …, contacts: [{ name: …, email: … }] } (the coordinating office)',
    zh: '请加上 office: { name: …, contacts: [{ name: …, email: … }] }（牵头处室）',
  },
  name: { en: 'add name:', zh: '请加上 name:' },
  email: { en: 'add email: name@example.org', zh: '请加上 email: name@example.org' },
  departments: { en: 'add a departments: list (each with id, name and contacts)', zh: '请加上 departments: 列表（每个单位写 id、name 和 contacts）' },
  deadlines: { en: 'add a deadlines: list (each with id, title, from and schedule)', zh: '请加上 deadlines: 列表（每项写 id、title、from 和 schedule）' },
  contacts: { en: 'add contacts: [{ name: 联络员, email: name@example.org }]', zh: '请加上 contacts: [{ name: 联络员, email: name@example.org }]' },
  from: { en: 'add from: [department or group ids]', zh: '请加上 from: [单位或分组的 id]' },
  schedule: {
    en: 'add schedule:, e.g. { date: 2024-02-02 } or { weekly: thursday, time: "18:00" }',
    zh: '请加上 schedule:，如 { date: 2024-02-02 } 或 { weekly: thursday, time: "18:00" }',
  },
  to: {
    en: 'add to: [department, leaders, coordinator] (who receives this step)',
    zh: '请加上 to: [department, leaders, coordinator]（这一级发给谁：责任单位、分管领导、牵头处室）',
  },
  columns: { en: 'add columns: (each with id, label and type)', zh: '请加上 columns:（每个栏目写 id、label 和 type）' },
  label: { en: 'add label:', zh: '请加上 label:' },
  type: { en: 'add type: count, amount, text or names', zh: '请加上 type: count、amount、text 或 names' },
  month: { en: 'add month: 1-12', zh: '请加上 month: 1-12' },
  day: { en: 'add day: 1-30 or last', zh: '请加上 day: 1-30 或 last' },
  relative_to: {
    en: 'add relative_to: spring_festival, spring_festival_holiday_end, period_start or period_end',
    zh: '请加上 relative_to: spring_festival、spring_festival_holiday_end、period_start 或 period_end',
  },
  date: { en: 'add date: yyyy-MM-dd', zh: '请加上 date: yyyy-MM-dd' },
};

/** Words for what a schema expected, by zod's name for it. */
export function expectedWords(expected: string): Words {
  switch (expected) {
    case 'string':
      return { en: 'text', zh: '文字' };
    case 'number':
    case 'int':
      return { en: 'a number', zh: '数字' };
    case 'boolean':
      return { en: 'true or false', zh: 'true 或 false' };
    case 'array':
      return { en: 'a list', zh: '列表' };
    case 'object':
    case 'record':
      return { en: 'a mapping (key: value)', zh: '映射（键: 值）' };
    default:
      return { en: expected, zh: expected };
  }
}

/** The hint after "expected …, found …". */
export type TypeHint = { kind: 'quote' } | { kind: 'list'; value: string } | { kind: 'unquote' } | { kind: 'none' };

const hintEn = (h: TypeHint) =>
  h.kind === 'quote' ? ' (put it in quotes)' : h.kind === 'list' ? ` (write a list, e.g. [${h.value}])` : h.kind === 'unquote' ? ' (remove the quotes)' : '';
const hintZh = (h: TypeHint) =>
  h.kind === 'quote' ? '（请加上引号）' : h.kind === 'list' ? `（请写成列表，如 [${h.value}]）` : h.kind === 'unquote' ? '（请去掉引号）' : '';

export const STRUCTURE_MESSAGES = catalogue('structure', {
  expected: {
    en: (expected: Words, found: Words, hint: TypeHint) => `expected ${expected.en}, found ${found.en}${hintEn(hint)}`,
    zh: (expected: Words, found: Words, hint: TypeHint) => `应为${expected.zh}，这里却是${found.zh}${hintZh(hint)}`,
  },
  expectedWholeNumber: {
    en: (found: Words) => `expected a whole number, found ${found.en}`,
    zh: (found: Words) => `应为整数，这里却是${found.zh}`,
  },
  notOneOf: {
    en: (written: Words, values: string[], near: string | undefined) => `${written.en} is not one of: ${values.join(', ')}${near ? ` — did you mean '${near}'?` : ''}`,
    zh: (written: Words, values: string[], near: string | undefined) => `${written.zh} 不是以下之一：${values.join('、')}${near ? `——是不是要写 '${near}'？` : ''}`,
  },
  atLeastItems: {
    en: (n: number) => `must list at least ${n} item${n === 1 ? '' : 's'}`,
    zh: (n: number) => `至少要列出 ${n} 项`,
  },
  notEmpty: { en: () => 'must not be empty', zh: () => '不能为空' },
  atLeast: {
    en: (min: unknown, found: Words) => `must be at least ${String(min)}, found ${found.en}`,
    zh: (min: unknown, found: Words) => `不能小于 ${String(min)}，这里却是${found.zh}`,
  },
  atMostItems: { en: (n: unknown) => `may list at most ${String(n)} items`, zh: (n: unknown) => `最多列出 ${String(n)} 项` },
  atMostCharacters: { en: (n: unknown) => `may be at most ${String(n)} characters long`, zh: (n: unknown) => `最多 ${String(n)} 个字符` },
  atMost: {
    en: (max: unknown, found: Words) => `must be at most ${String(max)}, found ${found.en}`,
    zh: (max: unknown, found: Words) => `不能大于 ${String(max)}，这里却是${found.zh}`,
  },
  multipleOf: { en: (d: unknown) => `must be a multiple of ${String(d)}`, zh: (d: unknown) => `必须是 ${String(d)} 的倍数` },
  tooManyEntries: {
    en: (section: string, n: number, max: number) => `${section}: ${n} entries; a plan may have at most ${max} — is this the right file?`,
    zh: (section: string, n: number, max: number) => `${section}：共 ${n} 项；一个计划最多 ${max} 项——是不是选错了文件？`,
  },
  unknownKeyNear: {
    en: (key: string, near: string) => `unknown key '${key}' — did you mean '${near}'?`,
    zh: (key: string, near: string) => `未知的键 '${key}'——是不是要写 '${near}'？`,
  },
  unknownKey: {
    en: (key: string, known: string[]) => `unknown key '${key}'${known.length ? `; the keys here are: ${known.join(', ')}` : ''}`,
    zh: (key: string, known: string[]) => `未知的键 '${key}'${known.length ? `；这里可以写的键有：${known.join('、')}` : ''}`,
  },
  missingKey: {
    en: (key: string, hint: Words | undefined) => `missing required key '${key}'${hint ? `: ${hint.en}` : ''}`,
    zh: (key: string, hint: Words | undefined) => `缺少必填的键 '${key}'${hint ? `：${hint.zh}` : ''}`,
  },
  invalidKey: {
    en: (key: string, inner: Words) => `the key '${key}' is not valid: ${inner.en}`,
    zh: (key: string, inner: Words) => `键 '${key}' 无效：${inner.zh}`,
  },
  unionFound: {
    en: (inner: Words, found: Words) => `${inner.en}; found ${found.en}`,
    zh: (inner: Words, found: Words) => `${inner.zh}；这里却是${found.zh}`,
  },
});
