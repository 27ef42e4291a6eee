/**
 * The portal's waiting line in front of Temporal (client/call-limits.ts): never more calls at once
 * than allowed, in all and per workflow; those over the limit wait their turn in order; a full line
 * or a wait too long is refused at once with TooBusyError, before the call is made.
 */
import { describe, expect, it } from 'vitest';
import { CallLimiter, temporalTrouble, TooBusyError } from '../../client/call-limits';

/** A call that runs until released, recording when it started. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { run: async () => (log.push(name), await done, name), release: () => release() };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('CallLimiter', () => {
  it('runs at most `concurrent` calls in all and `perWorkflow` per workflow; the rest start in order as others end', async () => {
    const limiter = new CallLimiter({ concurrent: 3, perWorkflow: 2, waiting: 10, maxWaitMs: 5_000 });
    const started: string[] = [];
    const calls = ['a1', 'a2', 'a3', 'b1', 'b2', 'c1'].map((n) => ({ n, g: gate(started, n) }));
    const results = calls.map(({ n, g }) => limiter.run(n[0]!, g.run));
    await tick();
    // a3 waits for a's own limit; b1 goes (room in all); b2 waits for the limit in all.
    expect(started).toEqual(['a1', 'a2', 'b1']);
    expect(limiter.load).toEqual({ running: 3, waiting: 3 });
    calls[0]!.g.release();
    await tick();
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3']);
    calls[3]!.g.release();
    await tick();
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3', 'b2']);
    for (const c of calls) c.g.release();
    expect(await Promise.all(results)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'c1']);
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses at once when the line is full, and a call that waited too long, without making either call', async () => {
    const limiter = new CallLimiter({ concurrent: 1, perWorkflow: 1, waiting: 1, maxWaitMs: 50 });
    const started: string[] = [];
    const first = gate(started, 'first');
    const running = limiter.run('w', first.run);
    const waiting = limiter.run('w', gate(started, 'second').run);
    const refused = await limiter.run('w', gate(started, 'third').run).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooBusyError);
    expect((refused as TooBusyError).reason).toBe('queue-full');
    expect((refused as TooBusyError).retryAfterSeconds).toBeGreaterThan(0);
    const late = await waiting.catch((e: unknown) => e);
    expect(late).toBeInstanceOf(TooBusyError);
    expect((late as TooBusyError).reason).toBe('waited-too-long');
    expect(started).toEqual(['first']);
    expect(temporalTrouble(late)).toBe('not-sent');
    first.release();
    await running;
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });

  it('a call that fails frees its place for the next', async () => {
    const limiter = new CallLimiter({ concurrent: 1, perWorkflow: 1, waiting: 5, maxWaitMs: 5_000 });
    const failing = limiter.run('w', async () => {
      await tick();
      throw new Error('boom');
    });
    const next = limiter.run('w', async () => 'next');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});

describe('temporalTrouble', () => {
  it('tells a deadline or an unreachable server (maybe applied) from a refusal in line (not sent), and leaves other errors alone', () => {
    const grpc = (code: number) => Object.assign(new Error(`${code}`), { code, details: '', metadata: {} });
    const wrapped = (code: number) => new Error('Failed to query Workflow', { cause: grpc(code) });
    expect(temporalTrouble(wrapped(4))).toBe('no-answer');
    expect(temporalTrouble(wrapped(14))).toBe('no-answer');
    expect(temporalTrouble(new TooBusyError('queue-full', 10))).toBe('not-sent');
    expect(temporalTrouble(new Error('plain'))).toBeUndefined();
    expect(temporalTrouble(wrapped(5))).toBeUndefined();
  });
});
