/**
 * YAML data → a plan that has the structure of the schema (schema/), or every structural problem,
 * each worded in the coordinator's terms (`deadline 'weekly-stats' schedule.weekly: …`, "did you
 * mean", the key a missing value needs) and pinned to its line by the YAML locator. The schema's
 * own messages arrive through zod encoded (messages/core.ts fromIssue); the ones it does not word
 * itself are worded here (errorMap), in both languages.
 */
import type { z } from 'zod';
import { closest, type Diagnostic, diagnosticAt } from '../diagnostics';
import { fromIssue, type Message, placed, same, toIssue, type Words } from '../messages/core';
import { ENTITY_WORDS, expectedWords, itemWords, joinPlaces, MISSING_HINTS, STRUCTURE_MESSAGES as M, type TypeHint } from '../messages/structure';
import { valueWords } from '../messages/values';
import { planSchema, type PlanInput } from '../schema';
import type { Locator, PathSegment } from './yaml';

/** Upper bounds on the sections' sizes (the largest campaigns have about 1,000 departments and a dozen deadlines). */
export const MAX_ITEMS: Record<string, number> = { departments: 5000, groups: 500, forms: 50, deadlines: 500 };

type Issue = z.core.$ZodIssue;

function getAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

/**
 * Names a place in the plan in the coordinator's terms, in both languages, e.g.
 * `deadline 'weekly-stats' schedule.weekly` / `截止事项 'weekly-stats' 的 schedule.weekly`, or
 * `campaign.period.end`.
 */
export function placeWords(path: readonly PathSegment[], data: unknown): Words {
  const words: Words[] = [];
  let keys: string[] = [];
  const flush = () => {
    if (keys.length) words.push(same(keys.join('.')));
    keys = [];
  };
  path.forEach((seg, i) => {
    if (typeof seg === 'number') {
      const parent = keys.pop();
      const entity = parent !== undefined ? ENTITY_WORDS[parent] : undefined;
      flush();
      const itemId = entity?.byId ? (getAt(data, path.slice(0, i + 1)) as { id?: unknown } | undefined)?.id : undefined;
      words.push(itemWords(entity, parent, seg, typeof itemId === 'string' && itemId !== '' ? itemId : undefined));
    } else keys.push(seg);
  });
  flush();
  return joinPlaces(words);
}

/** The place in English, e.g. `deadline 'weekly-stats' schedule.weekly` (placeWords has both languages). */
export function describePath(path: readonly PathSegment[], data: unknown): string {
  return placeWords(path, data).en;
}

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

/** Default messages for issues the schema does not word itself. */
const errorMap = (iss: { code?: string; input?: unknown; [k: string]: unknown }): string | undefined => {
  const m = defaultMessage(iss);
  return m ? toIssue(m) : undefined;
};

function defaultMessage(iss: { code?: string; input?: unknown; [k: string]: unknown }): Message | undefined {
  const found = valueWords(iss.input);
  switch (iss.code) {
    case 'invalid_type': {
      let hint: TypeHint = { kind: 'none' };
      if (iss.expected === 'string' && (typeof iss.input === 'number' || typeof iss.input === 'boolean')) hint = { kind: 'quote' };
      if (iss.expected === 'array' && iss.input !== null && typeof iss.input !== 'object') hint = { kind: 'list', value: String(iss.input) };
      if (iss.expected === 'number' && typeof iss.input === 'string' && /^-?\d+$/.test(iss.input)) hint = { kind: 'unquote' };
      if (iss.expected === 'int') return M.expectedWholeNumber(found);
      return M.expected(expectedWords(String(iss.expected)), found, hint);
    }
    case 'invalid_value': {
      const values = ((iss.values as unknown[]) ?? []).map(String);
      const near = typeof iss.input === 'string' ? closest(iss.input, values) : undefined;
      return M.notOneOf(typeof iss.input === 'string' ? same(`'${iss.input}'`) : found, values, near);
    }
    case 'too_small': {
      if (iss.origin === 'array') return M.atLeastItems(Number(iss.minimum));
      if (iss.origin === 'string') return M.notEmpty();
      return M.atLeast(iss.minimum, found);
    }
    case 'too_big': {
      if (iss.origin === 'array') return M.atMostItems(iss.maximum);
      if (iss.origin === 'string') return M.atMostCharacters(iss.maximum);
      return M.atMost(iss.maximum, found);
    }
    case 'not_multiple_of':
      return M.multipleOf(iss.divisor);
    default:
      return undefined;
  }
}

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
        tooLong.push(diagnosticAt(file, locate([section], 'key'), M.tooManyEntries(section, n, max)));
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
  const where = placeWords(path, data);
  const at = (m: Message) => placed(where, m);

  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path);
    for (const key of issue.keys) {
      const near = closest(key, known.filter((k) => !(k in ((getAt(data, path) as object) ?? {}))));
      if (near) suggested.add(JSON.stringify([...path, near]));
      out.push(diagnosticAt(file, locate([...path, key], 'key'), at(near ? M.unknownKeyNear(key, near) : M.unknownKey(key, known))));
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
      out.push(diagnosticAt(file, locate(path.slice(0, -1), 'key'), at(M.missingKey(String(key), undefined))));
      return;
    }
    out.push(diagnosticAt(file, locate(path), at(M.unionFound(fromIssue(issue.message), valueWords(input)))));
    return;
  }
  if (issue.code === 'invalid_key') {
    const key = path[path.length - 1];
    const inner = fromIssue(issue.issues?.[0]?.message ?? issue.message);
    out.push(diagnosticAt(file, locate(path, 'key'), at(M.invalidKey(String(key), inner))));
    return;
  }
  if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined && path.length > 0) {
    const key = String(path[path.length - 1]);
    const parentPath = path.slice(0, -1);
    const msg = placed(placeWords(parentPath, data), M.missingKey(key, MISSING_HINTS[key]));
    const d: MissingKey = { ...diagnosticAt(file, locate(parentPath, 'key'), msg), missing: JSON.stringify(path) };
    out.push(d);
    return;
  }
  const value = getAt(data, path);
  const wantsKey = issue.code === 'custom' && ((issue.params as { at?: string } | undefined)?.at === 'key' || (value !== null && typeof value === 'object'));
  const target = wantsKey ? 'key' : 'value';
  out.push(diagnosticAt(file, locate(path, target), at(fromIssue(issue.message))));
}
