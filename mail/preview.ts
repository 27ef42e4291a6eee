/**
 * Renders every message kind in both languages with the sample plan, so a coordinator can check an
 * edited template before it is used:
 *
 *   npx tsx mail/preview.ts [out-dir]        (default out-dir: var/mail-preview)
 *
 * Writes <lang>/<kind>.txt (subject + text), <lang>/<kind>.html and the attachments; a template
 * error (unknown {{name}}, unclosed {{#if}}…) is printed with its file and line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { composeMessage } from './compose';
import { MESSAGE_KINDS } from './messages';
import { SAMPLE_FROM, samplePlan, sampleRequests } from './sample';

const out = path.resolve(process.argv[2] ?? 'var/mail-preview');
let failed = 0;
for (const language of ['zh-CN', 'en'] as const) {
  const plan = samplePlan(language);
  const dir = path.join(out, language);
  mkdirSync(dir, { recursive: true });
  for (const kind of MESSAGE_KINDS) {
    try {
      const { message } = composeMessage(plan, sampleRequests(language)[kind], { from: SAMPLE_FROM });
      const head = [
        `To: ${message.to.map((a) => a.address).join(', ')}`,
        ...(message.cc ? [`Cc: ${message.cc.map((a) => a.address).join(', ')}`] : []),
        `Subject: ${message.subject}`,
        `Message-ID: ${message.messageId}`,
      ];
      writeFileSync(path.join(dir, `${kind}.txt`), `${head.join('\n')}\n\n${message.text}`);
      writeFileSync(path.join(dir, `${kind}.html`), message.html ?? '');
      for (const a of message.attachments ?? []) if (a.content !== undefined) writeFileSync(path.join(dir, `${kind}--${a.filename}`), a.content);
    } catch (err) {
      failed++;
      console.error(`${language} ${kind}: ${(err as Error).message}`);
    }
  }
}
console.log(`${failed === 0 ? 'Rendered' : 'Rendered with errors'} into ${out}`);
process.exitCode = failed === 0 ? 0 : 1;
