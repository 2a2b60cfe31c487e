// @ts-check
// A counting semaphore whose waiters are served largest weight first, in arrival order among
// equal weights. Used to run at most one helm per core (tools/lib/helm.ts runHelm) while every
// lint job is in flight: the longest renders start first, so none ends the run alone on one core.
// Plain CommonJS, typed through JSDoc (tsconfig checkJs), because the spawn helper
// (spawn-helper.cjs), which must start fast, queues commands with it too.
"use strict";

class Slots {
  /** @type {number} */
  #free;
  /** @type {{ weight: number; start: () => void }[]} */
  #waiting = [];

  /** @param {number} size */
  constructor(size) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Slots: size must be a positive integer (got ${size})`);
    this.#free = size;
  }

  /**
   * Resolves when a slot is this caller's; call `release()` once when done with it.
   * @param {number} [weight]
   * @returns {Promise<void>}
   */
  acquire(weight = 0) {
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
  release() {
    const next = this.#waiting.shift();
    if (next) next.start();
    else this.#free++;
  }

  /**
   * Runs `fn` in a slot.
   * @template T
   * @param {number} weight
   * @param {() => Promise<T>} fn
   * @returns {Promise<T>}
   */
  async run(weight, fn) {
    await this.acquire(weight);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

module.exports.Slots = Slots;
