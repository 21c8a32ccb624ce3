/**
 * The WASI preview1 functions that are not about files: arguments, environment, clocks, random
 * bytes, poll_oneoff, process exit, and the socket calls (a job has no sockets).
 */
import { nowNs } from "./context.ts";
import type { WasiContext, WasiFunction } from "./context.ts";
import { ClockId, Errno, EventType, SubclockFlags } from "./constants.ts";
import { ProcExit, WasiErrno } from "./errors.ts";
import { encode, type GuestMemory } from "./memory.ts";

const CLOCK_RESOLUTION_NS = 1000n;

/** Blocks the thread without spinning; only the runner process (never the node) runs guests. */
function sleepNs(ns: bigint): void {
  if (ns <= 0n) return;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(cell, 0, 0, Number(ns) / 1e6);
}

const monotonicNs = (): bigint => BigInt(Math.round(performance.now() * 1e6));

function clockNow(id: number): bigint {
  switch (id) {
    case ClockId.REALTIME: return nowNs();
    case ClockId.MONOTONIC:
    case ClockId.PROCESS_CPUTIME:
    case ClockId.THREAD_CPUTIME: return monotonicNs();
    default: throw new WasiErrno(Errno.INVAL);
  }
}

/** Writes NUL-terminated strings and the pointer table libc's argv/environ expect. */
function writeStrings(mem: GuestMemory, items: Uint8Array[], ptrs: number, buf: number): void {
  let at = buf;
  items.forEach((item, i) => {
    mem.setU32(ptrs + i * 4, at);
    mem.bytes(at, item.length + 1).set([...item, 0]);
    at += item.length + 1;
  });
}

export function miscFunctions(ctx: WasiContext, mem: GuestMemory): Record<string, WasiFunction> {
  const args = ctx.opts.args.map(encode);
  const env = ctx.opts.env.map(([k, v]) => encode(`${k}=${v}`));
  const size = (list: Uint8Array[]) => list.reduce((n, s) => n + s.length + 1, 0);
  // A job never holds a socket: a valid fd is simply not one.
  const notSocket = (fd: number) => (ctx.fds.get(fd), Errno.NOTSOCK);

  return {
    args_sizes_get(countPtr: number, sizePtr: number) {
      mem.setU32(countPtr, args.length);
      mem.setU32(sizePtr, size(args));
    },
    args_get: (ptrs: number, buf: number) => writeStrings(mem, args, ptrs, buf),
    environ_sizes_get(countPtr: number, sizePtr: number) {
      mem.setU32(countPtr, env.length);
      mem.setU32(sizePtr, size(env));
    },
    environ_get: (ptrs: number, buf: number) => writeStrings(mem, env, ptrs, buf),
    clock_res_get(id: number, ptr: number) {
      clockNow(id);
      mem.setU64(ptr, CLOCK_RESOLUTION_NS);
    },
    clock_time_get(id: number, _precision: bigint, ptr: number) {
      mem.setU64(ptr, clockNow(id));
    },
    poll_oneoff(inPtr: number, outPtr: number, count: number, neventsPtr: number) {
      if (count === 0) throw new WasiErrno(Errno.INVAL);
      const view = mem.view();
      const clocks: Array<{ userdata: bigint; deadline: bigint }> = [];
      const ready: Array<{ userdata: bigint; type: number }> = [];
      const now = monotonicNs();
      for (let i = 0; i < count; i++) {
        const sub = inPtr + i * 48;
        const userdata = view.getBigUint64(sub, true);
        const tag = view.getUint8(sub + 8);
        if (tag === EventType.CLOCK) {
          const id = view.getUint32(sub + 16, true);
          const timeout = view.getBigUint64(sub + 24, true);
          const absolute = (view.getUint16(sub + 40, true) & SubclockFlags.ABSTIME) !== 0;
          const deadline = absolute ? now + (timeout - clockNow(id)) : now + timeout;
          clocks.push({ userdata, deadline });
        } else {
          // Files and standard streams never block here: they are always ready.
          ready.push({ userdata, type: tag });
        }
      }
      let fired: typeof clocks;
      if (ready.length === 0) {
        const first = clocks.reduce((a, b) => (b.deadline < a ? b.deadline : a), clocks[0].deadline);
        sleepNs(first - monotonicNs());
        const after = monotonicNs();
        fired = clocks.filter((c) => c.deadline <= after || c.deadline === first);
      } else {
        fired = clocks.filter((c) => c.deadline <= now);
      }
      const events = [
        ...ready.map((r) => ({ ...r, error: 0 })),
        ...fired.map((c) => ({ userdata: c.userdata, type: EventType.CLOCK as number, error: 0 })),
      ];
      const out = mem.view();
      events.forEach((e, i) => {
        const ev = outPtr + i * 32;
        new Uint8Array(out.buffer, ev, 32).fill(0);
        out.setBigUint64(ev, e.userdata, true);
        out.setUint16(ev + 8, e.error, true);
        out.setUint8(ev + 10, e.type);
      });
      mem.setU32(neventsPtr, events.length);
    },
    proc_exit(code: number) {
      throw new ProcExit(code);
    },
    proc_raise: () => Errno.NOSYS,
    sched_yield: () => Errno.SUCCESS,
    random_get(ptr: number, len: number) {
      const bytes = mem.bytes(ptr, len);
      for (let off = 0; off < len; off += 65536) {
        // A guest memory is never shared here; newer lib typings only accept ArrayBuffer-backed views.
        crypto.getRandomValues(bytes.subarray(off, Math.min(len, off + 65536)) as Uint8Array<ArrayBuffer>);
      }
    },
    sock_accept: notSocket,
    sock_recv: notSocket,
    sock_send: notSocket,
    sock_shutdown: notSocket,
  };
}
