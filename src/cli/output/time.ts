/** Time formatting for tables: nanosecond and RFC 3339 inputs, printed in local time. */

const two = (n: number): string => String(n).padStart(2, "0");

/** `HH:MM:SS` for today, `YY-MM-DD HH:MM:SS` otherwise (or always, when `full`). */
export function formatTime(d: Date, opts: { now?: Date; full?: boolean } = {}): string {
  if (Number.isNaN(d.getTime()) || d.getTime() <= 0) return "";
  const now = opts.now ?? new Date();
  const clock = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  const sameDay =
    d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  if (sameDay && !opts.full) return clock;
  return `${two(d.getFullYear() % 100)}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${clock}`;
}

export const fromNanos = (ns: number): Date => new Date(Math.floor(ns / 1e6));

/** `2006-01-02 15:04:05` in local time, as `job describe` prints Created/Modified. */
export function formatDateTime(d: Date): string {
  if (Number.isNaN(d.getTime()) || d.getTime() <= 0) return "";
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  );
}
