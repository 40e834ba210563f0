/**
 * A bounded, evenly thinned history of one tag. TensorBoard keeps a random reservoir per tag; this keeps every
 * `stride`-th value instead (deterministic, evenly spaced) and doubles the stride whenever the cap is
 * exceeded. The newest value is always present, so a chart ends at the latest step.
 */
export class Series<T extends { step: number }> {
  private items: T[] = [];
  /** The newest value when its index is not a multiple of the stride (replaced by each newer one). */
  private tail: T | null = null;
  private seen = 0;
  private stride = 1;

  constructor(readonly cap: number) {
    if (!Number.isInteger(cap) || cap < 2) throw new RangeError(`Series: cap must be an integer >= 2, got ${cap}`);
  }

  push(x: T): void {
    if (this.seen % this.stride === 0) {
      this.items.push(x);
      this.tail = null;
    } else {
      this.tail = x;
    }
    this.seen++;
    if (this.items.length > this.cap) {
      this.items = this.items.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  /** Drops every value with `step >= step` (TensorBoard's purge after a restart from a checkpoint). */
  purgeFrom(step: number): void {
    this.items = this.items.filter((x) => x.step < step);
    if (this.tail && this.tail.step >= step) this.tail = null;
  }

  get length(): number {
    return this.items.length + (this.tail ? 1 : 0);
  }

  /** The kept values, oldest first. */
  values(): T[] {
    return this.tail ? [...this.items, this.tail] : this.items.slice();
  }
}
