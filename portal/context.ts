/**
 * What every portal handler gets: the configuration, the campaign client and stores, and small
 * response helpers (every page goes through send(), which sets the security headers).
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CampaignClient } from '../client/campaign-client';
import { extensionOf } from '../obligations/submission-rules';
import { wellFormed } from '../obligations/typed-text';
import type { AccountStore } from '../store/accounts/account-store';
import type { BlobStore } from '../store/blob-store';
import type { Stores } from '../store/stores';
import { html, layout, type Raw } from './html';
import { applySecurityHeaders } from './security';

export interface PortalConfig {
  /** Signs the departments' links (the same PORTAL_SECRET the worker uses), sessions and CSRF tokens. */
  secret: string;
  /** Public base URL (PORTAL_BASE_URL): its origin is the only one a POST is accepted from. */
  baseUrl: string;
  /**
   * The first admin, created at start-up when the accounts have no admin yet (from
   * PORTAL_COORDINATOR_USER / PORTAL_COORDINATOR_PASSWORD); ignored once an admin exists.
   */
  bootstrapAdmin?: { login: string; password: string };
  maxUploadBytes: number;
  maxFiles: number;
  temporalWebUiUrl: string;
  namespace: string;
  /** Where unexpected errors are logged (never shown to the user). */
  log?: (message: string) => void;
}

export interface PortalDeps {
  campaigns: CampaignClient;
  blobs: BlobStore;
  /** The people who log in to the coordinator's pages; without it those pages are disabled (a department-only portal). */
  accounts?: AccountStore;
  /** The stores a finished campaign's archive is built from (reports/archive); without them no archive is offered. */
  records?: Pick<Stores, 'db' | 'blobs' | 'plans' | 'ledger'>;
}

export interface Ctx {
  config: PortalConfig;
  deps: PortalDeps;
}

export function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/html; charset=utf-8', extra: Record<string, string> = {}): void {
  applySecurityHeaders(res);
  res.statusCode = status;
  res.setHeader('content-type', type);
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * A download streamed from `body` (a blob read chunk by chunk) with the security headers and its
 * length. An error once bytes went out rejects; the caller's handler then cuts the connection.
 */
export async function sendStream(res: ServerResponse, body: Readable, size: number, type: string, extra: Record<string, string> = {}): Promise<void> {
  applySecurityHeaders(res);
  res.statusCode = 200;
  res.setHeader('content-type', type);
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  res.setHeader('content-length', size);
  await pipeline(body, res);
}

export function sendPage(res: ServerResponse, status: number, title: string, body: Raw, opts: { heading?: string; nav?: Raw; headers?: Record<string, string> } = {}): void {
  send(res, status, layout(title, body, opts), 'text/html; charset=utf-8', opts.headers);
}

/** A refusal page: the reason in plain words, nothing else. */
export function sendRefusal(res: ServerResponse, status: number, heading: string, message: string, extra?: Raw): void {
  sendPage(res, status, heading, html`<div class="alert"><p>${message}</p></div>${extra ?? ''}`);
}

export function redirect(res: ServerResponse, location: string, extra: Record<string, string | string[]> = {}): void {
  applySecurityHeaders(res);
  res.statusCode = 303;
  res.setHeader('location', location);
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  res.end();
}

/**
 * The origins a POST may come from: the configured public URL's only. Never the request's Host
 * header — whoever forges the Origin forges the Host with it. (`_req` is not read; callers still
 * pass it.)
 */
export function allowedOrigins(ctx: Ctx): string[] {
  return [new URL(ctx.config.baseUrl).origin];
}

/** RFC 5987 attr-char: what filename* may carry unencoded; everything else is %XX of its UTF-8. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

/**
 * A Content-Disposition for a download named `name`, whatever the name holds (a lone surrogate, a
 * quote, a line break): `filename*` with the name in UTF-8 (RFC 5987/6266; a lone surrogate becomes
 * U+FFFD), and `filename` an ASCII fallback for old clients — `fallback` if given, else the name's
 * ASCII letters, digits and . _ -, or "download" with its extension when too few are left. Never throws.
 */
export function contentDisposition(name: string, fallback?: string): string {
  const utf8 = Buffer.from(wellFormed(name) || 'download', 'utf8');
  let encoded = '';
  for (const byte of utf8) {
    const c = String.fromCharCode(byte);
    encoded += byte < 0x80 && ATTR_CHAR.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `attachment; filename="${asciiName(fallback ?? name)}"; filename*=UTF-8''${encoded}`;
}

function asciiName(name: string): string {
  const ext = extensionOf(name);
  const stem = name
    .slice(0, name.length - ext.length)
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[_.-]+|[_-]+$/g, '');
  return `${/[A-Za-z0-9]/.test(stem) ? stem.slice(0, 100) : 'download'}${ext}`;
}
