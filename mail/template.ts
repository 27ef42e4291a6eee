/**
 * A deliberately tiny template language for the message files in mail/templates/ (documented in
 * mail/templates/README.md):
 *
 *   {{name}}  {{a.b}}                 a value; HTML-escaped when the template is HTML
 *   {{#if name}} … {{else}} … {{/if}}  shown when the value is non-empty (text, list, number ≠ 0, true)
 *   {{#each list}} … {{/each}}        repeated per item; inside, names are looked up on the item
 *                                    first, then outside; {{.}} is the item itself
 *   {{! comment }}                    dropped
 *
 * A block tag alone on its line takes the whole line with it, so text templates stay tidy. There
 * is no way to insert unescaped HTML and no code: a coordinator can edit the files safely. A
 * `{{name}}` that the message does not provide is an error (it is usually a typo), reported with
 * the file and line.
 */

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

type Node =
  | { t: 'text'; s: string }
  | { t: 'var'; path: string; line: number }
  | { t: 'if'; path: string; line: number; then: Node[]; else: Node[] }
  | { t: 'each'; path: string; line: number; body: Node[] };

export interface CompiledTemplate {
  source: string;
  html: boolean;
  nodes: Node[];
}

type Token =
  | { k: 'text'; s: string }
  | { k: 'var'; path: string; line: number }
  | { k: 'open'; block: 'if' | 'each'; path: string; line: number }
  | { k: 'else'; line: number }
  | { k: 'close'; block: 'if' | 'each'; line: number }
  | { k: 'comment'; line: number };

const PATH_RE = /^(\.|[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)$/;

export function compileTemplate(text: string, opts: { source: string; html: boolean }): CompiledTemplate {
  const tokens = tokenize(text.replace(/\r\n/g, '\n'), opts.source);
  stripStandalone(tokens);
  const [nodes, rest] = parse(tokens, 0, opts.source, undefined);
  if (rest !== tokens.length) throw new TemplateError(`${opts.source}: unexpected closing tag`);
  return { source: opts.source, html: opts.html, nodes };
}

function tokenize(text: string, source: string): Token[] {
  const tokens: Token[] = [];
  const re = /\{\{(.*?)\}\}/gs;
  let last = 0;
  let m: RegExpExecArray | null;
  const lineAt = (i: number) => text.slice(0, i).split('\n').length;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) tokens.push({ k: 'text', s: text.slice(last, m.index) });
    last = re.lastIndex;
    const line = lineAt(m.index);
    const inner = m[1].trim();
    const where = `${source}:${line}`;
    if (inner.startsWith('!')) {
      tokens.push({ k: 'comment', line });
    } else if (inner.startsWith('#')) {
      const mm = /^#(if|each)\s+(\S+)$/.exec(inner);
      if (!mm || !PATH_RE.test(mm[2])) throw new TemplateError(`${where}: cannot read "{{${inner}}}"; expected {{#if name}} or {{#each name}}`);
      tokens.push({ k: 'open', block: mm[1] as 'if' | 'each', path: mm[2], line });
    } else if (inner.startsWith('/')) {
      const b = inner.slice(1).trim();
      if (b !== 'if' && b !== 'each') throw new TemplateError(`${where}: unknown closing tag "{{${inner}}}"`);
      tokens.push({ k: 'close', block: b, line });
    } else if (inner === 'else') {
      tokens.push({ k: 'else', line });
    } else {
      if (!PATH_RE.test(inner)) throw new TemplateError(`${where}: "{{${inner}}}" is not a value name (letters, digits, _ and dots)`);
      tokens.push({ k: 'var', path: inner, line });
    }
  }
  if (last < text.length) tokens.push({ k: 'text', s: text.slice(last) });
  const stray = /\{\{|\}\}/.exec(tokens.filter((t) => t.k === 'text').map((t) => (t as { s: string }).s).join('\u0000'));
  if (stray) throw new TemplateError(`${source}: unbalanced "{{" or "}}"`);
  return tokens;
}

/** Removes the line of a block tag that stands alone on it (only whitespace around). */
function stripStandalone(tokens: Token[]): void {
  const standalone: number[] = [];
  const last = tokens.length - 1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.k === 'text' || t.k === 'var') continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const prevOk =
      prev === undefined ||
      (prev.k === 'text' && (/\n[ \t]*$/.test(prev.s) || (i - 1 === 0 && /^[ \t]*$/.test(prev.s))));
    const nextOk =
      next === undefined || (next.k === 'text' && (/^[ \t]*\n/.test(next.s) || (i + 1 === last && /^[ \t]*$/.test(next.s))));
    if (prevOk && nextOk) standalone.push(i);
  }
  for (const i of standalone) {
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (prev && prev.k === 'text') prev.s = prev.s.replace(/[ \t]*$/, '');
    if (next && next.k === 'text') next.s = next.s.replace(/^[ \t]*\n?/, '');
  }
}

function parse(tokens: Token[], start: number, source: string, open: { block: 'if' | 'each'; line: number } | undefined): [Node[], number] {
  const nodes: Node[] = [];
  let i = start;
  while (i < tokens.length) {
    const t = tokens[i];
    switch (t.k) {
      case 'text':
        if (t.s) nodes.push({ t: 'text', s: t.s });
        i++;
        break;
      case 'comment':
        i++;
        break;
      case 'var':
        nodes.push({ t: 'var', path: t.path, line: t.line });
        i++;
        break;
      case 'open': {
        const [body, j] = parse(tokens, i + 1, source, { block: t.block, line: t.line });
        let end = j;
        let elseNodes: Node[] = [];
        const maybeElse = tokens[end];
        if (maybeElse?.k === 'else') {
          if (t.block !== 'if') throw new TemplateError(`${source}:${maybeElse.line}: {{else}} only belongs in {{#if}}`);
          const [en, k] = parse(tokens, end + 1, source, { block: 'if', line: t.line });
          elseNodes = en;
          end = k;
        }
        const close = tokens[end];
        if (!close || close.k !== 'close' || close.block !== t.block) {
          throw new TemplateError(`${source}:${t.line}: {{#${t.block} ${t.path}}} is not closed by {{/${t.block}}}`);
        }
        nodes.push(
          t.block === 'if'
            ? { t: 'if', path: t.path, line: t.line, then: body, else: elseNodes }
            : { t: 'each', path: t.path, line: t.line, body },
        );
        i = end + 1;
        break;
      }
      case 'else':
      case 'close':
        if (!open) throw new TemplateError(`${source}:${t.line}: {{${t.k === 'else' ? 'else' : '/' + t.block}}} without an opening tag`);
        return [nodes, i];
    }
  }
  if (open) throw new TemplateError(`${source}:${open.line}: {{#${open.block}}} is not closed`);
  return [nodes, i];
}

const MISSING = Symbol('missing');

function lookup(scopes: unknown[], p: string): unknown {
  if (p === '.') return scopes[scopes.length - 1];
  const parts = p.split('.');
  for (let s = scopes.length - 1; s >= 0; s--) {
    const scope = scopes[s];
    if (scope !== null && typeof scope === 'object' && Object.prototype.hasOwnProperty.call(scope, parts[0])) {
      let v: unknown = scope;
      for (const part of parts) {
        if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, part)) return MISSING;
        v = (v as Record<string, unknown>)[part];
      }
      return v;
    }
  }
  return MISSING;
}

function truthy(v: unknown): boolean {
  if (v === MISSING || v === undefined || v === null || v === false || v === '' || v === 0) return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function renderTemplate(tpl: CompiledTemplate, view: Record<string, unknown>): string {
  const out: string[] = [];
  const walk = (nodes: Node[], scopes: unknown[]) => {
    for (const n of nodes) {
      if (n.t === 'text') out.push(n.s);
      else if (n.t === 'var') {
        const v = lookup(scopes, n.path);
        if (v === MISSING || v === undefined || v === null) {
          throw new TemplateError(`${tpl.source}:${n.line}: this message has no value "${n.path}"`);
        }
        if (typeof v === 'object') throw new TemplateError(`${tpl.source}:${n.line}: "${n.path}" is a list or group, not a value`);
        const s = String(v);
        out.push(tpl.html ? escapeHtml(s) : s);
      } else if (n.t === 'if') {
        walk(truthy(lookup(scopes, n.path)) ? n.then : n.else, scopes);
      } else {
        const v = lookup(scopes, n.path);
        if (v === MISSING || v === undefined || v === null) continue;
        if (!Array.isArray(v)) throw new TemplateError(`${tpl.source}:${n.line}: "${n.path}" is not a list`);
        for (const item of v) walk(n.body, [...scopes, item]);
      }
    }
  };
  walk(tpl.nodes, [view]);
  return out.join('');
}
