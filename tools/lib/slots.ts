/**
 * A counting semaphore whose waiters are served largest weight first, in arrival order among
 * equal weights. Used to run at most one helm per core (tools/lib/helm.ts runHelm) while every
 * lint job is in flight: the longest renders start first, so none ends the run alone on one core.
 */
export class Slots {
  #free: number;
  readonly #waiting: { weight: number; start: () => void }[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Slots: size must be a positive integer (got ${size})`);
    this.#free = size;
  }

  /** Resolves when a slot is this caller's; call `release()` once when done with it. */
  acquire(weight = 0): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((start) => {
      const w = this.#waiting;
      let i = w.length;
      while (i > 0 && w[i - 1].weight < weight) i--;
      w.splice(i, 0, { weight, start });
    });
  }

  /** Gives the slot to the heaviest waiter, or frees it. */
  release(): void {
    const next = this.#waiting.shift();
    if (next) next.start();
    else this.#free++;
  }

  /** Runs `fn` in a slot. */
  async run<T>(weight: number, fn: () => Promise<T>): Promise<T> {
    await this.acquire(weight);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
