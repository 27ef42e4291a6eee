import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueId } from '../support/temporal';
import { greet } from '../fixtures/workflows/smoke';

describe('Temporal dev server (temporal server start-dev, built from the Go module proxy)', () => {
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('runs a workflow started by a client and executed by a worker, visible in the server history', async () => {
    const taskQueue = uniqueId('smoke-dev');
    const workerConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const worker = await Worker.create({
      connection: workerConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../fixtures/workflows/smoke.ts', import.meta.url)),
    });
    const workflowId = uniqueId('greet');
    const result = await worker.runUntil(client.workflow.execute(greet, { args: ['春风行动'], taskQueue, workflowId }));
    await workerConnection.close();
    expect(result).toBe('你好, 春风行动');
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const types = history.events!.map((e) => e.eventType);
    expect(types.length).toBeGreaterThan(3);
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
  });

  it('serves the Web UI', async () => {
    const res = await fetch(inject('temporalUiUrl'));
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<html/i);
  });
});
