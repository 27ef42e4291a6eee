/**
 * The one catalogue of what `validate` and `preview` say about a plan, in English and in Chinese.
 *
 * Every diagnostic of the plan format is a Message: an id (`stage.name`) and its text in both
 * languages, made by one entry of a catalogue (the files of this folder, one per stage: the file,
 * its structure, single values, the campaign, the deadlines) from typed arguments. Formatting picks
 * the language (language.ts says which), so the rules that raise a problem never choose words.
 * The English texts are the ones the format has always printed; the Chinese ones are written for
 * the office worker who edits the plan: the place in the plan's own words (`截止事项 'weekly-stats'
 * 的 schedule.weekly`), then what is wrong and what to write instead.
 *
 * zod carries a message as one string, so the schema's messages travel through it encoded
 * (toIssue) and parse/structure.ts decodes them (fromIssue).
 */

/** The languages diagnostics are given in. */
export type DiagnosticLanguage = 'en' | 'zh-CN';

/** A piece of wording in both languages (a place in the plan, a rule, a list of months). */
export interface Words {
  readonly en: string;
  readonly zh: string;
}

/** One diagnostic's text in both languages, with the id of the catalogue entry that made it. */
export interface Message extends Words {
  readonly id: string;
}

/** A catalogue entry: the same arguments worded in English and in Chinese. */
export interface Wording<A extends unknown[]> {
  en: (...args: A) => string;
  zh: (...args: A) => string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the entries' argument lists differ; each keeps its own type.
type AnyWording = Wording<any[]>;

/** The message makers of a catalogue: one function per entry, taking that entry's arguments. */
export type Catalogue<T extends Record<string, AnyWording>> = {
  [K in keyof T]: (...args: Parameters<T[K]['en']>) => Message;
};

/** Turns a table of wordings into message makers whose ids are `<stage>.<entry>`. */
export function catalogue<T extends Record<string, AnyWording>>(stage: string, entries: T): Catalogue<T> {
  const out: Record<string, (...args: unknown[]) => Message> = {};
  for (const [name, w] of Object.entries(entries)) {
    out[name] = (...args: unknown[]) => ({ id: `${stage}.${name}`, en: w.en(...args), zh: w.zh(...args) });
  }
  return out as Catalogue<T>;
}

/** The text of a message or of words in one language. */
export function inLanguage(w: Words, language: DiagnosticLanguage): string {
  return language === 'zh-CN' ? w.zh : w.en;
}

/** Words that are the same in both languages (ids, dates, keys as written in the plan). */
export function same(text: string): Words {
  return { en: text, zh: text };
}

/**
 * A message preceded by the place it is about: `deadline 'x' schedule: …` /
 * `截止事项 'x' 的 schedule：…`. No place, no prefix.
 */
export function placed(where: Words | undefined, m: Message): Message {
  if (!where || where.en === '') return m;
  return { id: m.id, en: `${where.en}: ${m.en}`, zh: `${where.zh}：${m.zh}` };
}

/** A value as written in the plan, for messages: 'text' in quotes, anything else as JSON. */
export const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v));

/** English plural: "1 month", "2 months". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A list for a message: every item up to `max`, then "and N more" / "等N项". */
export function listSome(items: string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** listSome in Chinese: "a、b、c 等8项". */
export function listSomeZh(items: string[], max = 5): string {
  return items.length <= max ? items.join('、') : `${items.slice(0, max).join('、')} 等${items.length}项`;
}

/** Items in quotes joined by " and " / "和": 'days' and 'hours'. */
export const quotedAnd = (keys: string[]): Words => ({
  en: keys.map((k) => `'${k}'`).join(' and '),
  zh: keys.map((k) => `'${k}'`).join('和'),
});

/**
 * A Message inside a zod issue: zod keeps one string per issue, so the message is carried as a NUL
 * followed by its JSON. A plan can hold no NUL (parse/text.ts refuses it before YAML is read), so
 * no text from the plan can be mistaken for one.
 */
export function toIssue(m: Message): string {
  return `\u0000${JSON.stringify(m)}`;
}

/** The Message a zod issue carries; zod's own wording (never expected) is kept in both languages. */
export function fromIssue(text: string): Message {
  if (text.startsWith('\u0000')) {
    try {
      const m = JSON.parse(text.slice(1)) as Message;
      if (typeof m.en === 'string' && typeof m.zh === 'string' && typeof m.id === 'string') return m;
    } catch {
      // not one of ours: fall through
    }
  }
  return { id: 'schema.zod', en: text, zh: text };
}

/**
 * A thrown error's text in both languages: the calendar's errors end with their Chinese reason in
 * parentheses ("lunar year 2025 has no leap month 2 (…) (农历2025年无闰二月…)"), which becomes the
 * Chinese text; any other error keeps its English text in both.
 */
export function errorWords(err: unknown): Words {
  const en = err instanceof Error ? err.message : String(err);
  const zh = /\(([^()]*[\u4e00-\u9fff][^()]*)\)\s*$/.exec(en);
  return { en, zh: zh ? zh[1] : en };
}
