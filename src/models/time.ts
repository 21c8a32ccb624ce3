/** Bacalhau puts Unix nanoseconds in CreateTime/ModifyTime and RFC 3339 strings in history events. */

let last = 0;

/**
 * Unix time in nanoseconds, strictly increasing within this process so orderings stay stable.
 * A double holds today's nanosecond count only to a spacing of 256 ns, so the clock is read at
 * microsecond precision and ties are broken by steps of 1024 ns, which stay exact.
 */
export function nowNanos(): number {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  let ns = micros * 1000;
  if (ns <= last) ns = last + 1024;
  last = ns;
  return ns;
}

export const nanosToDate = (ns: number): Date => new Date(Math.floor(ns / 1e6));
export const nanosToRFC3339 = (ns: number): string => nanosToDate(ns).toISOString();
export const secondsToNanos = (s: number): number => s * 1e9;
