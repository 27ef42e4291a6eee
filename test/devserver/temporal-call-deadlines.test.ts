/**
 * No call to Temporal waits for ever. CampaignClient sets a deadline per kind of call; a call made
 * straight on connectClient's connection without one (the CLI's describe, task-queue and history
 * look-ups) gets the connection's default. Checked against the dev server made to hang by a TCP
 * proxy (test/support/pausable-proxy.ts): the call ends at its deadline with DEADLINE_EXCEEDED, and
 * the same call goes through once the server answers again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isGrpcDeadlineError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CampaignClient } from '../../client/campaign-client';
import { CLI_DEADLINES } from '../../client/call-limits';
import { connectClient } from '../../client/connect';
import { parseEnv } from '../../config/env';
import { openStores } from '../../store/stores';
import { startPausableProxy, type PausableProxy } from '../support/pausable-proxy';

describe('deadlines on calls to a Temporal server that hangs', () => {
  let proxy: PausableProxy;
  let connected: Awaited<ReturnType<typeof connectClient>>;
  beforeAll(async () => {
    proxy = await startPausableProxy(inject('temporalAddress'));
    connected = await connectClient(parseEnv({ TEMPORAL_ADDRESS: proxy.address }), { defaultDeadlineMs: 2_000 });
  });
  afterAll(async () => {
    proxy?.resume();
    await connected?.connection.close();
    await proxy?.close();
  });

  const hung = async <T>(call: () => Promise<T>) => {
    proxy.pause();
    const t0 = Date.now();
    try {
      return { result: await call().then((value) => ({ value }), (error: unknown) => ({ error })), ms: Date.now() - t0 };
    } finally {
      proxy.resume();
    }
  };

  it('a call made without a deadline of its own ends at the connection’s default, and goes through once the server answers', async () => {
    const describeTaskQueue = () => connected.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: 'no-such-queue' }, taskQueueType: 1 });
    const { result, ms } = await hung(describeTaskQueue);
    expect('error' in result && isGrpcDeadlineError(result.error)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(1_900);
    expect(ms).toBeLessThan(15_000);
    await expect(describeTaskQueue()).resolves.toBeDefined();
  });

  it('CampaignClient’s own deadline comes first: a query ends at the deadline its kind is given', async () => {
    // A plan store it never reads (an empty database in a folder of its own).
    const dataDir = mkdtempSync(path.join(tmpdir(), 'call-deadlines-'));
    const stores = await openStores({ CAMPAIGN_DATA_DIR: dataDir });
    const campaigns = new CampaignClient(connected.client, stores.plans, 'q').withPolicy({ deadlines: { ...CLI_DEADLINES, queryMs: 1_000 } });
    const { result, ms } = await hung(() => campaigns.info('no-such-campaign'));
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
    expect('error' in result && isGrpcDeadlineError(result.error)).toBe(true);
    expect(ms).toBeLessThan(1_900);
  });
});
