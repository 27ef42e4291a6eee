import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors';
import { parseFrom, parseMailConfig, MESSAGE_SEND_MAX_MS, SEND_TIMEOUT_BUDGET_MS } from '../../config/mail';
import { NON_RETRYABLE_MAIL_ERRORS, PermanentSmtpError, TransientSmtpError } from '../../mail/smtp-errors';

const FROM = '春风行动办公室 <noreply@shanxi.example>';

describe('parseMailConfig', () => {
  it('reads SMTP_URL with percent-encoded credentials and applies the defaults', () => {
    const c = parseMailConfig({ SMTP_URL: 'smtps://user%40x:p%3Ass@mail.shanxi.example', SMTP_FROM: FROM });
    expect(c).toMatchObject({
      host: 'mail.shanxi.example',
      port: 465,
      secure: true,
      auth: { user: 'user@x', pass: 'p:ss' },
      from: { name: '春风行动办公室', address: 'noreply@shanxi.example' },
      messageIdDomain: 'shanxi.example',
      pool: { maxConnections: 5 },
      timeouts: { connectionMs: 10_000, greetingMs: 10_000, socketMs: 20_000 },
      tls: { rejectUnauthorized: true },
    });
    expect(c.pool.rateLimitPerSecond).toBeUndefined();
  });

  it('reads separate variables; they override the URL', () => {
    const c = parseMailConfig({
      SMTP_URL: 'smtp://a:b@old.example:25',
      SMTP_HOST: 'smtp.shanxi.example',
      SMTP_PORT: '587',
      SMTP_USER: 'u',
      SMTP_PASSWORD: 'p',
      SMTP_FROM: '"Office, HR" <noreply@shanxi.example>',
      SMTP_POOL_MAX_CONNECTIONS: '2',
      SMTP_RATE_LIMIT: '0.5',
      SMTP_TLS_REJECT_UNAUTHORIZED: 'false',
    });
    expect(c).toMatchObject({ host: 'smtp.shanxi.example', port: 587, secure: false, auth: { user: 'u', pass: 'p' } });
    expect(c.from.name).toBe('Office, HR');
    expect(c.pool).toEqual({ maxConnections: 2, rateLimitPerSecond: 0.5 });
    expect(c.tls.rejectUnauthorized).toBe(false);
  });

  it('refuses MAIL_LEDGER_DIR, the file ledger of an earlier version, saying how to import it', () => {
    expect(() => parseMailConfig({ SMTP_URL: 'smtp://h:25', SMTP_FROM: FROM, MAIL_LEDGER_DIR: '/srv/shared/mail-ledger' })).toThrow(
      /MAIL_LEDGER_DIR is no longer read .* import the records in \/srv\/shared\/mail-ledger once with `npx campaign migrate-data`/,
    );
  });

  it('lists every bad variable at once, in plain words', () => {
    let err: unknown;
    try {
      parseMailConfig({
        SMTP_PORT: 'abc',
        SMTP_SECURE: 'maybe',
        SMTP_FROM: 'noreply@shanxi.example',
        SMTP_USER: 'only-user',
        SMTP_POOL_MAX_CONNECTIONS: '0',
        SMTP_RATE_LIMIT: '-1',
        SMTP_SOCKET_TIMEOUT_MS: '45000',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.name).toBe('ConfigError');
    const text = e.problems.join('\n');
    expect(text).toMatch(/Set either SMTP_URL .* or SMTP_HOST/);
    expect(text).toMatch(/SMTP_PORT must be a port number between 1 and 65535, got "abc"/);
    expect(text).toMatch(/SMTP_SECURE must be true or false, got "maybe"/);
    expect(text).toMatch(/SMTP_FROM must be a display name followed by an address/);
    expect(text).toMatch(/SMTP_USER is set but SMTP_PASSWORD is missing/);
    expect(text).toMatch(/SMTP_POOL_MAX_CONNECTIONS must be a whole number between 1 and 100/);
    expect(text).toMatch(/SMTP_RATE_LIMIT must be a number of messages per second/);
    expect(text).toMatch(/add up to 65000 ms; they must stay within 50000 ms/);
    expect(e.problems).toHaveLength(8);
    expect(e.message).toContain('Mail settings are not valid');
  });

  it('requires SMTP_FROM and a smtp(s) URL', () => {
    expect(() => parseMailConfig({ SMTP_HOST: 'h' })).toThrow(/SMTP_FROM is required/);
    expect(() => parseMailConfig({ SMTP_URL: 'http://h', SMTP_FROM: FROM })).toThrow(/must start with smtp:\/\/ or smtps:\/\//);
  });

  it('keeps the send budget inside the activity timeout', () => {
    expect(SEND_TIMEOUT_BUDGET_MS).toBeLessThan(MESSAGE_SEND_MAX_MS);
    const c = parseMailConfig({ SMTP_HOST: 'h', SMTP_FROM: FROM });
    expect(c.timeouts.connectionMs + c.timeouts.greetingMs + c.timeouts.socketMs).toBeLessThanOrEqual(SEND_TIMEOUT_BUDGET_MS);
  });

  it('parses From addresses', () => {
    expect(parseFrom('A <a@b.example>')).toEqual({ name: 'A', address: 'a@b.example' });
    expect(parseFrom('<a@b.example>')).toBeUndefined();
    expect(parseFrom('A <not an address>')).toBeUndefined();
  });
});

describe('error classes', () => {
  it('are named after their class (Temporal uses the class name as the failure type)', () => {
    const t = new TransientSmtpError('x');
    const p = new PermanentSmtpError('y');
    expect([t.name, t.constructor.name]).toEqual(['TransientSmtpError', 'TransientSmtpError']);
    expect([p.name, p.constructor.name]).toEqual(['PermanentSmtpError', 'PermanentSmtpError']);
    expect(NON_RETRYABLE_MAIL_ERRORS).toContain('PermanentSmtpError');
    expect(NON_RETRYABLE_MAIL_ERRORS).not.toContain('TransientSmtpError');
  });
});
