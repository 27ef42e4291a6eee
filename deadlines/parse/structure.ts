/**
 * YAML data → a plan that has the structure of the schema (schema/), or every structural problem,
 * each worded in the coordinator's terms (`deadline 'weekly-stats' schedule.weekly: …`, "did you
 * mean", the key a missing value needs) and pinned to its line by the YAML locator.
 */
import type { z } from 'zod';
import { closest, type Diagnostic, diagnosticAt } from '../diagnostics';
import { describeValue, planSchema, type PlanInput } from '../schema';
import type { Locator, PathSegment } from './yaml';

/** Upper bounds on the sections' sizes (the largest campaigns have about 1,000 departments and a dozen deadlines). */
export const MAX_ITEMS: Record<string, number> = { departments: 5000, groups: 500, forms: 50, deadlines: 500 };

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
        tooLong.push(diagnosticAt(file, locate([section], 'key'), `${section}: ${n} entries; a plan may have at most ${max} — is this the right file?`));
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
      out.push(diagnosticAt(file, locate([...path, key], 'key'), at(msg)));
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
      out.push(diagnosticAt(file, locate(path.slice(0, -1), 'key'), at(`missing required key '${String(key)}'`)));
      return;
    }
    out.push(diagnosticAt(file, locate(path), at(`${issue.message}; found ${describeValue(input)}`)));
    return;
  }
  if (issue.code === 'invalid_key') {
    const key = path[path.length - 1];
    const inner = issue.issues?.[0]?.message ?? issue.message;
    out.push(diagnosticAt(file, locate(path, 'key'), at(`the key '${String(key)}' is not valid: ${inner}`)));
    return;
  }
  if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined && path.length > 0) {
    const key = String(path[path.length - 1]);
    const parentPath = path.slice(0, -1);
    const parentWhere = describePath(parentPath, data);
    const hint = MISSING_HINTS[key];
    const msg = `missing required key '${key}'${hint ? `: ${hint}` : ''}`;
    const d: MissingKey = { ...diagnosticAt(file, locate(parentPath, 'key'), parentWhere ? `${parentWhere}: ${msg}` : msg), missing: JSON.stringify(path) };
    out.push(d);
    return;
  }
  const value = getAt(data, path);
  const wantsKey = issue.code === 'custom' && ((issue.params as { at?: string } | undefined)?.at === 'key' || (value !== null && typeof value === 'object'));
  const target = wantsKey ? 'key' : 'value';
  out.push(diagnosticAt(file, locate(path, target), at(issue.message)));
}
