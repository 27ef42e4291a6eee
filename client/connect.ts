/**
 * A Temporal client from the validated environment (address, namespace, TLS or API key), for the
 * worker, the portal, the CLI and the tools alike.
 *
 * No call on it waits for ever: CampaignClient gives each of its calls a deadline for its kind
 * (client/call-limits.ts), and any call made without one — the CLI's own look-ups (describe, task
 * queue, history pages), the activities' queries — gets DEFAULT_CALL_DEADLINE_MS, so a Temporal
 * server that hangs ends a command with an error instead of leaving it waiting.
 */
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
import { temporalConnectionOptions, type AppEnv } from '../config/env';

/** The deadline of a call made without one of its own. */
export const DEFAULT_CALL_DEADLINE_MS = 60_000;

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * Gives a call without a deadline one; first in line, so the SDK's retries of the call share it.
 * It hands on the next call itself: grpc-js's type asks for its InterceptingCall class, but only ever
 * uses the interface the next call already is (and @grpc/grpc-js is the SDK's dependency, not ours).
 */
function defaultDeadline(ms: number): Interceptor {
  return (options, nextCall) => nextCall(options.deadline === undefined || options.deadline === Infinity ? { ...options, deadline: Date.now() + ms } : options) as ReturnType<Interceptor>;
}

export async function connectClient(env: AppEnv, opts: { defaultDeadlineMs?: number } = {}): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({
    ...temporalConnectionOptions(env),
    interceptors: [defaultDeadline(opts.defaultDeadlineMs ?? DEFAULT_CALL_DEADLINE_MS), makeGrpcRetryInterceptor(defaultGrpcRetryOptions())],
  });
  return { client: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }), connection };
}
