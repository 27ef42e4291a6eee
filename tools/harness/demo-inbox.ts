/**
 * The demo inbox: a real SMTP server on loopback that keeps every message it receives (as .eml
 * files under a data folder, so they survive restarts) and a small web page to read them — what
 * a coordinator rehearsing a campaign looks at instead of real mailboxes.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

export interface DemoInbox {
  smtpPort: number;
  httpPort: number;
  url: string;
  stop(): Promise<void>;
}

interface Summary {
  id: string;
  receivedAt: string;
  from: string;
  to: string;
  cc: string;
  subject: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function summarise(id: string, raw: Buffer, receivedAt: string): Promise<Summary> {
  const m = await PostalMime.parse(raw);
  const list = (xs?: Array<{ address?: string; name?: string }>) => (xs ?? []).map((x) => x.address ?? '').join(', ');
  return { id, receivedAt, from: m.from?.address ?? '', to: list(m.to), cc: list(m.cc), subject: m.subject ?? '' };
}

export async function startDemoInbox(opts: { dir: string; smtpPort: number; httpPort: number; host?: string }): Promise<DemoInbox> {
  const host = opts.host ?? '127.0.0.1';
  mkdirSync(opts.dir, { recursive: true });
  const index: Summary[] = [];
  for (const f of readdirSync(opts.dir).filter((x) => x.endsWith('.eml')).sort()) {
    const id = f.replace(/\.eml$/, '');
    index.push(await summarise(id, readFileSync(path.join(opts.dir, f)), new Date(Number(id.split('-')[0])).toISOString()));
  }
  let seq = index.length;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    banner: 'campaign demo inbox',
    size: 25 * 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const now = Date.now();
        const id = `${now}-${String(++seq).padStart(6, '0')}`;
        writeFileSync(path.join(opts.dir, `${id}.eml`), raw);
        summarise(id, raw, new Date(now).toISOString())
          .then((s) => index.push(s))
          .finally(() => callback());
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(opts.smtpPort, host, () => resolve());
  });

  const http: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://inbox');
    const page = (title: string, body: string) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'" });
      res.end(`<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}tr:hover{background:#f5f8ff}pre{white-space:pre-wrap;background:#f7f7f7;padding:1em}</style>${body}`);
    };
    const m = /^\/m\/([0-9]+-[0-9]+)(\.eml|\/html)?$/.exec(url.pathname);
    if (url.pathname === '/') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const rows = [...index].reverse().filter((s) => !q || `${s.to} ${s.cc} ${s.subject}`.toLowerCase().includes(q));
      page(
        'Demo inbox',
        `<h1>Demo inbox <small>(${index.length} messages)</small></h1><form><input name="q" value="${esc(q)}" placeholder="filter by recipient or subject"> <button>filter</button></form><table><tr><th>received</th><th>to</th><th>cc</th><th>subject</th></tr>${rows
          .slice(0, 500)
          .map((s) => `<tr><td>${esc(s.receivedAt.replace('T', ' ').slice(0, 19))}</td><td>${esc(s.to)}</td><td>${esc(s.cc)}</td><td><a href="/m/${s.id}">${esc(s.subject)}</a></td></tr>`)
          .join('')}</table>`,
      );
    } else if (m) {
      const file = path.join(opts.dir, `${m[1]}.eml`);
      let raw: Buffer;
      try {
        raw = readFileSync(file);
      } catch {
        res.writeHead(404).end('no such message');
        return;
      }
      if (m[2] === '.eml') {
        res.writeHead(200, { 'content-type': 'message/rfc822', 'content-disposition': `attachment; filename="${m[1]}.eml"` }).end(raw);
        return;
      }
      const parsed = await PostalMime.parse(raw);
      if (m[2] === '/html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" }).end(parsed.html ?? '<p>(no HTML part)</p>');
        return;
      }
      const s = index.find((x) => x.id === m[1]);
      page(
        parsed.subject ?? '',
        `<p><a href="/">← inbox</a> · <a href="/m/${m[1]}.eml">download .eml</a></p><h2>${esc(parsed.subject ?? '')}</h2><p>From: ${esc(s?.from ?? '')}<br>To: ${esc(s?.to ?? '')}<br>Cc: ${esc(s?.cc ?? '')}<br>Attachments: ${esc(parsed.attachments.map((a) => a.filename ?? a.mimeType).join(', ') || '—')}</p>${parsed.html ? `<iframe sandbox src="/m/${m[1]}/html" style="width:100%;height:60vh;border:1px solid #ccc"></iframe>` : ''}<pre>${esc(parsed.text ?? '')}</pre>`,
      );
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.httpPort, host, () => resolve());
  });
  return {
    smtpPort: opts.smtpPort,
    httpPort: opts.httpPort,
    url: `http://${host}:${opts.httpPort}`,
    async stop() {
      await new Promise<void>((r) => smtp.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
