/**
 * Reading a plan file: bytes → text → YAML document with positions → structure checked by the
 * schema, every problem pinned to the line and column of the node it is about (the key itself
 * for unknown keys, the parent key for missing ones).
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node as YamlNode,
  parseDocument,
  visit,
} from 'yaml';
import type { z } from 'zod';
import { closest, type Diagnostic, type Position } from './diagnostics';
import { describeValue, planSchema, type PlanInput } from './schema';

export const MAX_PLAN_BYTES = 1024 * 1024;
/** Aliases (*name) the YAML reader will expand in one plan; keeps "billion laughs" files harmless. */
export const MAX_ALIAS_COUNT = 50;

export type PathSegment = string | number;

/** Finds the line:col of the node at a path in the plan (the key when `target` is 'key'). */
export type Locator = (path: readonly PathSegment[], target?: 'key' | 'value') => Position;

export interface ParsedYaml {
  data: unknown;
  locate: Locator;
  /** Problems found while reading the YAML (errors stop here unless they are only duplicate keys). */
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

const START: Position = { line: 1, col: 1 };

/** Upper bounds on the sections' sizes (the largest campaigns have about 1,000 departments and a dozen deadlines). */
export const MAX_ITEMS: Record<string, number> = { departments: 5000, groups: 500, forms: 50, deadlines: 500 };

export const TOO_DEEP = 'the plan is nested too deeply to be read; a plan needs only a few levels of indentation';

function diag(file: string, pos: Position, message: string, severity: 'error' | 'warning' = 'error'): Diagnostic {
  return { file, line: pos.line, col: pos.col, severity, message };
}

// ---------------------------------------------------------------------------------------------
// Bytes and text

function lineColAtByte(buf: Uint8Array, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // Column in characters: count UTF-8 lead bytes between the line start and the offset.
  let col = 1;
  for (let i = lineStart; i < offset && i < buf.length; i++) if ((buf[i] & 0xc0) !== 0x80) col++;
  return { line, col };
}

/**
 * Turns file bytes into plan text, or says why they are not a plan: too big, binary, not UTF-8.
 * Strips a UTF-8 byte-order mark.
 */
export function decodePlanBytes(buf: Uint8Array, file: string): { text: string } | { error: Diagnostic } {
  if (buf.length > MAX_PLAN_BYTES) {
    return { error: diag(file, START, `the file is ${formatSize(buf.length)}; a plan may be at most 1 MB — is this the right file?`) };
  }
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    return { error: diag(file, START, 'the file is saved as UTF-16; save it as UTF-8 (in Notepad: Save as → Encoding → UTF-8)') };
  }
  const nul = buf.indexOf(0);
  if (nul >= 0) {
    return {
      error: diag(file, lineColAtByte(buf, nul), 'this is not a text file (it contains NUL bytes); a plan is a YAML text file saved as UTF-8'),
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    const bad = firstInvalidUtf8(buf);
    return {
      error: diag(
        file,
        lineColAtByte(buf, bad),
        'the file is not UTF-8 text (it may be saved as GBK/GB18030 or be a binary file); save it as UTF-8',
      ),
    };
  }
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    let n = 0;
    if (b < 0x80) n = 0;
    else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) n = 2;
    else if (b >= 0xf0 && b <= 0xf4) n = 3;
    else return i;
    for (let k = 1; k <= n; k++) if (i + k >= buf.length || (buf[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return 0;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.ceil(bytes / 1024)} KB`;
}

/** Checks text handed over as a string (size, NUL characters, broken surrogates, emptiness). */
export function checkPlanText(text: string, file: string): Diagnostic | undefined {
  if (typeof text !== 'string') return diag(file, START, 'the plan is not text');
  // Cheap upper bound first: UTF-8 needs at most 3 bytes per UTF-16 unit.
  if (text.length > MAX_PLAN_BYTES || (text.length * 3 > MAX_PLAN_BYTES && Buffer.byteLength(text, 'utf8') > MAX_PLAN_BYTES)) {
    return diag(file, START, `the plan is ${formatSize(Buffer.byteLength(text, 'utf8'))}; a plan may be at most 1 MB — is this the right file?`);
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return diag(file, lineColAt(text, nul), 'this is not a text file (it contains NUL characters); a plan is a YAML text file saved as UTF-8');
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(text);
  if (lone) return diag(file, lineColAt(text, lone.index), 'the text contains a broken character (a lone UTF-16 surrogate); save the file as UTF-8');
  if (text.replace(/^\uFEFF/, '').trim() === '') {
    return diag(file, START, 'the plan is empty: start from the example in docs/plan-format.md (campaign:, departments:, deadlines:)');
  }
  return undefined;
}

function lineColAt(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

// ---------------------------------------------------------------------------------------------
// YAML

/** Parses YAML text into plain data plus a locator. Never throws. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const posOf = (offset: number | undefined): Position => {
    if (offset === undefined || offset < 0) return START;
    const p = lineCounter.linePos(offset);
    return p.line >= 1 ? { line: p.line, col: p.col } : START;
  };
  // Duplicate keys are found by duplicateKeys() below in linear time: the yaml package's own
  // uniqueKeys check compares every pair of keys in a mapping, which takes minutes on a 1 MB file of
  // keys. Its result (DUPLICATE_KEY) would be the same, with a less helpful message.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false, strict: true });
  const locate = makeLocator(doc, posOf);

  let onlyDuplicates = true;
  for (const e of doc.errors) {
    if (e.code === 'DUPLICATE_KEY') continue; // reported below with the key's name
    onlyDuplicates = false;
    if (/call stack/i.test(e.message)) {
      errors.push(diag(file, START, TOO_DEEP));
      continue;
    }
    const pos = e.linePos?.[0] ? { line: e.linePos[0].line, col: e.linePos[0].col } : posOf(e.pos?.[0]);
    errors.push(diag(file, pos, yamlMessage(e.code, e.message)));
  }
  for (const w of doc.warnings) {
    const pos = w.linePos?.[0] ? { line: w.linePos[0].line, col: w.linePos[0].col } : posOf(w.pos?.[0]);
    warnings.push(diag(file, pos, `YAML: ${firstLine(w.message)}`, 'warning'));
  }
  for (const d of duplicateKeys(doc, file, posOf)) errors.push(d);
  if (!onlyDuplicates) return { data: undefined, locate, errors, warnings };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/alias/i.test(msg)) {
      errors.push(
        diag(
          file,
          firstAliasPosition(doc, posOf),
          `the plan uses YAML aliases (*name) that would expand to a huge amount of data (more than ${MAX_ALIAS_COUNT} expansions); write the values out instead of nesting aliases`,
        ),
      );
    } else {
      errors.push(diag(file, START, `the YAML could not be read: ${firstLine(msg)}`));
    }
    return { data: undefined, locate, errors, warnings };
  }
  if (data === null || data === undefined) {
    errors.push(diag(file, START, 'the plan is empty: start from the example in docs/plan-format.md (campaign:, departments:, deadlines:)'));
  } else if (typeof data !== 'object' || Array.isArray(data)) {
    errors.push(
      diag(
        file,
        posOf(doc.contents?.range?.[0]),
        `a plan is a YAML mapping with the sections campaign:, departments:, deadlines: (and optionally calendar:, defaults:, groups:, forms:); found ${describeValue(data)}`,
      ),
    );
  }
  return { data, locate, errors, warnings };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').trim();
}

function yamlMessage(code: string, message: string): string {
  const first = firstLine(message);
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'YAML syntax: a tab is used for indentation; YAML indents with spaces only (replace the tab with spaces)';
    case 'MULTIPLE_DOCUMENTS':
    case 'MULTIPLE_DOCS':
      return "YAML syntax: the file holds more than one YAML document ('---'); a plan is one document — remove the extra '---' or split the file";
    case 'MISSING_CHAR':
      return `YAML syntax: ${first.charAt(0).toLowerCase()}${first.slice(1)} — a quote or bracket opened above is never closed (YAML looked for it up to here); check the quotes and brackets on the lines above`;
    case 'BAD_INDENT':
      return /end with a [\]}]/.test(first)
        ? `YAML syntax: ${first.charAt(0).toLowerCase()}${first.slice(1)} — a [ or { opened above is not closed before this line; check the brackets on the lines above`
        : `YAML syntax: ${first.charAt(0).toLowerCase()}${first.slice(1)}; check the indentation of this line against the lines above`;
    case 'BAD_SCALAR_START':
      return `YAML syntax: ${first.charAt(0).toLowerCase()}${first.slice(1)}; put the value in quotes`;
    case 'MULTILINE_IMPLICIT_KEY':
      return `YAML syntax: ${first.charAt(0).toLowerCase()}${first.slice(1)}; a key must fit on one line — check for a missing ':' or a missing quote on the line above`;
    default:
      return `YAML syntax: ${first.charAt(0).toLowerCase()}${first.slice(1)}`;
  }
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return '';
  return String(key);
}

function duplicateKeys(doc: Document, file: string, posOf: (o: number | undefined) => Position): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Map(_, map) {
      const first = new Map<string, number | undefined>();
      for (const pair of map.items) {
        const k = keyText(pair.key);
        const start = (pair.key as YamlNode | null)?.range?.[0];
        if (first.has(k)) {
          const firstPos = posOf(first.get(k));
          out.push(
            diag(
              file,
              posOf(start),
              `duplicate key '${k}': it already appears at line ${firstPos.line} in the same mapping; YAML would keep only one of them — remove or merge the duplicate`,
            ),
          );
        } else first.set(k, start);
      }
    },
  });
  return out;
}

function firstAliasPosition(doc: Document, posOf: (o: number | undefined) => Position): Position {
  let found: number | undefined;
  visit(doc, {
    Alias(_, node) {
      found = node.range?.[0];
      return visit.BREAK;
    },
  });
  return posOf(found);
}

function makeLocator(doc: Document, posOf: (o: number | undefined) => Position): Locator {
  // Key → pair index per mapping, built on first use, so that locating many keys stays linear.
  const index = new WeakMap<object, Map<string, unknown>>();
  const pairOf = (map: { items: unknown[] }, key: string): { key: unknown; value: unknown } | undefined => {
    let m = index.get(map);
    if (!m) {
      m = new Map();
      for (const p of map.items) if (isPair(p) && !m.has(keyText(p.key))) m.set(keyText(p.key), p);
      index.set(map, m);
    }
    return m.get(key) as { key: unknown; value: unknown } | undefined;
  };
  return (path, target = 'value') => {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    let best: Position = posOf((doc.contents as YamlNode | null)?.range?.[0]);
    let bestKey: Position | undefined;
    for (let depth = 0; depth < path.length; depth++) {
      const seg = path[depth];
      let guard = 0;
      while (isAlias(node) && guard++ < 10) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = pairOf(node, String(seg));
        if (!pair) break;
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        if (seg < 0 || seg >= node.items.length) break;
        keyNode = undefined;
        node = node.items[seg];
      } else break;
      const keyStart = (keyNode as YamlNode | null | undefined)?.range?.[0];
      bestKey = keyStart !== undefined ? posOf(keyStart) : undefined;
      const valueStart = (node as YamlNode | null | undefined)?.range?.[0];
      // `key:` with no value has no value node: point at the key.
      best = valueStart !== undefined ? posOf(valueStart) : bestKey ?? best;
      if (depth === path.length - 1) return target === 'key' && bestKey ? bestKey : best;
    }
    return target === 'key' && bestKey ? bestKey : best;
  };
}

// ---------------------------------------------------------------------------------------------
// Structure

type Issue = z.core.$ZodIssue;

const ENTITY: Record<string, { word: string; byId: boolean }> = {
  deadlines: { word: 'deadline', byId: true },
  departments: { word: 'department', byId: true },
  forms: { word: 'form', byId: true },
  columns: { word: 'column', byId: true },
  of_which: { word: 'sub-column', byId: true },
  contacts: { word: 'contact', byId: false },
  leaders: { word: 'leader', byId: false },
  reminders: { word: 'reminder', byId: false },
  escalation: { word: 'escalation rung', byId: false },
};

function getAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

/**
 * Names a place in the plan in the coordinator's terms, e.g.
 * `deadline 'weekly-stats' schedule.weekly` or `campaign.period.end`.
 */
export function describePath(path: readonly PathSegment[], data: unknown): string {
  const words: string[] = [];
  let keys: string[] = [];
  const flush = () => {
    if (keys.length) words.push(keys.join('.'));
    keys = [];
  };
  path.forEach((seg, i) => {
    if (typeof seg === 'number') {
      const parent = keys.pop();
      const entity = parent !== undefined ? ENTITY[parent] : undefined;
      flush();
      if (entity) {
        const itemId = entity.byId ? (getAt(data, path.slice(0, i + 1)) as { id?: unknown } | undefined)?.id : undefined;
        words.push(typeof itemId === 'string' && itemId !== '' ? `${entity.word} '${itemId}'` : `${entity.word} #${seg + 1}`);
      } else {
        words.push(parent !== undefined ? `${parent} (item ${seg + 1})` : `item ${seg + 1}`);
      }
    } else keys.push(seg);
  });
  flush();
  return words.join(' ');
}

const MISSING_HINTS: Record<string, string> = {
  campaign: 'add a campaign: section with id, title, period and office',
  id: "add id: (lower-case letters, digits, '-')",
  title: 'add title: with the name used in the notice',
  period: 'add period: { start: 2024-01-25, end: 2024-04-08 }',
  start: 'add start: yyyy-MM-dd',
  end: 'add end: yyyy-MM-dd',
  office: 'add office: { name: …, contacts: [{ name: …, email: … }] } (the coordinating office)',
  name: 'add name:',
  email: 'add email: name@example.org',
  departments: 'add a departments: list (each with id, name and contacts)',
  deadlines: 'add a deadlines: list (each with id, title, from and schedule)',
  contacts: 'add contacts: [{ name: 联络员, email: name@example.org }]',
  from: 'add from: [department or group ids]',
  schedule: 'add schedule:, e.g. { date: 2024-02-02 } or { weekly: thursday, time: "18:00" }',
  to: 'add to: [department, leaders, coordinator] (who receives this step)',
  columns: 'add columns: (each with id, label and type)',
  label: 'add label:',
  type: 'add type: count, amount, text or names',
  month: 'add month: 1-12',
  day: 'add day: 1-30 or last',
  relative_to: 'add relative_to: spring_festival, spring_festival_holiday_end, period_start or period_end',
  date: 'add date: yyyy-MM-dd',
};

/** Keys an object schema accepts at a path, for "did you mean". */
function knownKeysAt(path: readonly PathSegment[]): string[] {
  let schema: unknown = planSchema;
  const unwrap = (s: unknown): unknown => {
    for (let guard = 0; guard < 20; guard++) {
      const def = (s as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
      if (!def) return s;
      if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') s = def.innerType;
      else if (def.type === 'lazy') s = (def.getter as () => unknown)();
      else if (def.type === 'pipe') s = def.in;
      else return s;
    }
    return s;
  };
  const objectOptions = (s: unknown): Array<Record<string, unknown>> => {
    const u = unwrap(s);
    const def = (u as { _zod: { def: Record<string, unknown> } })._zod?.def;
    if (!def) return [];
    if (def.type === 'object') return [def.shape as Record<string, unknown>];
    if (def.type === 'union') return (def.options as unknown[]).flatMap(objectOptions);
    return [];
  };
  for (const seg of path) {
    const u = unwrap(schema);
    const def = (u as { _zod: { def: Record<string, unknown> } })._zod?.def;
    if (!def) return [];
    if (def.type === 'array') schema = def.element;
    else if (def.type === 'record') schema = def.valueType;
    else if (def.type === 'object' || def.type === 'union') {
      const shape = objectOptions(u).find((s) => typeof seg === 'string' && seg in s);
      if (!shape) return [];
      schema = shape[seg as string];
    } else return [];
  }
  return [...new Set(objectOptions(schema).flatMap((s) => Object.keys(s)))];
}

function expectedWords(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text';
    case 'number':
    case 'int':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'a mapping (key: value)';
    default:
      return expected;
  }
}

/** Default messages for issues the schema does not word itself. */
const errorMap = (iss: { code?: string; input?: unknown; [k: string]: unknown }): string | undefined => {
  switch (iss.code) {
    case 'invalid_type': {
      const expected = expectedWords(String(iss.expected));
      let hint = '';
      if (iss.expected === 'string' && (typeof iss.input === 'number' || typeof iss.input === 'boolean')) hint = ' (put it in quotes)';
      if (iss.expected === 'array' && iss.input !== null && typeof iss.input !== 'object') hint = ` (write a list, e.g. [${String(iss.input)}])`;
      if (iss.expected === 'number' && typeof iss.input === 'string' && /^-?\d+$/.test(iss.input)) hint = ' (remove the quotes)';
      if (iss.expected === 'int') return `expected a whole number, found ${describeValue(iss.input)}`;
      return `expected ${expected}, found ${describeValue(iss.input)}${hint}`;
    }
    case 'invalid_value': {
      const values = (iss.values as unknown[]) ?? [];
      const near = typeof iss.input === 'string' ? closest(iss.input, values.map(String)) : undefined;
      return `${typeof iss.input === 'string' ? `'${iss.input}'` : describeValue(iss.input)} is not one of: ${values.join(', ')}${near ? ` — did you mean '${near}'?` : ''}`;
    }
    case 'too_small': {
      if (iss.origin === 'array') return `must list at least ${iss.minimum} item${iss.minimum === 1 ? '' : 's'}`;
      if (iss.origin === 'string') return 'must not be empty';
      return `must be at least ${iss.minimum}, found ${describeValue(iss.input)}`;
    }
    case 'too_big': {
      if (iss.origin === 'array') return `may list at most ${iss.maximum} items`;
      if (iss.origin === 'string') return `may be at most ${iss.maximum} characters long`;
      return `must be at most ${iss.maximum}, found ${describeValue(iss.input)}`;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${iss.divisor}`;
    default:
      return undefined;
  }
};

/** Checks the plan's structure. All problems are returned, each with its position. */
export function checkStructure(data: unknown, locate: Locator, file: string): { plan: PlanInput; errors: [] } | { plan?: undefined; errors: Diagnostic[] } {
  // Lists far longer than any campaign are refused before the detailed check, which would
  // otherwise spend seconds listing the same mistake for each of 100,000 items.
  const tooLong: Diagnostic[] = [];
  if (data !== null && typeof data === 'object') {
    for (const [section, max] of Object.entries(MAX_ITEMS)) {
      const list = (data as Record<string, unknown>)[section];
      const n = Array.isArray(list) ? list.length : list !== null && typeof list === 'object' ? Object.keys(list).length : 0;
      if (n > max) {
        tooLong.push(diag(file, locate([section], 'key'), `${section}: ${n} entries; a plan may have at most ${max} — is this the right file?`));
      }
    }
  }
  if (tooLong.length) return { errors: tooLong };
  const result = planSchema.safeParse(data, { error: errorMap, reportInput: true });
  if (result.success) return { plan: result.data, errors: [] };
  const errors: Diagnostic[] = [];
  const suggested = new Set<string>();
  for (const issue of result.error.issues) flattenIssue(issue, [], data, locate, file, errors, suggested);
  // "unknown key 'titel' — did you mean 'title'?" already explains the missing 'title'.
  return { errors: errors.filter((e) => !(e as MissingKey).missing || !suggested.has((e as MissingKey).missing!)).map(stripMissing) };
}

type MissingKey = Diagnostic & { missing?: string };

function stripMissing(d: MissingKey): Diagnostic {
  const { missing: _missing, ...rest } = d;
  return rest;
}

function flattenIssue(
  issue: Issue,
  prefix: PathSegment[],
  data: unknown,
  locate: Locator,
  file: string,
  out: Diagnostic[],
  suggested: Set<string>,
): void {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  const where = describePath(path, data);
  const at = (text: string) => (where ? `${where}: ${text}` : text);

  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path);
    for (const key of issue.keys) {
      const near = closest(key, known.filter((k) => !(k in ((getAt(data, path) as object) ?? {}))));
      if (near) suggested.add(JSON.stringify([...path, near]));
      const msg = near
        ? `unknown key '${key}' — did you mean '${near}'?`
        : `unknown key '${key}'${known.length ? `; the keys here are: ${known.join(', ')}` : ''}`;
      out.push(diag(file, locate([...path, key], 'key'), at(msg)));
    }
    return;
  }
  if (issue.code === 'invalid_union') {
    const input = (issue as { input?: unknown }).input;
    const branches = (issue.errors ?? []).filter(
      (branch) => !branch.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')),
    );
    if (branches.length === 1 && input !== undefined) {
      for (const sub of branches[0]) flattenIssue(sub, path, data, locate, file, out, suggested);
      return;
    }
    if (input === undefined) {
      const key = path[path.length - 1];
      out.push(diag(file, locate(path.slice(0, -1), 'key'), at(`missing required key '${String(key)}'`)));
      return;
    }
    out.push(diag(file, locate(path), at(`${issue.message}; found ${describeValue(input)}`)));
    return;
  }
  if (issue.code === 'invalid_key') {
    const key = path[path.length - 1];
    const inner = issue.issues?.[0]?.message ?? issue.message;
    out.push(diag(file, locate(path, 'key'), at(`the key '${String(key)}' is not valid: ${inner}`)));
    return;
  }
  if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined && path.length > 0) {
    const key = String(path[path.length - 1]);
    const parentPath = path.slice(0, -1);
    const parentWhere = describePath(parentPath, data);
    const hint = MISSING_HINTS[key];
    const msg = `missing required key '${key}'${hint ? `: ${hint}` : ''}`;
    const d: MissingKey = { ...diag(file, locate(parentPath, 'key'), parentWhere ? `${parentWhere}: ${msg}` : msg), missing: JSON.stringify(path) };
    out.push(d);
    return;
  }
  const value = getAt(data, path);
  const wantsKey = issue.code === 'custom' && ((issue.params as { at?: string } | undefined)?.at === 'key' || (value !== null && typeof value === 'object'));
  const target = wantsKey ? 'key' : 'value';
  out.push(diag(file, locate(path, target), at(issue.message)));
}
