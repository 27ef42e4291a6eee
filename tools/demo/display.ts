/**
 * The demo's terminal: event lines scroll, and on a TTY one status line (the progress bar) stays
 * at the bottom, redrawn in place. Without a TTY (CI, a pipe, a log file) there is no status line
 * and no carriage-return trickery: only whole lines.
 */
import { charWidth, displayWidth } from '../../cli/context';

export class Display {
  private status = '';
  private shown = false;
  private timer?: NodeJS.Timeout;

  constructor(
    readonly out: NodeJS.WriteStream = process.stdout,
    readonly tty: boolean = !!process.stdout.isTTY && process.env.TERM !== 'dumb',
  ) {}

  /** Prints a line above the status line. */
  line(text = ''): void {
    if (this.tty && this.shown) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
    this.shown = false;
    if (this.tty && this.status) this.draw();
  }

  /** Sets the status line (TTY only; redrawn at most every 100 ms). */
  setStatus(text: string): void {
    if (!this.tty) return;
    this.status = text;
    if (!this.timer) {
      this.draw();
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.draw();
      }, 100);
    }
  }

  private draw(): void {
    if (!this.tty || !this.status) return;
    this.out.write(`\r\x1b[2K${fit(this.status, (this.out.columns || 100) - 1)}`);
    this.shown = true;
  }

  /** Removes the status line for good (before the closing lines). */
  clearStatus(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.tty && this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
    this.status = '';
  }
}

/** Cuts text to at most `columns` terminal columns. */
export function fit(text: string, columns: number): string {
  if (displayWidth(text) <= columns) return text;
  let used = 0;
  let out = '';
  for (const ch of text) {
    const w = charWidth(ch.codePointAt(0)!);
    if (used + w > columns - 1) break;
    used += w;
    out += ch;
  }
  return `${out}…`;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `cells` characters filled to `fraction`, with eighth-cell precision. */
export function bar(fraction: number, cells = 24): string {
  const f = Math.max(0, Math.min(1, fraction)) * cells;
  const full = Math.floor(f);
  const part = EIGHTHS[Math.floor((f - full) * 8)] ?? '';
  return `▕${'█'.repeat(full)}${part}${' '.repeat(Math.max(0, cells - full - (part ? 1 : 0)))}▏`;
}

/** "42 s", "3 min 10 s", "1 h 5 min". */
export function wallDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
