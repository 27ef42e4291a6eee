/**
 * A Temporal client from the validated environment (address, namespace, TLS or API key), for the
 * worker, the portal, the CLI and the tools alike.
 */
import { Client, Connection } from '@temporalio/client';
import { temporalConnectionOptions, type AppEnv } from '../config/env';

export async function connectClient(env: AppEnv): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect(temporalConnectionOptions(env));
  return { client: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }), connection };
}
