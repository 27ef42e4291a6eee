/**
 * An upload larger than the limit is refused while it streams: the portal — its own process, the
 * way `campaign portal` runs — reads a 200 MB file posted against a 10 MiB limit without holding
 * it (its staged copy is deleted at the byte past the limit, the rest is read and dropped), answers
 * 413 with the per-file refusal, and keeps nothing. The measure is the portal process's
 * peak resident memory (VmHWM, reset just before the upload) against its resident memory before:
 * a memory bound, compared with the upload's size, not a timing.
 *
 * The campaign runs on the dev server with an in-process worker (test/support/portal-stack.ts);
 * the portal child shares its CAMPAIGN_DATA_DIR (the embedded database: plans, blobs).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../tools/harness/free-port';
import { multipartBody, postStream, STACK_SECRET, startPortalStack, type PortalStack } from '../support/portal-stack';
import { storedFiles } from '../support/stored-files';
import { childEnv, spawnCampaign } from '../support/run-cli';

const LIMIT = 10 * 1024 * 1024;
const UPLOAD = 200 * 1000 * 1000;
const W1 = 'weekly-stats@2024-03-06';
const MiB = 1024 * 1024;

/** Resident memory of a process, now and at its peak since the last reset (bytes). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Starts counting the peak again from the current resident memory (Linux: clear_refs 5). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

describe('an upload over the limit is refused while it streams', () => {
  let stack: PortalStack;
  let portal: ChildProcess;
  let portalUrl: string;
  let log = '';

  beforeAll(async () => {
    stack = await startPortalStack(inject('temporalAddress'));
    const port = await freePort();
    portalUrl = `http://127.0.0.1:${port}`;
    portal = spawnCampaign(
      ['portal'],
      childEnv({
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: stack.taskQueue,
        CAMPAIGN_DATA_DIR: stack.dataDir,
        PORTAL_SECRET: STACK_SECRET,
        PORTAL_PORT: String(port),
        PORTAL_BASE_URL: portalUrl,
        PORTAL_MAX_UPLOAD_BYTES: String(LIMIT),
        // 20 files: the whole body may be 201 MiB, so the portal reads all 200 MB of this upload
        // (discarding past the file's limit) before it answers — every byte passes through it.
        PORTAL_MAX_FILES: '20',
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer) => {
        log += b.toString();
        if (log.includes('portal listening on')) resolve();
      };
      portal.stdout!.on('data', onData);
      portal.stderr!.on('data', onData);
      portal.once('exit', (code) => reject(new Error(`the portal exited (${code}) before listening:\n${log}`)));
    });
  });

  afterAll(async () => {
    if (portal && portal.exitCode === null) {
      const exited = new Promise((r) => portal.once('exit', r));
      portal.kill('SIGTERM');
      await exited;
    }
    await stack?.teardown();
  });

  it('answers 413 naming the 10 MiB limit, keeps nothing, and its memory grows by far less than the 200 MB sent', async () => {
    const id = await stack.startDemo();
    const link = `${portalUrl}/d/${stack.token(id, 'east')}`;
    const page = await fetch(link);
    expect(page.status, log).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const fields = { csrf, deadline: 'weekly-stats', occurrence: W1, 'v.fairs': '2', 'v.hired': '10', 'v.hired_women': '4' };
    const boundary = '----portal-memory-test';
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}`, origin: portalUrl };
    // Warm-up, so that loading code is not counted: the same path with 1 MiB (within the limit),
    // staged and then discarded because the page's check code is wrong.
    const warm = await postStream(link + '/submit', headers, multipartBody(boundary, { ...fields, csrf: 'x' }, { field: 'attachments', name: 'warm.pdf', size: MiB }));
    expect(warm.status).toBe(403);

    const blobsBefore = await storedFiles(stack.stores.db);
    const pid = portal.pid!;
    const before = memoryOf(pid);
    resetPeak(pid);
    const answer = await postStream(link + '/submit', headers, multipartBody(boundary, fields, { field: 'attachments', name: 'big.pdf', size: UPLOAD }));
    const after = memoryOf(pid);
    const growth = after.peak - before.rss;
    process.stdout.write(
      `upload-memory: sent ${(answer.sent / MiB).toFixed(1)} MiB of ${(UPLOAD / MiB).toFixed(1)} MiB; portal RSS before ${(before.rss / MiB).toFixed(1)} MiB, ` +
        `peak during the upload ${(after.peak / MiB).toFixed(1)} MiB (growth ${(growth / MiB).toFixed(1)} MiB = ${((growth / UPLOAD) * 100).toFixed(1)}% of the upload), after ${(after.rss / MiB).toFixed(1)} MiB\n`,
    );

    expect(answer.status).toBe(413);
    expect(answer.body).toContain('文件“big.pdf”过大，单个文件不得超过 10 MiB');
    expect(answer.body).toContain('未保存任何内容');
    // The whole upload went through the portal before it answered.
    expect(answer.sent).toBeGreaterThan(UPLOAD);
    expect(growth).toBeLessThan(UPLOAD * 0.25);
    expect(await storedFiles(stack.stores.db)).toEqual(blobsBefore);
    const east = (await stack.campaigns.status(id)).obligations.find((o) => o.department === 'east' && o.occurrence === W1)!;
    expect(east.versions).toHaveLength(0);
  });
});
