/**
 * Renders a message of one kind from the template files in mail/templates/<language>/:
 * `<kind>.subject.txt`, `<kind>.text.txt` and `<kind>.html` (syntax: mail/template.ts and
 * mail/templates/README.md, which also lists the values each kind offers).
 *
 * `renderMessage` turns the typed context into a flat "view" of ready-made strings (the values
 * every message has, mail/messages/view.ts, and the kind's own, mail/messages/<kind>.ts), renders
 * the three files and adds the kind's attachments (an .ics for launch and reminder, the XLSX for
 * final-summary).
 *
 * Templates are cached by path and file modification time: a coordinator's edit takes effect on
 * the next message without restarting the worker.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Language } from '../deadlines/timeline';
import { messageType, type ContextByKind, type MessageKind } from './messages';
import { baseView, viewHelpers } from './messages/view';
import { compileTemplate, renderTemplate, TemplateError } from './template';
import type { CompiledTemplate } from './template';
import type { OutgoingAttachment } from './transport';

const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  attachments: OutgoingAttachment[];
}

export interface RenderOptions {
  /** Directory holding `zh-CN/` and `en/` (default: mail/templates next to this file, or MAIL_TEMPLATES_DIR). */
  templatesDir?: string;
}

// ---------------------------------------------------------------- templates

export const DEFAULT_TEMPLATES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');

const cache = new Map<string, { mtimeMs: number; size: number; tpl: CompiledTemplate }>();

export function clearTemplateCache(): void {
  cache.clear();
}

function loadTemplate(file: string): CompiledTemplate {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new TemplateError(`template file missing: ${file}`);
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.tpl;
  const tpl = compileTemplate(readFileSync(file, 'utf8'), { source: file, html: file.endsWith('.html') });
  cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, tpl });
  return tpl;
}

export function templateFiles(kind: MessageKind, language: Language, templatesDir = resolveDir()): { subject: string; text: string; html: string } {
  const dir = path.join(templatesDir, language);
  return {
    subject: path.join(dir, `${kind}.subject.txt`),
    text: path.join(dir, `${kind}.text.txt`),
    html: path.join(dir, `${kind}.html`),
  };
}

function resolveDir(opts?: RenderOptions): string {
  return opts?.templatesDir ?? process.env.MAIL_TEMPLATES_DIR ?? DEFAULT_TEMPLATES_DIR;
}

// ---------------------------------------------------------------- rendering

export function renderMessage<K extends MessageKind>(kind: K, ctx: ContextByKind[K], opts?: RenderOptions): RenderedMessage {
  const type = messageType(kind);
  if (!type) throw new TemplateError(`unknown message kind: ${String(kind)}`);
  if (!LANGUAGES.includes(ctx.language)) throw new TemplateError(`unsupported language: ${String(ctx.language)}`);
  const files = templateFiles(kind, ctx.language, resolveDir(opts));
  const view = { ...baseView(ctx), ...type.view(ctx, viewHelpers(ctx)) };
  const subject = renderTemplate(loadTemplate(files.subject), view).replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const full = { ...view, subject };
  const text = tidyText(renderTemplate(loadTemplate(files.text), full));
  const html = renderTemplate(loadTemplate(files.html), full);
  return { subject, text, html, attachments: type.attachments?.(ctx, view) ?? [] };
}

function tidyText(s: string): string {
  return s.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}
