/**
 * Which language a plan's diagnostics are given in. The rule (docs/plan-format.md, "Messages"):
 *
 * 1. an explicit choice (`campaign validate --lang zh-CN|en`, also `preview`) wins;
 * 2. otherwise Chinese when the plan states `language: zh-CN` under campaign:, or when the user's
 *    locale is Chinese — LC_ALL, else LC_MESSAGES, else LANG (the POSIX order), and when none of
 *    them is set, the system's locale (what Windows reports through Intl) — starting with `zh`;
 * 3. English otherwise.
 *
 * A plan that does not state its language says nothing about its reader (zh-CN is only the default
 * of the campaign's e-mails), so then the locale decides. The language a plan states is read even
 * from a file that is not valid YAML or not UTF-8 (statedLanguage), so that a Chinese plan broken
 * by a full-width colon is told so in Chinese.
 */
import type { DiagnosticLanguage } from './core';

/** The language an explicit option names (en, zh, zh-CN, zh_CN, chinese…), or undefined when it names none. */
export function parseLanguageOption(value: string | undefined): DiagnosticLanguage | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'en' || v.startsWith('en-') || v.startsWith('en_') || v === 'english') return 'en';
  if (v === 'zh' || v.startsWith('zh-') || v.startsWith('zh_') || v === 'chinese' || v === '中文') return 'zh-CN';
  return undefined;
}

/** The user's locale as the environment gives it (LC_ALL > LC_MESSAGES > LANG > the system's). */
export function userLocale(env: Record<string, string | undefined>, systemLocale?: string): string {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return systemLocale ?? '';
}

export interface LanguageChoice {
  /** The explicit option, as given (undefined when not given). */
  option?: DiagnosticLanguage;
  /** The language the plan states (campaign.language), if any. */
  planLanguage?: string;
  /** The process environment (LC_ALL, LC_MESSAGES, LANG). */
  env: Record<string, string | undefined>;
  /** The system's locale when the environment names none (Intl's default locale). */
  systemLocale?: string;
}

/** The language to give a plan's diagnostics in (see the header). */
export function diagnosticLanguage(c: LanguageChoice): DiagnosticLanguage {
  if (c.option) return c.option;
  if (c.planLanguage === 'zh-CN') return 'zh-CN';
  return /^zh/i.test(userLocale(c.env, c.systemLocale)) ? 'zh-CN' : 'en';
}

/**
 * The language a plan's text states under campaign: (`language: zh-CN` or `language: en`), read
 * line by line so that it works on a plan YAML cannot read; undefined when it states none.
 */
export function statedLanguage(text: string): 'zh-CN' | 'en' | undefined {
  const m = /^[ \t]+language[ \t]*:[ \t]*(["']?)(zh-CN|en)\1[ \t]*(?:#.*)?\r?$/m.exec(text);
  return m ? (m[2] as 'zh-CN' | 'en') : undefined;
}
