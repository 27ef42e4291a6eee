/**
 * Characters that look like YAML's own but are not, as a Chinese input method types them: a
 * full-width colon after a key (`title：春风行动`), full-width commas, semicolons or 、 between list
 * items (`[taiyuan，datong]`), full-width brackets around a list (`【taiyuan, datong】`), Chinese
 * quotation marks around a value (`“18:00”`), and lines indented with full-width spaces (U+3000),
 * no-break spaces (U+00A0, from text copied out of Word or a web page) or tabs. YAML reads most of
 * these as ordinary text, so its own errors, if any, point elsewhere — a full-width colon's at the
 * line above — or come in threes (a tab). Each is reported here once, at its exact line and
 * column, naming the character and what to type; the plan is read no further until they are fixed.
 *
 * Only plain (unquoted) scalars are looked at, through YAML's own lexer: quoted and block (| >)
 * text, and comments, are the author's words and may hold any character. A value on the same line
 * as its key (`title: 通知：关于…`) is text too; a key-like word followed by a full-width colon is
 * only suspect where a key can stand.
 */
import { Lexer } from 'yaml';
import { type Diagnostic, diagnosticAt, type Position } from '../diagnostics';
import { FILE_MESSAGES as M } from '../messages/file';

/** Space-like characters YAML does not count as indentation or as the space after a colon. */
const ODD_SPACE = /[\u00A0\u2000-\u200B\u202F\u205F\u3000\uFEFF]/;
const KEY_WORD = '[A-Za-z_][A-Za-z0-9_-]*';
const FULLWIDTH_COLON = new RegExp(`^(${KEY_WORD})[ \\t\\u00A0\\u3000]*(\\uFF1A)`);
const ODD_SPACE_AFTER_COLON = new RegExp(`^(${KEY_WORD}):(${ODD_SPACE.source})`);
const SEPARATOR = /([\x21-\x7E])([ \t]*)([\uFF0C\u3001\uFF1B])[ \t]*(?=[\x21-\x7E])/;
const SEPARATORS = /[ \t]*[\uFF0C\u3001\uFF1B][ \t]*/g;
const BRACKETS: Record<string, { close: string; kind: 'list' | 'mapping' }> = {
  '\u3010': { close: '\u3011', kind: 'list' },
  '\uFF3B': { close: '\uFF3D', kind: 'list' },
  '\uFF08': { close: '\uFF09', kind: 'list' },
  '\u3014': { close: '\u3015', kind: 'list' },
  '\uFF5B': { close: '\uFF5D', kind: 'mapping' },
};
const QUOTES = /^([\u201C\u201D\u2018\u2019])([\x20-\x7E]+)([\u201C\u201D\u2018\u2019])$/;
const ASCII_INSIDE = /^[\x20-\x7E\uFF0C\u3001\uFF1B]+$/;

/** Where a plain scalar stands: as a key (or an item), or as the value on the same line as its key. */
interface Place {
  sameLineValue: boolean;
  atLineStart: boolean;
  inFlow: boolean;
}

/**
 * What the text must contain somewhere for any rule below to find something: each rule's pattern
 * as it appears in the raw text, whatever the YAML around it. A plan without any (most plans, even
 * Chinese ones) is not lexed a second time.
 */
const SUSPECT = new RegExp(
  [
    `^[ \\t-]*${ODD_SPACE.source}`,
    '^[ ]*\\t',
    `${KEY_WORD}[ \\t\\u00A0\\u3000]*\\uFF1A`,
    `${KEY_WORD}:${ODD_SPACE.source}`,
    SEPARATOR.source,
    '[\\u3010\\uFF3B\\uFF08\\u3014\\uFF5B][\\x20-\\x7E\\uFF0C\\u3001\\uFF1B]+[\\u3011\\uFF3D\\uFF09\\u3015\\uFF5D]',
    '[\\u201C\\u201D\\u2018\\u2019][\\x20-\\x7E]+[\\u201C\\u201D\\u2018\\u2019]',
  ].join('|'),
  'm',
);

/** Every misused character of the plan text, each an error at its position. */
export function misusedCharacters(text: string, file: string, posOf: (offset: number) => Position): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!SUSPECT.test(text)) return out;
  const at = (offset: number) => posOf(offset);
  let pos = 0;
  let scalarNext = false;
  let blockScalarNext = false;
  let flowDepth = 0;
  let lastSignificant = '';
  let newlineSince = true;
  let onlySpaceSinceLineStart = true;
  let tabAt: number | undefined;
  for (const tok of new Lexer().lex(text)) {
    if (tok === '\u0002') continue;
    if (tok === '\u0018') {
      flowDepth = 0;
      continue;
    }
    if (tok === '\u001F') {
      scalarNext = true;
      continue;
    }
    const start = pos;
    pos += tok.length;
    // A tab in the whitespace a line starts with, followed by something on that line: indentation.
    if (tabAt !== undefined && !/^[ \t]+$/.test(tok)) {
      if (!tok.includes('\n') && tok[0] !== '#') out.push(diagnosticAt(file, at(tabAt), M.tabIndent()));
      tabAt = undefined;
    }
    if (scalarNext) {
      scalarNext = false;
      const block = blockScalarNext;
      blockScalarNext = false;
      if (!block && tok[0] !== '"' && tok[0] !== "'") {
        const place: Place = {
          sameLineValue: lastSignificant === ':' && !newlineSince,
          atLineStart: onlySpaceSinceLineStart,
          inFlow: flowDepth > 0,
        };
        for (const d of plainScalar(tok, start, place, file, at)) out.push(d);
      }
      lastSignificant = 'scalar';
      newlineSince = tok.includes('\n');
      onlySpaceSinceLineStart = false;
      continue;
    }
    if (tok.includes('\n')) {
      newlineSince = true;
      onlySpaceSinceLineStart = true;
      continue;
    }
    if (/^[ \t]+$/.test(tok)) {
      if (onlySpaceSinceLineStart && lastSignificant !== '-' && flowDepth === 0 && tabAt === undefined && tok.includes('\t')) tabAt = start + tok.indexOf('\t');
      continue;
    }
    if (tok[0] === '#') continue;
    if (tok === '-' || tok === '?') {
      lastSignificant = tok;
      continue; // a list item may stand at the line start after its dash
    }
    onlySpaceSinceLineStart = false;
    if (tok === '[' || tok === '{') flowDepth++;
    else if ((tok === ']' || tok === '}') && flowDepth > 0) flowDepth--;
    else if (/^[|>][-+0-9]*$/.test(tok)) blockScalarNext = true;
    lastSignificant = tok;
    if (tok !== ':') newlineSince = false;
  }
  return out;
}

function plainScalar(tok: string, start: number, place: Place, file: string, at: (offset: number) => Position): Diagnostic[] {
  const out: Diagnostic[] = [];
  const firstLine = tok.split(/\r?\n/, 1)[0];
  // Indentation: the line's first characters, before anything YAML could read.
  let lead = 0;
  if (place.atLineStart) {
    while (lead < firstLine.length && ODD_SPACE.test(firstLine[lead])) lead++;
    if (lead > 0) out.push(diagnosticAt(file, at(start), M.indentCharacter(firstLine[0])));
  }
  const body = firstLine.slice(lead);
  const bodyStart = start + lead;
  if (!place.sameLineValue) {
    const colon = FULLWIDTH_COLON.exec(body);
    if (colon) {
      const key = colon[1];
      const rest = body.slice(colon[0].length).trim();
      out.push(diagnosticAt(file, at(bodyStart + colon[0].length - 1), M.fullwidthColon(colon[2], key, rest ? `${key}: ${cut(rest)}` : `${key}:`)));
      return out;
    }
    const space = ODD_SPACE_AFTER_COLON.exec(body);
    if (space) {
      out.push(diagnosticAt(file, at(bodyStart + space[1].length + 1), M.spaceAfterColon(space[2], space[1])));
      return out;
    }
  }
  const trimmed = body.trimEnd();
  const bracket = BRACKETS[trimmed[0]];
  if (bracket && trimmed.endsWith(bracket.close) && trimmed.length > 2 && ASCII_INSIDE.test(trimmed.slice(1, -1))) {
    const inner = trimmed.slice(1, -1).trim().replace(SEPARATORS, ', ');
    const fixed = bracket.kind === 'list' ? `[${inner}]` : `{ ${inner} }`;
    out.push(diagnosticAt(file, at(bodyStart), M.fullwidthBrackets(trimmed[0], bracket.close, bracket.kind, fixed)));
    return out;
  }
  const quoted = QUOTES.exec(trimmed);
  if (quoted) {
    out.push(diagnosticAt(file, at(bodyStart), M.chineseQuotes(quoted[1], quoted[3], `"${quoted[2]}"`)));
    return out;
  }
  if (place.inFlow) {
    const sep = SEPARATOR.exec(body);
    if (sep) {
      const offset = bodyStart + sep.index + sep[1].length + sep[2].length;
      out.push(diagnosticAt(file, at(offset), M.fullwidthSeparator(sep[3], body.trim().replace(SEPARATORS, ', '))));
    }
  }
  return out;
}

/** The rest of a line as an example, cut short. */
function cut(s: string): string {
  return s.length > 30 ? `${s.slice(0, 30)}…` : s;
}
