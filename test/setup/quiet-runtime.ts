import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state changes (INFO) and each retried activity attempt (WARN, e.g. during a deliberate
// SMTP outage) drown the test output; keep errors.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Already installed by an earlier test file in this worker thread.
}
