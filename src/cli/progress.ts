/**
 * A training progress bar: running loss, accuracy, images/s and ETA. On a terminal it redraws one line in
 * place; anywhere else (CI logs, pipes, files) it prints a plain line every tenth of the way, since carriage
 * returns and escape codes turn a log into noise.
 */

/** Where the bar is drawn: a `process.stdout`-like stream. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Steps (batches) in the whole run of the bar. */
  total: number;
  /** Printed first on every line, e.g. `epoch 1/5`. */
  label: string;
  stream: ProgressStream;
  /** Draw in place (default: `stream.isTTY`). */
  tty?: boolean;
  /** Clock in milliseconds (default `performance.now`); tests pass their own. */
  now?: () => number;
  /** Minimum milliseconds between two redraws on a terminal (default 100). */
  redrawMs?: number;
  /** Plain mode: print a line each time this fraction of `total` is passed (default 0.1). */
  plainEvery?: number;
}

/** What one step reports: the batch's mean loss, how many of its images were classified right, its size. */
export interface StepStats {
  loss: number;
  correct: number;
  images: number;
}

/** The running totals of a bar. */
export interface ProgressTotals {
  steps: number;
  images: number;
  /** Mean loss per image so far. */
  loss: number;
  /** Fraction of images classified right so far. */
  accuracy: number;
  /** Images per second since `start`. */
  imagesPerSecond: number;
  /** Seconds since `start`. */
  elapsed: number;
}

/** `m:ss`, or `h:mm:ss` from an hour on; `--:--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * A progress bar over `total` steps.
 *
 * @example
 * const bar = new ProgressBar({ total: loader.length, label: "epoch 1/3", stream: process.stdout });
 * for (const [x, y] of loader) { ...; bar.step({ loss: loss.item(), correct, images: x.shape[0] }); }
 * bar.finish();
 */
export class ProgressBar {
  readonly total: number;
  readonly label: string;
  readonly tty: boolean;
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly redrawMs: number;
  private readonly plainEvery: number;
  private readonly started: number;
  private steps = 0;
  private images = 0;
  private lossSum = 0;
  private correct = 0;
  private lastDraw = -Infinity;
  private nextPlain: number;
  private drawnWidth = 0;
  private finished = false;

  constructor(opts: ProgressOptions) {
    if (!Number.isInteger(opts.total) || opts.total < 0) throw new RangeError(`ProgressBar: total must be a non-negative integer, got ${opts.total}`);
    this.total = opts.total;
    this.label = opts.label;
    this.stream = opts.stream;
    this.tty = opts.tty ?? opts.stream.isTTY === true;
    this.now = opts.now ?? (() => performance.now());
    this.redrawMs = opts.redrawMs ?? 100;
    this.plainEvery = opts.plainEvery ?? 0.1;
    this.nextPlain = Math.max(1, Math.ceil(this.total * this.plainEvery));
    this.started = this.now();
  }

  /** The running totals. */
  totals(): ProgressTotals {
    const elapsed = (this.now() - this.started) / 1000;
    return {
      steps: this.steps,
      images: this.images,
      loss: this.images ? this.lossSum / this.images : NaN,
      accuracy: this.images ? this.correct / this.images : NaN,
      imagesPerSecond: elapsed > 0 ? this.images / elapsed : NaN,
      elapsed,
    };
  }

  /** Records one step and redraws (a terminal) or prints a line at each tenth (plain). */
  step(stats: StepStats): void {
    this.steps++;
    this.images += stats.images;
    this.lossSum += stats.loss * stats.images;
    this.correct += stats.correct;
    if (this.tty) {
      const t = this.now();
      if (t - this.lastDraw >= this.redrawMs || this.steps === this.total) {
        this.lastDraw = t;
        this.redraw(this.line(true));
      }
    } else if (this.steps >= this.nextPlain && this.steps < this.total) {
      while (this.nextPlain <= this.steps) this.nextPlain += Math.max(1, Math.ceil(this.total * this.plainEvery));
      this.stream.write(`${this.line(false)}\n`);
    }
  }

  /** Ends the bar with its final line (plus `suffix`, e.g. the test accuracy) and a newline; returns the line. */
  finish(suffix = ""): string {
    const line = this.line(this.tty) + suffix;
    if (this.finished) return line;
    this.finished = true;
    if (this.tty) this.redraw(line);
    else this.stream.write(line);
    this.stream.write("\n");
    return line;
  }

  /** The current line: label, bar (terminal only), percentage, steps, loss, accuracy, speed, ETA or time taken. */
  line(withBar: boolean): string {
    const t = this.totals();
    const frac = this.total ? Math.min(1, this.steps / this.total) : 1;
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    const width = String(this.total).length;
    const parts = [this.label];
    if (withBar) {
      const cells = 24;
      const full = Math.round(frac * cells);
      parts.push(`[${"█".repeat(full)}${"░".repeat(cells - full)}]`);
    }
    parts.push(pct, `${String(this.steps).padStart(width)}/${this.total}`);
    if (this.images) {
      parts.push(`loss ${t.loss.toFixed(4)}`, `acc ${(t.accuracy * 100).toFixed(1)}%`);
      if (Number.isFinite(t.imagesPerSecond)) parts.push(`${Math.round(t.imagesPerSecond)} img/s`);
    }
    const done = this.steps >= this.total;
    const eta = this.steps ? (t.elapsed / this.steps) * (this.total - this.steps) : NaN;
    parts.push(done ? `in ${formatDuration(t.elapsed)}` : `ETA ${formatDuration(eta)}`);
    return parts.join("  ");
  }

  private redraw(line: string): void {
    // Pad over what the previous line drew: clearing with an escape code would leak into non-ANSI terminals.
    const cols = this.stream.columns;
    const shown = cols && line.length >= cols ? line.slice(0, cols - 1) : line;
    const pad = Math.max(0, this.drawnWidth - shown.length);
    this.stream.write(`\r${shown}${" ".repeat(pad)}`);
    this.drawnWidth = shown.length;
  }
}
