/**
 * Per-caller token buckets for job submissions: each caller (a user, or an address when anonymous)
 * may submit `burst` jobs at once and `perMinute` jobs a minute after that. A caller over its budget is
 * told how long to wait; nobody waits inside the server.
 */
export interface RateLimitOptions {
  perMinute: number;
  burst: number;
  /** Most callers remembered; the least recently seen is forgotten first. */
  maxCallers?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  last: number;
}

export class CallerRateLimit {
  readonly #opts: Required<RateLimitOptions>;
  readonly #buckets = new Map<string, Bucket>();

  constructor(opts: RateLimitOptions) {
    this.#opts = { maxCallers: 10_000, now: () => performance.now(), ...opts };
  }

  /** Takes one token for `caller`: 0 when allowed, else the whole seconds to wait before retrying. */
  take(caller: string): number {
    const { perMinute, burst, maxCallers, now } = this.#opts;
    if (perMinute <= 0) return 0;
    const t = now();
    const ratePerMs = perMinute / 60_000;
    let b = this.#buckets.get(caller);
    if (b) {
      this.#buckets.delete(caller);
      b.tokens = Math.min(burst, b.tokens + (t - b.last) * ratePerMs);
      b.last = t;
    } else {
      b = { tokens: Math.max(1, burst), last: t };
      if (this.#buckets.size >= maxCallers) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    }
    // Re-inserted so the map's order is the order callers were last seen in.
    this.#buckets.set(caller, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000));
  }
}
