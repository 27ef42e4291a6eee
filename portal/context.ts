/**
 * What every portal handler gets: the configuration, the campaign client and stores, and small
 * response helpers (every page goes through send(), which sets the security headers).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CampaignClient } from '../client/campaign-client';
import type { BlobStore } from '../store/blob-store';
import { html, layout, type Raw } from './html';
import { applySecurityHeaders } from './security';

export interface PortalConfig {
  /** Signs the departments' links (the same PORTAL_SECRET the worker uses), sessions and CSRF tokens. */
  secret: string;
  /** Public base URL (its origin is accepted for POSTs besides the Host the request came to). */
  baseUrl: string;
  coordinator?: { user: string; password: string };
  maxUploadBytes: number;
  maxFiles: number;
  temporalWebUiUrl: string;
  namespace: string;
  sessionTtlSeconds?: number;
  /** Where unexpected errors are logged (never shown to the user). */
  log?: (message: string) => void;
}

export interface PortalDeps {
  campaigns: CampaignClient;
  blobs: BlobStore;
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

export function allowedOrigins(ctx: Ctx, req: IncomingMessage): string[] {
  const out = [new URL(ctx.config.baseUrl).origin];
  const host = req.headers.host;
  if (host && /^[A-Za-z0-9.\-:[\]]+$/.test(host)) out.push(`http://${host}`, `https://${host}`);
  return out;
}
