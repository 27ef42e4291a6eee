/**
 * Every malformed plan under test/fixtures/malformed is rejected by the real CLI
 * (`node cli/campaign.mjs validate <file>`): exit code 1, the diagnostic announced on the file's
 * first line (`# expect: <line>:<col> <substring>`) printed as `file:line:col: error: …`, and no
 * stack trace. Binary, 0-byte, 10 MB and deeply nested files are generated into a temp dir.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/malformed');
const CLI = join(ROOT, 'cli/campaign.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, maxBuffer: 32 * 1024 * 1024, timeout: 60_000, env: { ...process.env, CAMPAIGN_DEBUG: '' } },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        done({ code: typeof code === 'number' ? code : 1, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Runs jobs with at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

interface Case {
  name: string;
  /** Path as passed to the CLI (relative to the repo root, so diagnostics show it as given). */
  file: string;
  line: number;
  col: number;
  substring: string;
}

const tmp = mkdtempSync(join(tmpdir(), 'plan-malformed-'));

function fixtureCases(): Case[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const first = readFileSync(join(FIXTURES, f), 'utf8').split('\n', 1)[0];
      const m = /^# expect: (\d+):(\d+) (.+)$/.exec(first);
      if (!m) throw new Error(`${f}: first line must be "# expect: <line>:<col> <substring>", found ${JSON.stringify(first)}`);
      return { name: f, file: relative(ROOT, join(FIXTURES, f)), line: Number(m[1]), col: Number(m[2]), substring: m[3] };
    });
}

function generatedCases(): Case[] {
  const cases: Case[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    const file = join(tmp, name);
    writeFileSync(file, data);
    return file;
  };
  // Binary: a PNG header and some bytes with NULs.
  cases.push({
    name: 'binary (generated)',
    file: write('binary.yaml', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0x00])),
    line: 3,
    col: 1,
    substring: 'this is not a text file',
  });
  // Not UTF-8: GBK bytes for 春风行动 after a valid first line.
  cases.push({
    name: 'gbk (generated)',
    file: write('gbk.yaml', Uint8Array.from([...Buffer.from('campaign:\n  title: '), 0xb4, 0xba, 0xb7, 0xe7, 0xd0, 0xd0, 0xb6, 0xaf, 0x0a])),
    line: 2,
    col: 10,
    substring: 'not UTF-8 text',
  });
  cases.push({ name: 'zero bytes (generated)', file: write('zero.yaml', ''), line: 1, col: 1, substring: 'the plan is empty' });
  cases.push({
    name: 'utf-16 (generated)',
    file: write('utf16.yaml', Uint8Array.from([0xff, 0xfe, ...Buffer.from('c\0a\0')])),
    line: 1,
    col: 1,
    substring: 'UTF-16',
  });
  // 10 MB of plausible YAML.
  const line = '# 春风行动 padding line to make this file far larger than any real plan could ever be\n';
  cases.push({
    name: '10 MB (generated)',
    file: write('huge.yaml', line.repeat(Math.ceil((10 * 1024 * 1024) / Buffer.byteLength(line)))),
    line: 1,
    col: 1,
    substring: 'a plan may be at most 1 MB',
  });
  // Deeply nested flow sequences (under 1 MB).
  const depth = 200_000;
  cases.push({
    name: 'deep flow nesting (generated)',
    file: write('deep.yaml', `campaign: ${'['.repeat(depth)}${']'.repeat(depth)}\n`),
    line: 1,
    col: 1,
    substring: 'nested too deeply',
  });
  // Deeply indented block mappings (about 360 KB).
  cases.push({
    name: 'deep block nesting (generated)',
    file: write('deep-block.yaml', Array.from({ length: 600 }, (_, i) => `${'  '.repeat(i)}k${i}:\n`).join('')),
    line: 1,
    col: 1,
    substring: "unknown key 'k0'",
  });
  cases.push({ name: 'directory (generated)', file: tmp, line: 1, col: 1, substring: 'this is a directory' });
  cases.push({ name: 'missing file', file: join(tmp, 'does-not-exist.yaml'), line: 1, col: 1, substring: 'no such file' });
  return cases;
}

const cases = [...fixtureCases(), ...generatedCases()];
const results = new Map<string, Run>();

beforeAll(async () => {
  const runs = await pool(cases, 4, (c) => runCli(['validate', c.file]));
  cases.forEach((c, i) => results.set(c.name, runs[i]));
}, 600_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('campaign validate on malformed plans', () => {
  it('has at least 30 committed malformed fixtures', () => {
    expect(fixtureCases().length).toBeGreaterThanOrEqual(30);
  });

  for (const c of cases) {
    it(`${c.name}: exit 1 with ${c.line}:${c.col} ${c.substring}`, () => {
      const run = results.get(c.name)!;
      const output = run.stdout + run.stderr;
      expect(run.code, output).toBe(1);
      expect(output).not.toMatch(/^ {4}at /m);
      expect(output).not.toMatch(/internal error/);
      const prefix = `${c.file}:${c.line}:${c.col}: error: `;
      const hit = output.split('\n').find((l) => l.startsWith(prefix) && l.includes(c.substring));
      expect(hit, `expected a line starting with ${JSON.stringify(prefix)} containing ${JSON.stringify(c.substring)} in:\n${output}`).toBeDefined();
      expect(output).toMatch(/: \d+ errors?, \d+ warnings?\n$/);
    });
  }
});

describe('campaign validate --json', () => {
  it('prints the diagnostics as JSON and exits 1', async () => {
    const run = await runCli(['validate', '--json', relative(ROOT, join(FIXTURES, 'unknown-key-top-level.yaml'))]);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { ok: boolean; errors: Array<{ line: number; col: number; severity: string; message: string }> };
    expect(out.ok).toBe(false);
    expect(out.errors[0]).toMatchObject({ line: 27, col: 1, severity: 'error' });
    expect(out.errors[0].message).toContain("did you mean 'deadlines'?");
  });
});
