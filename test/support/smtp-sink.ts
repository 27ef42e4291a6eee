/**
 * A real SMTP server for tests (smtp-server on 127.0.0.1), with scriptable failures.
 *
 * Every accepted message is parsed with postal-mime and kept in `messages`, in the order the
 * server replied 250 to its DATA. Nothing is mocked: clients talk the SMTP protocol over loopback.
 *
 * - Plain text only: STARTTLS is disabled and AUTH is allowed without TLS (`allowInsecureAuth`);
 *   authentication is optional and any user/password is accepted (the user is recorded).
 * - `setFailure` scripts the next replies: 451 to the next N RCPT or DATA commands, 550 (or any
 *   code) for one recipient at RCPT while the others are accepted, "drop-after-data" (store the
 *   message, then cut the connection instead of replying 250), or "down": the listener is
 *   closed and every open connection dropped, so clients get ECONNREFUSED until `restart()`
 *   (or `setFailure({ kind: 'none' })`) listens again on the same port.
 * - `onAccepted` hooks run after the 250 reply to DATA has been written (for kill tests: the server
 *   has the message, the client may not have processed the reply yet).
 * - `onReceived` hooks run once the message is stored but BEFORE the 250 is written, and delay the
 *   reply until they settle: kill the client there to land a crash exactly in the "accepted by the
 *   server, not yet confirmed to the sender" window.
 * - `behaviour` is a free-form hook consulted at MAIL FROM, RCPT TO and DATA; it may return a reply
 *   to refuse the command. Scripted failures are consulted first.
 */
import type { AddressInfo } from 'node:net';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

export interface ReceivedAttachment {
  filename: string | null;
  mimeType: string;
  disposition: string | null;
  /** The `method` parameter of a text/calendar part, e.g. PUBLISH. */
  method?: string;
  content: Buffer;
  /** Content decoded as UTF-8 (meaningful for text parts such as .ics). */
  text: string;
}

export interface ReceivedAddress {
  name: string;
  address: string;
}

export interface ReceivedMessage {
  /** 1-based order of acceptance. */
  seq: number;
  /** SMTP envelope. */
  envelope: { mailFrom: string; rcptTo: string[] };
  /** AUTH user, if the client authenticated. */
  user?: string;
  subject: string;
  from?: ReceivedAddress;
  to: ReceivedAddress[];
  cc: ReceivedAddress[];
  replyTo: ReceivedAddress[];
  /** Message-ID header with angle brackets, as sent. */
  messageId?: string;
  /** Every header, lower-case keys, first occurrence. */
  headers: Record<string, string>;
  text?: string;
  html?: string;
  attachments: ReceivedAttachment[];
  raw: Buffer;
  receivedAt: Date;
}

export type SinkPhase = 'mail' | 'rcpt' | 'data';

export interface SinkContext {
  phase: SinkPhase;
  /** MAIL FROM or RCPT TO address (lower-case as sent); for 'data', undefined. */
  address?: string;
  /** Envelope so far. */
  envelope: { mailFrom: string; rcptTo: string[] };
  sessionId: string;
  /** Messages accepted so far. */
  accepted: number;
}

export interface SinkReply {
  code: number;
  message?: string;
}

export type SinkBehaviour = (ctx: SinkContext) => SinkReply | undefined | void | Promise<SinkReply | undefined | void>;

export type SinkFailure =
  /** Reply `code` (default 451) to the next `count` (default 1) RCPT or DATA commands (default DATA). */
  | { kind: 'tempfail'; at?: 'rcpt' | 'data'; count?: number; code?: number; message?: string }
  /** Reply `code` (default 550) at RCPT for this address (case-insensitive) until cleared; others accepted. */
  | { kind: 'reject-recipient'; address: string; code?: number; message?: string }
  /**
   * Take the next `count` (default 1) messages — stored in `messages`, as a real server would have
   * queued them — then drop the connection instead of replying 250: the sender cannot know.
   */
  | { kind: 'drop-after-data'; count?: number }
  /** Close the listener and drop every connection: clients get ECONNREFUSED. */
  | { kind: 'down' }
  /** Clear every scripted failure; listen again if down. */
  | { kind: 'none' };

/** One command the sink answered, for assertions such as "this recipient was not tried again". */
export interface SinkEvent {
  phase: SinkPhase;
  address?: string;
  code: number;
  sessionId: string;
}

export interface SmtpSink {
  readonly port: number;
  readonly host: string;
  /** `smtp://127.0.0.1:<port>` */
  readonly url: string;
  readonly messages: ReceivedMessage[];
  readonly events: SinkEvent[];
  readonly isDown: boolean;
  /** Resolves once at least `n` messages have been accepted (and parsed). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  setFailure(mode: SinkFailure): Promise<void>;
  /** Listen again on the same port after `setFailure({ kind: 'down' })`; scripted failures are kept. */
  restart(): Promise<void>;
  /** Called after the 250 reply to DATA was written. Returns a function that removes the hook. */
  onAccepted(hook: (msg: ReceivedMessage) => void | Promise<void>): () => void;
  /** Called after the message is stored, before the 250 is written; the reply waits for it. */
  onReceived(hook: (msg: ReceivedMessage) => void | Promise<void>): () => void;
  /** Forget received messages and events (scripted failures are kept). */
  reset(): void;
  /** Environment variables for `parseMailConfig` pointing at this sink. */
  env(extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** 0 (default) = a free port. */
  port?: number;
  behaviour?: SinkBehaviour;
  onAccepted?: (msg: ReceivedMessage) => void | Promise<void>;
  onReceived?: (msg: ReceivedMessage) => void | Promise<void>;
  /** Artificial delay before replying to DATA (ms). */
  dataDelayMs?: number;
}

const HOST = '127.0.0.1';

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: ReceivedMessage[] = [];
  const events: SinkEvent[] = [];
  const acceptedHooks = new Set<(msg: ReceivedMessage) => void | Promise<void>>();
  if (opts.onAccepted) acceptedHooks.add(opts.onAccepted);
  const receivedHooks = new Set<(msg: ReceivedMessage) => void | Promise<void>>();
  if (opts.onReceived) receivedHooks.add(opts.onReceived);
  const waiters = new Set<() => void>();
  let tempfail: { at: 'rcpt' | 'data'; remaining: number; code: number; message: string } | undefined;
  const rejectRecipients = new Map<string, SinkReply>();
  let dropAfterData = 0;
  let server: SMTPServer | undefined;
  let port = opts.port ?? 0;
  let down = false;

  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const envelopeOf = (session: SMTPServerSession) => ({
    mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
  });

  const smtpError = (reply: SinkReply): Error & { responseCode: number } => {
    const err = new Error(reply.message ?? defaultMessage(reply.code)) as Error & { responseCode: number };
    err.responseCode = reply.code;
    return err;
  };

  const consult = async (phase: SinkPhase, session: SMTPServerSession, address?: string): Promise<SinkReply | undefined> => {
    if (tempfail && tempfail.at === phase && tempfail.remaining > 0) {
      tempfail.remaining -= 1;
      const reply = { code: tempfail.code, message: tempfail.message };
      if (tempfail.remaining === 0) tempfail = undefined;
      return reply;
    }
    if (phase === 'rcpt' && address) {
      const r = rejectRecipients.get(address.toLowerCase());
      if (r) return r;
    }
    if (opts.behaviour) {
      const r = await opts.behaviour({ phase, address, envelope: envelopeOf(session), sessionId: session.id, accepted: messages.length });
      if (r) return r;
    }
    return undefined;
  };

  const record = (phase: SinkPhase, session: SMTPServerSession, code: number, address?: string) => {
    events.push({ phase, address, code, sessionId: session.id });
  };

  const makeServer = () =>
    new SMTPServer({
      logger: false,
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      closeTimeout: 100,
      socketTimeout: 30_000,
      onAuth(auth, _session, callback) {
        callback(null, { user: auth.username ?? 'anonymous' });
      },
      onMailFrom(address: SMTPServerAddress, session, callback) {
        consult('mail', session, address.address).then(
          (reply) => {
            record('mail', session, reply?.code ?? 250, address.address);
            callback(reply ? smtpError(reply) : null);
          },
          (err: Error) => callback(err),
        );
      },
      onRcptTo(address: SMTPServerAddress, session, callback) {
        consult('rcpt', session, address.address).then(
          (reply) => {
            record('rcpt', session, reply?.code ?? 250, address.address);
            callback(reply ? smtpError(reply) : null);
          },
          (err: Error) => callback(err),
        );
      },
      onData(stream: SMTPServerDataStream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          void (async () => {
            try {
              if (opts.dataDelayMs) await new Promise((r) => setTimeout(r, opts.dataDelayMs));
              const reply = await consult('data', session);
              if (reply) {
                record('data', session, reply.code);
                callback(smtpError(reply));
                return;
              }
              const raw = Buffer.concat(chunks);
              const msg = await parseReceived(raw, messages.length + 1, envelopeOf(session), session.user as string | undefined);
              messages.push(msg);
              record('data', session, 250);
              notify();
              for (const hook of receivedHooks) await Promise.resolve(hook(msg)).catch(() => undefined);
              if (dropAfterData > 0) {
                dropAfterData -= 1;
                const conn = [...(server?.connections ?? [])].find((c) => c.session.id === session.id);
                conn?._socket.destroy();
                return;
              }
              callback(null, `OK: queued as ${msg.seq}`);
              // the 250 has been written by now (smtp-server replies synchronously once the stream ended)
              setImmediate(() => {
                for (const hook of acceptedHooks) void Promise.resolve(hook(msg)).catch(() => undefined);
              });
            } catch (err) {
              callback(err as Error);
            }
          })();
        });
      },
    });

  const listen = async () => {
    const s = makeServer();
    s.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      s.server.once('error', onError);
      s.listen(port, HOST, () => {
        s.server.off('error', onError);
        resolve();
      });
    });
    port = (s.server.address() as AddressInfo).port;
    server = s;
    down = false;
  };

  const close = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      // drop idle pooled client connections right away: "down" means down
      for (const c of s.connections) {
        try {
          c.send(421, 'Server shutting down');
        } catch {
          /* socket already gone */
        }
        c.close();
      }
    });
  };

  await listen();

  const sink: SmtpSink = {
    get port() {
      return port;
    },
    host: HOST,
    get url() {
      return `smtp://${HOST}:${port}`;
    },
    messages,
    events,
    get isDown() {
      return down;
    },
    waitFor(n, timeoutMs = 10_000) {
      if (messages.length >= n) return Promise.resolve(messages.slice());
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length >= n) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(messages.slice());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`smtp-sink: expected ${n} message(s) within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    async setFailure(mode) {
      switch (mode.kind) {
        case 'tempfail':
          tempfail = {
            at: mode.at ?? 'data',
            remaining: mode.count ?? 1,
            code: mode.code ?? 451,
            message: mode.message ?? defaultMessage(mode.code ?? 451),
          };
          return;
        case 'reject-recipient':
          rejectRecipients.set(mode.address.toLowerCase(), { code: mode.code ?? 550, message: mode.message });
          return;
        case 'drop-after-data':
          dropAfterData = mode.count ?? 1;
          return;
        case 'down':
          if (!down) {
            down = true;
            await close();
          }
          return;
        case 'none':
          tempfail = undefined;
          rejectRecipients.clear();
          dropAfterData = 0;
          if (down) await listen();
          return;
      }
    },
    async restart() {
      if (down || !server) await listen();
    },
    onAccepted(hook) {
      acceptedHooks.add(hook);
      return () => acceptedHooks.delete(hook);
    },
    onReceived(hook) {
      receivedHooks.add(hook);
      return () => receivedHooks.delete(hook);
    },
    reset() {
      messages.length = 0;
      events.length = 0;
    },
    env(extra = {}) {
      return {
        SMTP_HOST: HOST,
        SMTP_PORT: String(port),
        SMTP_SECURE: 'false',
        SMTP_FROM: '春风行动办公室 <noreply@campaign.example>',
        ...extra,
      };
    },
    async stop() {
      down = true;
      await close();
    },
  };
  return sink;
}

function defaultMessage(code: number): string {
  if (code >= 500) return 'Requested action not taken: mailbox unavailable';
  if (code >= 400) return 'Requested action aborted: try again later';
  return 'OK';
}

async function parseReceived(
  raw: Buffer,
  seq: number,
  envelope: { mailFrom: string; rcptTo: string[] },
  user: string | undefined,
): Promise<ReceivedMessage> {
  const email = await PostalMime.parse(raw);
  const flat = (list: unknown): ReceivedAddress[] => {
    const out: ReceivedAddress[] = [];
    for (const a of (list as Array<{ name: string; address?: string; group?: Array<{ name: string; address: string }> }>) ?? []) {
      if (a.group) out.push(...a.group.map((m) => ({ name: m.name, address: m.address })));
      else if (a.address !== undefined) out.push({ name: a.name, address: a.address });
    }
    return out;
  };
  const headers: Record<string, string> = {};
  for (const h of email.headers) if (!(h.key in headers)) headers[h.key] = h.value;
  const from = email.from && email.from.address !== undefined ? { name: email.from.name, address: email.from.address } : undefined;
  return {
    seq,
    envelope,
    user,
    subject: email.subject ?? '',
    from,
    to: flat(email.to),
    cc: flat(email.cc),
    replyTo: flat(email.replyTo),
    messageId: email.messageId,
    headers,
    text: email.text,
    html: email.html,
    attachments: email.attachments.map((a) => {
      const content =
        typeof a.content === 'string' ? Buffer.from(a.content, a.encoding === 'base64' ? 'base64' : 'utf8') : Buffer.from(a.content as ArrayBuffer);
      return {
        filename: a.filename,
        mimeType: a.mimeType,
        disposition: a.disposition,
        method: a.method,
        content,
        text: content.toString('utf8'),
      };
    }),
    raw,
    receivedAt: new Date(),
  };
}
