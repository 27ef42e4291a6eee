/**
 * Every malformed plan under test/fixtures/malformed is refused (or warned about) with the
 * diagnostics its header announces, in English and in Chinese. The fixtures are loaded in-process
 * (loadPlanFile, then the formatting `validate` prints); a few runs of the real CLI
 * (`node cli/campaign.mjs validate|preview`) check the exit codes, the terminal output and how the
 * language is chosen (--lang, the locale, the plan's language:).
 *
 * A fixture's header is one of:
 * - `# expect: <line>:<col> <substring>` (first line): an error at that position whose English
 *   text contains the substring;
 * - `# en: <line>:<col>: <severity>: <message>` and `# zh: <line>:<col>: <错误|警告>：<message>`
 *   lines: every diagnostic of the plan, in order, exactly, in each language.
 * Binary, GBK, UTF-16, byte-order-marked, 0-byte, 10 MB and deeply nested files are generated into
 * a temp dir.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Diagnostic, formatDiagnosticIn } from '../../deadlines/diagnostics';
import { loadPlanFile } from '../../deadlines/load';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/malformed');
const CLI = join(ROOT, 'cli/campaign.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI in a locale that is not Chinese, unless `env` says otherwise. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, maxBuffer: 32 * 1024 * 1024, timeout: 60_000, env: { ...process.env, CAMPAIGN_DEBUG: '', LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8', ...env } },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        done({ code: typeof code === 'number' ? code : 1, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

interface Case {
  name: string;
  /** Path as passed to the loader (relative to the repo root for committed fixtures). */
  file: string;
  /** An error at line:col containing a substring (English), or every diagnostic exactly, in both languages. */
  expect: { line: number; col: number; substring: string } | { en: string[]; zh: string[] };
}

const tmp = mkdtempSync(join(tmpdir(), 'plan-malformed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fixtureCases(): Case[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const lines = readFileSync(join(FIXTURES, f), 'utf8').split('\n');
      const file = relative(ROOT, join(FIXTURES, f));
      const old = /^# expect: (\d+):(\d+) (.+)$/.exec(lines[0]);
      if (old) return { name: f, file, expect: { line: Number(old[1]), col: Number(old[2]), substring: old[3] } };
      const header = lines.slice(0, lines.findIndex((l) => !l.startsWith('# ')));
      const en = header.filter((l) => l.startsWith('# en: ')).map((l) => l.slice(6));
      const zh = header.filter((l) => l.startsWith('# zh: ')).map((l) => l.slice(6));
      if (en.length === 0 || en.length !== zh.length) throw new Error(`${f}: the header needs "# expect: …" or as many "# en: …" as "# zh: …" lines`);
      return { name: f, file, expect: { en, zh } };
    });
}

const GBK_TITLE = [0xb4, 0xba, 0xb7, 0xe7, 0xd0, 0xd0, 0xb6, 0xaf]; // 春风行动 in GBK
const SAVE_AS_ZH = '请另存为 UTF-8（记事本：文件 → 另存为 → 编码选“UTF-8”；WPS 或 Excel：另存为 → 文件类型或编码选“UTF-8”）';
const write = (name: string, data: string | Uint8Array) => {
  const file = join(tmp, name);
  writeFileSync(file, data);
  return file;
};

function generatedCases(): Case[] {
  const cases: Case[] = [];
  // A valid plan: the full-width colon fixture with its colon fixed.
  const plan = readFileSync(join(FIXTURES, 'fullwidth-colon.yaml'), 'utf8').replace(/^(# .*\n)+/, '').replace('title：', 'title: ');
  // Binary: a PNG header and some bytes with NULs.
  cases.push({
    name: 'binary (generated)',
    file: write('binary.yaml', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0x00])),
    expect: { line: 3, col: 1, substring: 'this is not a text file' },
  });
  // Not UTF-8: GBK bytes for 春风行动 after a valid first line.
  cases.push({
    name: 'gbk (generated)',
    file: write('gbk.yaml', Uint8Array.from([...Buffer.from('campaign:\n  title: '), ...GBK_TITLE, 0x0a])),
    expect: { line: 2, col: 10, substring: 'not UTF-8 text' },
  });
  cases.push({
    name: 'gbk plan stating its language (generated)',
    file: write('gbk-zh.yaml', Uint8Array.from([...Buffer.from('campaign:\n  id: test-2024\n  title: '), ...GBK_TITLE, ...Buffer.from('\n  language: zh-CN\n')])),
    expect: {
      en: [
        '3:10: error: the file is not UTF-8 text (it is saved as GBK/GB18030, the Chinese Windows encoding Notepad calls "ANSI"); save it as UTF-8 (in Notepad: Save as → Encoding → UTF-8)',
      ],
      zh: [`3:10: 错误：文件不是 UTF-8 编码：它是以 GBK/GB18030（中文 Windows 的默认编码，记事本里叫“ANSI”）保存的；${SAVE_AS_ZH}`],
    },
  });
  cases.push({
    name: 'latin-1, not GBK (generated)',
    file: write('latin1.yaml', Uint8Array.from([...Buffer.from('campaign:\n  title: caf'), 0xe9, 0x0a])),
    expect: {
      en: ['2:13: error: the file is not UTF-8 text (it may be saved as GBK/GB18030 or be a binary file); save it as UTF-8 (in Notepad: Save as → Encoding → UTF-8)'],
      zh: [`2:13: 错误：文件不是 UTF-8 编码的文字（可能是以 GBK/GB18030 保存的，或者不是文本文件）；${SAVE_AS_ZH}`],
    },
  });
  cases.push({ name: 'zero bytes (generated)', file: write('zero.yaml', ''), expect: { line: 1, col: 1, substring: 'the plan is empty' } });
  cases.push({
    name: 'utf-16 (generated)',
    file: write('utf16.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(plan, 'utf16le')])),
    expect: {
      en: ['1:1: error: the file is saved as UTF-16; save it as UTF-8 (in Notepad: Save as → Encoding → UTF-8)'],
      zh: [`1:1: 错误：文件是以 UTF-16 编码保存的；${SAVE_AS_ZH}`],
    },
  });
  // A UTF-8 byte-order mark is not a character of the plan: columns on line 1 do not count it.
  cases.push({
    name: 'byte-order mark before a full-width colon (generated)',
    file: write('bom-colon.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`title：春风行动\n${plan}`)])),
    expect: {
      en: ["1:6: error: '：' (U+FF1A FULLWIDTH COLON) after the key 'title': YAML separates a key from its value with an ASCII colon followed by a space; write title: 春风行动"],
      zh: ["1:6: 错误：键 'title' 后面用了 '：'（U+FF1A FULLWIDTH COLON，全角冒号），YAML 不认；改为半角冒号 ':' 后加一个空格：title: 春风行动"],
    },
  });
  // 10 MB of plausible YAML.
  const line = '# 春风行动 padding line to make this file far larger than any real plan could ever be\n';
  cases.push({
    name: '10 MB (generated)',
    file: write('huge.yaml', line.repeat(Math.ceil((10 * 1024 * 1024) / Buffer.byteLength(line)))),
    expect: { line: 1, col: 1, substring: 'a plan may be at most 1 MB' },
  });
  // Deeply nested flow sequences (under 1 MB).
  const depth = 200_000;
  cases.push({
    name: 'deep flow nesting (generated)',
    file: write('deep.yaml', `campaign: ${'['.repeat(depth)}${']'.repeat(depth)}\n`),
    expect: { line: 1, col: 1, substring: 'nested too deeply' },
  });
  // Deeply indented block mappings (about 360 KB).
  cases.push({
    name: 'deep block nesting (generated)',
    file: write('deep-block.yaml', Array.from({ length: 600 }, (_, i) => `${'  '.repeat(i)}k${i}:\n`).join('')),
    expect: { line: 1, col: 1, substring: "unknown key 'k0'" },
  });
  cases.push({ name: 'directory (generated)', file: tmp, expect: { line: 1, col: 1, substring: 'this is a directory' } });
  cases.push({ name: 'missing file', file: join(tmp, 'does-not-exist.yaml'), expect: { line: 1, col: 1, substring: 'no such file' } });
  return cases;
}

/** Every diagnostic of a file (errors, then warnings), formatted in a language without the file name. */
function diagnosticsOf(file: string): { all: Diagnostic[]; en: string[]; zh: string[]; ok: boolean } {
  const r = loadPlanFile(file);
  const all = [...(r.ok ? [] : r.errors), ...r.warnings];
  const strip = (s: string) => s.slice(file.length + 1);
  return { all, ok: r.ok, en: all.map((d) => strip(formatDiagnosticIn(d, 'en'))), zh: all.map((d) => strip(formatDiagnosticIn(d, 'zh-CN'))) };
}

const fixtures = fixtureCases();
const cases = [...fixtures, ...generatedCases()];

describe('the malformed corpus, in English and Chinese', () => {
  it('has at least 90 committed malformed fixtures, at least 25 of them checked exactly in both languages', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(90);
    expect(fixtures.filter((c) => 'en' in c.expect).length).toBeGreaterThanOrEqual(25);
  });

  for (const c of cases) {
    const e = c.expect;
    const what = 'en' in e ? `exactly ${e.en.map((l) => l.split(': ')[0]).join(', ')}` : `${e.line}:${e.col} ${e.substring}`;
    it(`${c.name}: ${what}`, () => {
      const d = diagnosticsOf(c.file);
      if ('en' in e) {
        expect(d.en).toEqual(e.en);
        expect(d.zh).toEqual(e.zh);
      } else {
        expect(d.ok).toBe(false);
        const hit = d.all.find((x) => x.severity === 'error' && x.line === e.line && x.col === e.col && x.message.includes(e.substring));
        expect(hit, `expected an error at ${e.line}:${e.col} containing ${JSON.stringify(e.substring)} in:\n${d.en.join('\n')}`).toBeDefined();
      }
      for (const x of d.all) {
        expect(x.message).not.toMatch(/internal error/);
        // Every diagnostic has its own Chinese text.
        expect(x.zh, x.message).toMatch(/[\u4e00-\u9fff]/);
        expect(x.zh).not.toBe(x.message);
      }
    });
  }

  it('accepts a UTF-8 byte-order mark silently', () => {
    const plan = readFileSync(join(FIXTURES, 'timezone-unknown.yaml'), 'utf8').replace(/^(# .*\n)+/, '').replace('Asia/Shangai', 'Asia/Shanghai');
    const d = diagnosticsOf(write('bom.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(plan)])));
    expect(d).toMatchObject({ ok: true, en: [] });
  });
});

describe('campaign validate and preview on malformed plans (the real CLI)', () => {
  const fixture = (name: string) => relative(ROOT, join(FIXTURES, name));

  it('prints file:line:col: error: …, a summary, no stack trace, and exits 1', async () => {
    const file = fixture('unknown-key-top-level.yaml');
    const run = await runCli(['validate', file]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toBe(`${file}:27:1: error: unknown key 'deadlnes' — did you mean 'deadlines'?\n${file}: 1 error, 0 warnings\n`);
    expect(run.stderr).toBe('');
  });

  it('prints the diagnostics as JSON in the chosen language and exits 1', async () => {
    const run = await runCli(['validate', '--json', fixture('unknown-key-top-level.yaml')]);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { ok: boolean; language: string; errors: Array<{ line: number; col: number; severity: string; id: string; message: string }> };
    expect(out.ok).toBe(false);
    expect(out.language).toBe('en');
    expect(out.errors[0]).toMatchObject({ line: 27, col: 1, severity: 'error', id: 'structure.unknownKeyNear' });
    expect(out.errors[0].message).toContain("did you mean 'deadlines'?");
  });

  it('speaks Chinese with --lang zh-CN, with a Chinese locale, or when the plan states language: zh-CN', async () => {
    const file = fixture('fullwidth-colon.yaml');
    const line = `${file}:5:8: 错误：键 'title' 后面用了 '：'（U+FF1A FULLWIDTH COLON，全角冒号），YAML 不认；改为半角冒号 ':' 后加一个空格：title: 春风行动`;
    const [byOption, byLocale, byLcAll, english, gbk] = await Promise.all([
      runCli(['validate', '--lang', 'zh-CN', file]),
      runCli(['validate', file], { LANG: 'zh_CN.UTF-8' }),
      runCli(['validate', file], { LANG: 'en_US.UTF-8', LC_ALL: 'zh_CN.UTF-8' }),
      runCli(['validate', '--lang', 'en', file], { LANG: 'zh_CN.UTF-8' }),
      runCli(['validate', join(tmp, 'gbk-zh.yaml')]),
    ]);
    for (const run of [byOption, byLocale, byLcAll]) {
      expect(run.code).toBe(1);
      expect(run.stdout).toBe(`${line}\n${file}：1 个错误，0 个警告\n`);
    }
    expect(english.stdout).toContain(`${file}:5:8: error: '：' (U+FF1A FULLWIDTH COLON) after the key 'title'`);
    expect(gbk.code).toBe(1);
    expect(gbk.stdout).toContain(':3:10: 错误：文件不是 UTF-8 编码：它是以 GBK/GB18030');
  });

  it('exits 0 on a plan with warnings only, and refuses an unknown --lang', async () => {
    const file = fixture('timezone-lowercase.yaml');
    const [en, zh, bad] = await Promise.all([runCli(['validate', file]), runCli(['validate', '--lang', 'zh', file]), runCli(['validate', '--lang', 'fr', file])]);
    expect(en.code).toBe(0);
    expect(en.stdout).toBe(
      `${file}:6:13: warning: the time zone 'asia/shanghai' is written 'Asia/Shanghai' in the IANA database; the plan is compiled with 'Asia/Shanghai' — write it so\n` +
        `${file}: OK — campaign test-2024: 1 deadlines, 2 departments, 1 occurrences, 2 obligations; 1 warning\n`,
    );
    expect(zh.code).toBe(0);
    expect(zh.stdout).toBe(
      `${file}:6:13: 警告：时区 'asia/shanghai' 在 IANA 时区库中写作 'Asia/Shanghai'；已按 'Asia/Shanghai' 计算——请照此改写\n` +
        `${file}：通过 — 活动 test-2024：1 项截止事项，2 个单位，1 次截止，2 项报送；1 个警告\n`,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--lang: 'fr' is not a language this command speaks; use en or zh-CN");
  });

  it('preview --lang zh-CN prints the warnings in Chinese on stderr and the timeline on stdout', async () => {
    const file = fixture('dst-gap.yaml');
    const run = await runCli(['preview', '--lang', 'zh-CN', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `${file}:31:23: 警告：2024-03-10 02:30 在时区 America/New_York 中不存在：这天开始夏令时，时钟拨快跳过了这一时刻；改用 2024-03-10T03:30:00.000-04:00——如不合适，请另选时刻\n`,
    );
    expect(run.stdout).toContain('2024-03-10');
  });
});
