/**
 * The chase by hand (催报, obligations/chase-rules.ts) against the real parts: the Temporal dev
 * server, an in-process worker with real activities sending to an SMTP sink, and the portal with
 * its accounts on the stack's database. What a coordinator notices: one chase email per
 * department still owing, worded apart from the automatic ones with the department's own link;
 * nothing more for the same chase (a second press, a retried POST); a new chase inside the hour
 * refused with the time it becomes possible; who chased in the obligation and the audit history;
 * and on the matrix, a chase button for a coordinator, none for a viewer (whose POST is refused).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ChaseRefusedError } from '../../client/campaign-client';
import { verifyToken } from '../../mail/department-links';
import { CHASE_INTERVAL_MS } from '../../obligations/chase-rules';
import type { Portal } from '../../portal/server';
import { auditEntries } from '../../reports/audit-history';
import { loadCampaignHistories } from '../../reports/temporal-histories';
import { STACK_SECRET, startAccountsPortal, startPortalStack, type PortalStack } from '../support/portal-stack';
import { childEnv, runCli } from '../support/run-cli';
import type { ReceivedMessage } from '../support/smtp-sink';

const PW = 'a long enough passphrase';
const CONTACTS = 'contacts@2024-03-08';
const W1 = 'weekly-stats@2024-03-06';
const CONTACT_OF: Record<string, string> = {};

/** The chase emails the sink took for a chase id (their business key names it: X-Campaign-Key). */
const chaseMails = (sink: PortalStack['sink'], chaseId: string): ReceivedMessage[] => sink.messages.filter((m) => (m.headers['x-campaign-key'] ?? '').endsWith(`/chase-${chaseId}`));

const settle = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function until<T>(read: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = read();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await settle(100);
  }
}

describe('chase by hand (催报): one email per owing department per click, at most once an hour', () => {
  let stack: PortalStack;
  let portal: Portal;
  let url: string;
  let id: string;

  beforeAll(async () => {
    stack = await startPortalStack(inject('temporalAddress'));
    id = await stack.startDemo();
    ({ portal, url } = await startAccountsPortal(stack, { coordinator: 'wang', viewer: 'li', password: PW, campaigns: [id] }));
    const plan = await stack.campaigns.plans.load((await stack.campaigns.info(id)).planRef);
    for (const d of plan.departments) CONTACT_OF[d.id] = d.contacts[0]!.email.toLowerCase();
  });
  afterAll(async () => {
    await portal?.close();
    await stack?.teardown();
  });

  it('a chase emails each department still owing, once; the same chase again sends nothing; a new one inside the hour is refused with the time', async () => {
    await stack.campaigns.submit(id, { submissionId: 'east-contacts', department: 'east', deadline: 'contacts', occurrence: CONTACTS, report: '张三 010-0000000', by: 'test' });
    const first = await stack.campaigns.chase(id, { chaseId: 'chase-test-0001', occurrence: CONTACTS }, 'cli:tester');
    expect(first.duplicate).toBe(false);
    expect([...first.chased].sort()).toEqual(['north', 'west']);
    const mails = await until(() => chaseMails(stack.sink, 'chase-test-0001').length >= 2 && chaseMails(stack.sink, 'chase-test-0001'), 'two chase emails');
    expect(mails.map((m) => m.to[0]!.address.toLowerCase()).sort()).toEqual([CONTACT_OF.north, CONTACT_OF.west].sort());
    for (const m of mails) {
      const dept = m.to[0]!.address.toLowerCase() === CONTACT_OF.north ? 'north' : 'west';
      expect(m.subject).toMatch(/^【催报】.*请.*尽快报送“报送联系人及联系方式”$/);
      // worded apart from the ladder: by hand, the deadline's due time, not yet overdue, time left
      expect(m.text).toContain('人工催报');
      expect(m.text).toContain('并非系统定时提醒');
      expect(m.text).toMatch(/截止时间：2024年3月8日/);
      expect(m.text).toMatch(/距截止还有约\d+小时/);
      expect(m.text).not.toContain('已逾期');
      // the department's own link
      const token = /\/d\/([A-Za-z0-9_.-]+)/.exec(m.text ?? '')![1]!;
      expect(verifyToken(STACK_SECRET, token)).toMatchObject({ ok: true, claims: { campaignId: id, departmentId: dept } });
    }
    // the department that submitted is not chased
    expect(stack.sink.messages.filter((m) => (m.headers['x-campaign-key'] ?? '').includes(`/${CONTACTS}/east/chase-`))).toHaveLength(0);

    // The same chase again (a double click, a retried request): answered as before, nothing sent.
    const again = await stack.campaigns.chase(id, { chaseId: 'chase-test-0001', occurrence: CONTACTS }, 'cli:tester');
    expect(again).toMatchObject({ duplicate: true, chased: first.chased, at: first.at });
    await settle(1500);
    expect(chaseMails(stack.sink, 'chase-test-0001')).toHaveLength(2);

    // A new chase inside the hour: refused, naming when the next one is possible.
    const refused = await stack.campaigns.chase(id, { chaseId: 'chase-test-0002', occurrence: CONTACTS }, 'cli:tester').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChaseRefusedError);
    const r = (refused as ChaseRefusedError).chaseRefusal;
    expect(r).toMatchObject({ code: 'too-soon', occurrence: CONTACTS, nextAt: new Date(Date.parse(first.at) + CHASE_INTERVAL_MS).toISOString() });
    expect((refused as ChaseRefusedError).message).toContain(`the next chase is possible at ${r.code === 'too-soon' ? r.nextAt : ''}`);
    expect(chaseMails(stack.sink, 'chase-test-0002')).toHaveLength(0);

    // Recorded: who chased on the obligation, the email among its deliveries.
    const west = (await stack.campaigns.status(id)).obligations.find((o) => o.department === 'west' && o.occurrence === CONTACTS)!;
    expect(west.chases).toEqual([{ chaseId: 'chase-test-0001', at: first.at, by: 'cli:tester' }]);
    expect(west.deliveries.find((d) => d.step === 'chase-chase-test-0001')).toMatchObject({ kind: 'chase', sent: [CONTACT_OF.west] });
  });

  /** Logs in over HTTP like a browser; the session cookie. */
  async function logIn(login: string): Promise<string> {
    const page = await fetch(`${url}/c/login`);
    const loginCookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const res = await fetch(`${url}/c/login`, { method: 'POST', redirect: 'manual', headers: { origin: url, cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, user: login, password: PW }) });
    expect(res.status).toBe(303);
    return res.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=')).join('; ');
  }

  const post = (path: string, cookie: string, fields: Record<string, string>) =>
    fetch(`${url}${path}`, { method: 'POST', redirect: 'manual', headers: { origin: url, cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });

  it('the matrix: a coordinator’s chase button chases the 未填名单 once, however often the form is sent; a viewer has no button and is refused', async () => {
    const wang = await logIn('wang');
    const matrix = await (await fetch(`${url}/c/${id}`, { headers: { cookie: wang } })).text();
    const form = new RegExp(`<form method="post" action="/c/${id}/chase" id="[^"]+" class="inline-form" data-occurrence="${W1}"><input type="hidden" name="csrf" value="([^"]+)"><input type="hidden" name="occurrence" value="${W1}"><input type="hidden" name="chase" value="([^"]+)"><button type="submit">催报 [^<]*（3）</button>`).exec(matrix);
    expect(form, 'the chase button of the first weekly table, for its 3 departments').not.toBeNull();
    const [, csrf, chaseId] = form!;
    // a tick box per owing cell, joining that form
    expect(matrix).toContain(`name="department" value="north"`);
    const fields = { csrf: csrf!, occurrence: W1, chase: chaseId! };
    const [a, b] = await Promise.all([post(`/c/${id}/chase`, wang, fields), post(`/c/${id}/chase`, wang, fields)]);
    const pages = [await a.text(), await b.text()];
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(pages.filter((p) => p.includes('已向3个单位发送'))).toHaveLength(1);
    expect(pages.filter((p) => p.includes('未再次发送'))).toHaveLength(1);
    await until(() => chaseMails(stack.sink, chaseId!).length >= 3, 'three chase emails');
    // a retried POST, later: nothing more
    const retried = await post(`/c/${id}/chase`, wang, fields);
    expect(await retried.text()).toContain('未再次发送');
    await settle(1500);
    expect(chaseMails(stack.sink, chaseId!)).toHaveLength(3);
    // a fresh page's button, inside the hour: refused with the time
    const fresh = /name="chase" value="([^"]+)"><button type="submit">催报 [^<]*（3）/.exec(await (await fetch(`${url}/c/${id}`, { headers: { cookie: wang } })).text())![1]!;
    const tooSoon = await post(`/c/${id}/chase`, wang, { ...fields, chase: fresh });
    expect(tooSoon.status).toBe(429);
    expect(await tooSoon.text()).toMatch(/一小时内已催报过（(东区人社局|西区人社局|北区人社局)(、[^）]+)?），下次可催报时间：2024/);

    // The viewer: no button, no tick box (the chases counted all the same); a POST with a valid token is refused and sends nothing.
    const li = await logIn('li');
    const seen = await (await fetch(`${url}/c/${id}`, { headers: { cookie: li } })).text();
    expect(seen).toContain('id="matrix"');
    expect(seen).toMatch(new RegExp(`data-occurrence="${W1}" data-state="pending">.*?已催报1次</span></td>`));
    expect(seen).not.toContain('/chase"');
    expect(seen).not.toContain('name="department"');
    const viewerCsrf = /name="csrf" value="([^"]+)"/.exec(seen)![1]!;
    const refused = await post(`/c/${id}/chase`, li, { csrf: viewerCsrf, occurrence: W1, chase: 'viewer-chase-0001' });
    expect(refused.status).toBe(403);
    await settle(500);
    expect(chaseMails(stack.sink, 'viewer-chase-0001')).toHaveLength(0);

    // The audit history names who chased.
    const { facts, runs } = await loadCampaignHistories(stack.campaigns.temporal, `campaign/${id}`);
    const entries = auditEntries(runs, { clock: facts.clock!, zone: 'Asia/Shanghai', plan: facts.plan });
    const chases = entries.filter((e) => e.kind === 'chase' && e.actor === 'portal:wang (王芳)');
    expect(chases.filter((e) => e.what.includes(chaseId!)).map((e) => e.what)).toEqual(expect.arrayContaining([expect.stringMatching(/^chased .*东区人社局.*for /), expect.stringMatching(/^the same chase again: nothing sent/)]));
  });

  it('the CLI (`campaign chase`, its own process): chases the departments named, once per --chase-id, and refuses a new chase inside the hour in campaign time', async () => {
    const fresh = await stack.startDemo();
    const env = childEnv({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: stack.taskQueue, CAMPAIGN_DATA_DIR: stack.dataDir, PORTAL_SECRET: STACK_SECRET });
    const args = ['chase', fresh, '--occurrence', CONTACTS, '--department', 'north'];
    const first = await runCli([...args, '--chase-id', 'cli-chase-0001'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^chased 1 department\(s\) for contacts@2024-03-08: 北区人社局 \(north\)$/m);
    await until(() => chaseMails(stack.sink, 'cli-chase-0001').length >= 1, 'the CLI chase email');
    const again = await runCli([...args, '--chase-id', 'cli-chase-0001'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('was already sent at 2024-03-05');
    const soon = await runCli(args, env);
    expect(soon.code).toBe(1);
    expect(soon.stderr).toMatch(/^campaign: 一小时内已催报过（北区人社局 \(north\)），下次可催报时间：2024-03-05 周二 1\d:\d\d。\n$/);
    await settle(1000);
    expect(chaseMails(stack.sink, 'cli-chase-0001')).toHaveLength(1);
    expect(stack.sink.messages.filter((m) => (m.headers['x-campaign-key'] ?? '').startsWith(`${fresh}/${CONTACTS}/`) && (m.headers['x-campaign-key'] ?? '').includes('/chase-'))).toHaveLength(1);
  });
});
