/**
 * Plan text → YAML data plus a locator: the line and column of the node at any path of the plan
 * (the key itself for unknown keys, the parent key for missing ones), so that every later check
 * can pin its diagnostics to the file. YAML syntax errors, duplicate keys, alias bombs and
 * nesting too deep to read are reported here, worded for the coordinator who edits the file;
 * characters that only look like YAML's (full-width colons and spaces…) are found first
 * (characters.ts), since YAML's own errors about them point elsewhere.
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
import { type Diagnostic, diagnosticAt, FILE_START, type Position } from '../diagnostics';
import type { Message } from '../messages/core';
import { FILE_MESSAGES as M } from '../messages/file';
import { valueWords } from '../messages/values';
import { misusedCharacters } from './characters';

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

/** The message for a plan nested too deeply to be read (also when reading it overflows the stack). */
export const TOO_DEEP = M.tooDeep;

/** Parses YAML text into plain data plus a locator. Never throws. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const posOf = (offset: number | undefined): Position => {
    if (offset === undefined || offset < 0) return FILE_START;
    const p = lineCounter.linePos(offset);
    return p.line >= 1 ? { line: p.line, col: p.col } : FILE_START;
  };
  // Duplicate keys are found by duplicateKeys() below in linear time: the yaml package's own
  // uniqueKeys check compares every pair of keys in a mapping, which takes minutes on a 1 MB file of
  // keys. Its result (DUPLICATE_KEY) would be the same, with a less helpful message.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false, strict: true });
  const locate = makeLocator(doc, posOf);
  // A misused character explains the YAML errors it causes (or the schema errors, when YAML reads
  // it as text): those are left out, and the plan goes no further until the characters are fixed.
  const characters = misusedCharacters(text, file, posOf);
  if (characters.length > 0) return { data: undefined, locate, errors: characters, warnings };

  let onlyDuplicates = true;
  for (const e of doc.errors) {
    if (e.code === 'DUPLICATE_KEY') continue; // reported below with the key's name
    onlyDuplicates = false;
    if (/call stack/i.test(e.message)) {
      errors.push(diagnosticAt(file, FILE_START, TOO_DEEP()));
      continue;
    }
    const pos = e.linePos?.[0] ? { line: e.linePos[0].line, col: e.linePos[0].col } : posOf(e.pos?.[0]);
    errors.push(diagnosticAt(file, pos, yamlMessage(e.code, e.message)));
  }
  for (const w of doc.warnings) {
    const pos = w.linePos?.[0] ? { line: w.linePos[0].line, col: w.linePos[0].col } : posOf(w.pos?.[0]);
    warnings.push(diagnosticAt(file, pos, M.yamlWarning(firstLine(w.message)), 'warning'));
  }
  for (const d of duplicateKeys(doc, file, posOf)) errors.push(d);
  if (!onlyDuplicates) return { data: undefined, locate, errors, warnings };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/alias/i.test(msg)) {
      errors.push(diagnosticAt(file, firstAliasPosition(doc, posOf), M.aliasBomb(MAX_ALIAS_COUNT)));
    } else {
      errors.push(diagnosticAt(file, FILE_START, M.unreadable(firstLine(msg))));
    }
    return { data: undefined, locate, errors, warnings };
  }
  if (data === null || data === undefined) {
    errors.push(diagnosticAt(file, FILE_START, M.empty()));
  } else if (typeof data !== 'object' || Array.isArray(data)) {
    errors.push(diagnosticAt(file, posOf(doc.contents?.range?.[0]), M.notAMapping(valueWords(data))));
  }
  return { data, locate, errors, warnings };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').trim();
}

function yamlMessage(code: string, message: string): Message {
  const first = firstLine(message);
  switch (code) {
    case 'TAB_AS_INDENT':
      return M.tabIndent();
    case 'MULTIPLE_DOCUMENTS':
    case 'MULTIPLE_DOCS':
      return M.multipleDocuments();
    case 'MISSING_CHAR':
      return M.unclosed(first);
    case 'BAD_INDENT':
      return /end with a [\]}]/.test(first) ? M.bracketNotClosed(first) : M.badIndent(first);
    case 'BAD_SCALAR_START':
      return M.badScalarStart(first);
    case 'MULTILINE_IMPLICIT_KEY':
      return M.multilineKey(first);
    default:
      return M.syntax(first);
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
          out.push(diagnosticAt(file, posOf(start), M.duplicateKey(k, firstPos.line)));
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
