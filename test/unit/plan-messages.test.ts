/**
 * What a plan's author is told, beyond the malformed corpus (plan-malformed.test.ts): which
 * language the diagnostics come in and why; that the instants daylight-saving time moves are the
 * ones the warnings name, each local time warned once; that a time zone in the wrong letter case
 * is compiled under IANA's spelling; and that Chinese text the author wrote on purpose — a
 * full-width colon inside a title, full-width spaces in a notes: block, Chinese quotes around
 * Chinese words — is left alone.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnosticIn, summarizeIn } from '../../deadlines/diagnostics';
import { loadPlanText } from '../../deadlines/load';
import { diagnosticLanguage, parseLanguageOption, statedLanguage } from '../../deadlines/messages/language';
import { compileOk, lineOf, planYaml, QUIET_DEFAULTS } from './plan-fixtures';

/** `line:col` (1-based) of `needle` on the first line containing `lineNeedle` (or `needle`). */
function posOf(text: string, needle: string, lineNeedle = needle): string {
  const line = lineOf(text, lineNeedle);
  return `${line}:${text.split('\n')[line - 1].indexOf(needle) + 1}`;
}

describe('the language of the diagnostics', () => {
  const env = (vars: Record<string, string>) => ({ LC_ALL: undefined, LC_MESSAGES: undefined, LANG: undefined, ...vars });

  it('--lang wins; then the plan stating zh-CN or a Chinese locale gives Chinese; English otherwise', () => {
    expect(diagnosticLanguage({ option: 'en', planLanguage: 'zh-CN', env: env({ LANG: 'zh_CN.UTF-8' }) })).toBe('en');
    expect(diagnosticLanguage({ option: 'zh-CN', env: env({ LANG: 'C' }) })).toBe('zh-CN');
    expect(diagnosticLanguage({ planLanguage: 'zh-CN', env: env({ LANG: 'en_US.UTF-8' }) })).toBe('zh-CN');
    expect(diagnosticLanguage({ planLanguage: 'en', env: env({ LANG: 'zh_CN.UTF-8' }) })).toBe('zh-CN');
    expect(diagnosticLanguage({ planLanguage: 'en', env: env({ LANG: 'en_US.UTF-8' }) })).toBe('en');
    expect(diagnosticLanguage({ env: env({ LANG: 'C.UTF-8' }), systemLocale: 'zh-CN' })).toBe('en');
  });

  it('reads the locale as POSIX does: LC_ALL, then LC_MESSAGES, then LANG; the system locale when none is set', () => {
    expect(diagnosticLanguage({ env: env({ LC_ALL: 'zh_TW.UTF-8', LANG: 'en_US.UTF-8' }) })).toBe('zh-CN');
    expect(diagnosticLanguage({ env: env({ LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' }) })).toBe('en');
    expect(diagnosticLanguage({ env: env({ LC_MESSAGES: 'zh_CN.GB18030', LANG: 'en_US.UTF-8' }) })).toBe('zh-CN');
    expect(diagnosticLanguage({ env: env({ LC_ALL: '', LANG: 'zh_CN.UTF-8' }) })).toBe('zh-CN');
    expect(diagnosticLanguage({ env: env({}), systemLocale: 'zh-Hans-CN' })).toBe('zh-CN');
    expect(diagnosticLanguage({ env: env({}), systemLocale: 'en-US' })).toBe('en');
  });

  it('takes --lang as en or zh in their usual spellings, nothing else', () => {
    expect(['en', 'EN', 'en-US', 'english'].map(parseLanguageOption)).toEqual(['en', 'en', 'en', 'en']);
    expect(['zh', 'zh-CN', 'zh_CN', 'zh-Hans', '中文'].map(parseLanguageOption)).toEqual(['zh-CN', 'zh-CN', 'zh-CN', 'zh-CN', 'zh-CN']);
    expect(parseLanguageOption('fr')).toBeUndefined();
  });

  it('finds the language a plan states even where YAML cannot read the plan', () => {
    const text = planYaml({ language: 'zh-CN', deadlines: '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2024-02-02 } }' });
    expect(statedLanguage(text)).toBe('zh-CN');
    const broken = text.replace('  title: 测试行动', '  title：测试行动');
    const r = loadPlanText(broken, 'plan.yaml');
    expect(r).toMatchObject({ ok: false, language: 'zh-CN' });
    expect(statedLanguage(text.replace('language: zh-CN', 'language: "en"  # English e-mails'))).toBe('en');
    expect(statedLanguage('campaign:\n  title: x\n')).toBeUndefined();
  });

  it('words the severity and the summary in Chinese', () => {
    const text = planYaml({ deadlines: '  - { id: d1, title: 报告, from: [citys], schedule: { date: 2024-02-02 } }' });
    const r = loadPlanText(text, 'plan.yaml');
    if (r.ok) throw new Error('expected errors');
    expect(r.errors.map((d) => formatDiagnosticIn(d, 'zh-CN'))).toEqual([
      `plan.yaml:${posOf(text, 'citys')}: 错误：没有单位或分组 'citys'——是不是要写 'cities'？（from: 中写 departments: 和 groups: 里的 id）`,
    ]);
    expect(summarizeIn('zh-CN', 'plan.yaml', 1, 2)).toBe('plan.yaml：1 个错误，2 个警告');
    expect(summarizeIn('en', 'plan.yaml', 1, 2)).toBe('plan.yaml: 1 error, 2 warnings');
  });
});

describe('daylight-saving time', () => {
  const NEW_YORK = { timezone: 'America/New_York', start: '2024-03-01', end: '2024-11-30', defaults: QUIET_DEFAULTS };

  it('uses the instants the warnings name, and warns once per local time however often it is met', () => {
    const text = planYaml({
      ...NEW_YORK,
      deadlines: [
        '  - { id: gap, title: 春季, from: [cities], schedule: { date: 2024-03-10, time: "02:30" } }',
        '  - { id: gap-again, title: 春季又一项, from: [cities], schedule: { date: 2024-03-10, time: "02:30" } }',
        '  - { id: overlap, title: 秋季, from: [cities], schedule: { date: 2024-11-03, time: "01:30" } }',
      ].join('\n'),
    });
    const { plan, warnings } = compileOk(text);
    expect(plan.deadlines.map((d) => d.occurrences[0].due)).toEqual([
      '2024-03-10T03:30:00.000-04:00',
      '2024-03-10T03:30:00.000-04:00',
      '2024-11-03T01:30:00.000-05:00',
    ]);
    const daylight = warnings.filter((w) => w.includes('America/New_York'));
    expect(daylight).toEqual([
      `plan.yaml:${posOf(text, '2024-03-10', 'id: gap,')}: warning: 2024-03-10 02:30 does not exist in America/New_York: the clocks go forward over it (daylight-saving time begins); 2024-03-10T03:30:00.000-04:00 is used instead — choose another time if that is not meant`,
      `plan.yaml:${posOf(text, '2024-11-03', 'id: overlap')}: warning: 2024-11-03 01:30 occurs twice in America/New_York: the clocks go back over it (daylight-saving time ends); the later one, 2024-11-03T01:30:00.000-05:00, is used, not 2024-11-03T01:30:00.000-04:00 — choose another time if that is not meant`,
    ]);
  });

  it('checks reminders and chasers at the same clock time on other days, and says nothing about times that exist once', () => {
    const text = planYaml({
      ...NEW_YORK,
      defaults: '  reminders: [2d]\n  escalation:\n    - { every: 1d, times: 3, to: [department] }',
      deadlines: '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2024-03-08, time: "02:30" } }',
    });
    const { plan, warnings } = compileOk(text);
    const occ = plan.deadlines[0].occurrences[0];
    expect(occ.reminders.map((r) => r.at)).toEqual(['2024-03-06T02:30:00.000-05:00']);
    // Each chaser a day after the one before: Saturday 02:30, Sunday (no 02:30: 03:30 EDT), then Monday 03:30.
    expect(occ.escalations.map((e) => e.at)).toEqual(['2024-03-09T02:30:00.000-05:00', '2024-03-10T03:30:00.000-04:00', '2024-03-11T03:30:00.000-04:00']);
    expect(warnings.filter((w) => w.includes('daylight-saving'))).toEqual([
      `plan.yaml:${posOf(text, '{ every: 1d')}: warning: 2024-03-10 02:30 does not exist in America/New_York: the clocks go forward over it (daylight-saving time begins); 2024-03-10T03:30:00.000-04:00 is used instead — choose another time if that is not meant`,
    ]);
    const quiet = compileOk(planYaml({ ...NEW_YORK, deadlines: '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2024-03-10, time: "03:30" } }' }));
    expect(quiet.warnings.filter((w) => w.includes('daylight-saving'))).toEqual([]);
  });
});

describe('time zone names', () => {
  it('compiles a zone written in the wrong letter case under the IANA spelling', () => {
    const { plan, warnings } = compileOk({ timezone: 'asia/SHANGHAI', defaults: QUIET_DEFAULTS, deadlines: '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2024-02-02 } }' });
    expect(plan.campaign.timezone).toBe('Asia/Shanghai');
    expect(plan.deadlines[0].occurrences[0].due).toBe('2024-02-02T18:00:00.000+08:00');
    expect(warnings).toEqual([expect.stringContaining("warning: the time zone 'asia/SHANGHAI' is written 'Asia/Shanghai' in the IANA database")]);
  });

  it('keeps a zone IANA spells that way, links included', () => {
    for (const zone of ['Asia/Shanghai', 'Asia/Chongqing', 'PRC', 'UTC']) {
      const { plan, warnings } = compileOk({ timezone: zone, defaults: QUIET_DEFAULTS, deadlines: '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2024-02-02 } }' });
      expect(plan.campaign.timezone).toBe(zone);
      expect(warnings.filter((w) => w.includes('time zone'))).toEqual([]);
    }
  });
});

describe('Chinese the author wrote on purpose', () => {
  it('is left alone: a full-width colon in a value, full-width spaces in a notes block, Chinese quotes around Chinese words', () => {
    const text = planYaml({
      defaults: QUIET_DEFAULTS,
      deadlines: [
        '  - id: d1',
        '    title: 关于报送：春风行动进展情况',
        '    quote: “请于2月2日前报送”',
        '    description: |',
        '      　　各市：请按要求报送。',
        '      title：这只是说明文字',
        '    from: [cities]',
        '    schedule: { date: 2024-02-02 }',
      ].join('\n'),
    }).replace('  title: 测试行动\n', '  title: 测试行动\n  notes: >\n    　　按通知原文：“X月Y日前”理解为当日下班前。\n');
    const { plan, warnings } = compileOk(text);
    expect(plan.deadlines[0].title).toBe('关于报送：春风行动进展情况');
    expect(plan.deadlines[0].quote).toBe('“请于2月2日前报送”');
    expect(plan.deadlines[0].description).toBe('　　各市：请按要求报送。\ntitle：这只是说明文字\n');
    expect(warnings).toEqual([]);
  });
});
