/**
 * A token bucket that paces bytes to a steady rate. Callers await `take(n)` before passing n bytes
 * on; waiters are served in order, so several connections of one job share the job's rate fairly.
 */

/** Bacalhau shapes job egress to 10 Mbit/s. */
export const DEFAULT_BYTES_PER_SECOND = 10_000_000 / 8;

export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  #tokens: number;
  #last: number;
  #queue: Promise<void> = Promise.resolve();

  /** `rate` in bytes per second; `burst` is the most bytes that may pass at once after idling. */
  constructor(rate: number, burst = Math.max(16 * 1024, Math.ceil(rate / 50))) {
    if (!(rate > 0)) throw new RangeError("rate must be positive");
    this.rate = rate;
    this.burst = burst;
    this.#tokens = burst;
    this.#last = performance.now();
  }

  #refill(): void {
    const now = performance.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.rate);
    this.#last = now;
  }

  /** Resolves once `n` bytes may pass. Large amounts are paid for in burst-sized steps. */
  take(n: number): Promise<void> {
    const run = this.#queue.then(() => this.#pay(n));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #pay(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const step = Math.min(left, this.burst);
      this.#refill();
      if (this.#tokens < step) {
        const waitMs = ((step - this.#tokens) / this.rate) * 1000;
        await new Promise((resolve) => setTimeout(resolve, Math.ceil(waitMs)));
        this.#refill();
      }
      this.#tokens -= step;
      left -= step;
    }
  }
}
