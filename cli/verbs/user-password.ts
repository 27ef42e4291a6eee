/**
 * Reading a password for `campaign user add` and `campaign user passwd`: never from an argument
 * (every user of the machine sees arguments in `ps`, and the shell keeps them in its history).
 *
 * - On a terminal: asked twice, nothing echoed (the terminal in raw mode, Backspace honoured,
 *   Ctrl-C cancels).
 * - Piped (a script, a test): the first line of stdin — `printf '%s\n' "$PW" | campaign user add …`.
 */
import { UserError } from '../errors';

export async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) return firstLineOfStdin();
  const first = await askHidden(`${prompt}: `);
  const again = await askHidden('the same password again: ');
  if (first !== again) throw new UserError('the two passwords differ; nothing was changed');
  return first;
}

async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n') || text.length > 4096) break;
  }
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) throw new UserError('no password given: type it at the prompt, or pipe it as the first line of stdin (never as an argument)');
  return line;
}

function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let typed = '';
    const done = (fn: () => void) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      fn();
    };
    const onData = (data: string) => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(typed));
        if (ch === '\u0003') return done(() => reject(new UserError('cancelled; nothing was changed')));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else if (ch >= ' ') typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
