/**
 * A department's link works only as it was sent. The same signature written another way (padded,
 * or another last character with the same value bits) once opened the same page with its own CSRF
 * token and default submission id, so one report sent four ways became four versions with four
 * receipts. Real parts: the Temporal dev server, an in-process worker, the portal over HTTP.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPortalStack, type PortalStack } from '../support/portal-stack';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('a department link has one spelling', () => {
  let stack: PortalStack;
  beforeAll(async () => {
    stack = await startPortalStack(inject('temporalAddress'), { portal: { maxUploadBytes: 64 * 1024, maxFiles: 3 } });
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  it('opens the page for the token as sent, refuses every other spelling of it', async () => {
    const id = await stack.startDemo();
    const token = stack.token(id, 'east');
    const url = stack.portal!.url;
    const page = await fetch(`${url}/d/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('东区');

    // The signature is 43 characters: the last one's two low bits are unused.
    const last = ALPHABET.indexOf(token.at(-1)!);
    const sameBits = [0, 1, 2, 3].map((low) => (last & ~3) | low).filter((i) => i !== last);
    const variants = [`${token}=`, `${token}==`, ...sameBits.map((i) => token.slice(0, -1) + ALPHABET[i])];
    for (const v of variants) {
      const r = await fetch(`${url}/d/${v}`);
      expect(r.status, v).toBe(403);
      const body = await r.text();
      expect(body).toContain('链接无效');
      expect(body).not.toContain('东区');
      // Nor does a submission posted to it reach the campaign.
      const form = new FormData();
      form.append('deadline', 'contacts');
      form.append('report', '联络员：张三');
      const post = await fetch(`${url}/d/${v}/submit`, { method: 'POST', body: form, headers: { origin: url }, redirect: 'manual' });
      expect(post.status, v).toBe(403);
    }
    const east = (await stack.campaigns.status(id)).obligations.filter((o) => o.department === 'east');
    expect(east.every((o) => o.versions.length === 0)).toBe(true);
  });
});
