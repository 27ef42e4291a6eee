/**
 * The entry of a reading thread (reading-pool.ts): reads one uploaded template at a time off the
 * portal's event loop. Plain JavaScript because a worker thread starts without its parent's module
 * hooks — neither the tsx the portal runs under nor vitest's own transform — so it registers tsx
 * itself, as cli/campaign.mjs does, and then loads the TypeScript reader (and exceljs with it)
 * before saying it is ready, so that loading never counts against a file's time limit.
 *
 * Messages: in, { buffer, form, limits, expect }; out, { type: 'ready' } once, then for each file
 * { type: 'done', result } or, for a fault of the reader's own code, { type: 'failed', error }.
 */
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { readFilledTemplate } = await import('./read-filled.ts');

parentPort.on('message', async ({ buffer, form, limits, expect }) => {
  try {
    // A Buffer arrives as a plain Uint8Array: wrap the same bytes again.
    const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    parentPort.postMessage({ type: 'done', result: await readFilledTemplate(bytes, form, limits, expect) });
  } catch (err) {
    parentPort.postMessage({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
parentPort.postMessage({ type: 'ready' });
