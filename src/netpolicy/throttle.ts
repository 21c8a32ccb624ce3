/**
 * Copies one stream into another no faster than a token bucket allows, keeping backpressure: the
 * source is paused while the bucket or the destination is not ready, so a fast sender is held
 * back at the TCP level instead of filling memory.
 */
import type { Readable, Writable } from "node:stream";
import type { TokenBucket } from "./token-bucket.ts";

export interface ThrottleOptions {
  /** End the destination when the source ends. Default true. */
  end?: boolean;
  /** Called with each chunk's size after it was written (for byte counters). */
  onBytes?: (n: number) => void;
  /** Destroy the source when the destination closes early. Default true. */
  destroySource?: boolean;
  /**
   * Whether the source, once it stopped, had ended whole. When it had not, `onCut` is called
   * (after every byte read was written) instead of ending the destination.
   */
  complete?: () => boolean;
  onCut?: () => void;
}

/** Resolves when the source has ended (or closed) and every byte read was written. */
export function pipeThrottled(src: Readable, dst: Writable, bucket: TokenBucket, opts: ThrottleOptions = {}): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  let pending = Promise.resolve();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    void pending.then(() => {
      if (opts.complete && !opts.complete()) opts.onCut?.();
      else if (opts.end !== false && !dst.destroyed && !dst.writableEnded) dst.end();
      resolve();
    });
  };
  src.on("data", (chunk: Buffer) => {
    src.pause();
    pending = pending.then(async () => {
      // With nowhere left to write (and the source kept alive), what is left is read and dropped.
      if (dst.destroyed) return void src.resume();
      await bucket.take(chunk.length);
      if (dst.destroyed) return void src.resume();
      const ok = dst.write(chunk);
      opts.onBytes?.(chunk.length);
      if (!ok && !dst.destroyed) {
        await new Promise<void>((r) => {
          const go = () => {
            dst.off("drain", go);
            dst.off("close", go);
            r();
          };
          dst.on("drain", go);
          dst.on("close", go);
        });
      }
      if (!done) src.resume();
    });
  });
  src.once("end", finish);
  src.once("close", finish);
  src.once("error", finish);
  dst.once("close", () => {
    if (opts.destroySource !== false && !src.destroyed) src.destroy();
  });
  return promise;
}
