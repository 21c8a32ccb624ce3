/**
 * Nanosecond timestamps over a backend that rounds them. node:fs (on Node and Deno) sets times from
 * a number of seconds, which at today's epoch keeps only about a quarter of a microsecond, while a
 * WASI guest sets and reads back exact nanoseconds. This wrapper remembers, per inode, the times a
 * guest set and the rounded times the host stored; as long as the host still reports exactly those
 * rounded times (nothing has touched the file since), stat reports what the guest set.
 */
import type { FsBackend, HostStat } from "./backend.ts";

interface SetTimes {
  hostAtim: bigint;
  hostMtim: bigint;
  atim: bigint;
  mtim: bigint;
}

export function withPreciseTimes(fs: FsBackend): FsBackend {
  const set = new Map<string, SetTimes>();
  const key = (st: HostStat) => `${st.dev}:${st.ino}`;
  const remember = (st: HostStat, atim: bigint, mtim: bigint) =>
    void set.set(key(st), { hostAtim: st.atimNs, hostMtim: st.mtimNs, atim, mtim });
  const exact = (st: HostStat): HostStat => {
    const s = set.get(key(st));
    if (!s) return st;
    if (st.atimNs !== s.hostAtim || st.mtimNs !== s.hostMtim) {
      set.delete(key(st));
      return st;
    }
    return { ...st, atimNs: s.atim, mtimNs: s.mtim };
  };
  return {
    ...fs,
    stat: (p) => exact(fs.stat(p)),
    lstat: (p) => exact(fs.lstat(p)),
    fstat: (fd) => exact(fs.fstat(fd)),
    futimes(fd, atim, mtim) {
      fs.futimes(fd, atim, mtim);
      remember(fs.fstat(fd), atim, mtim);
    },
    utimes(p, atim, mtim, follow) {
      fs.utimes(p, atim, mtim, follow);
      remember(follow ? fs.stat(p) : fs.lstat(p), atim, mtim);
    },
  };
}
