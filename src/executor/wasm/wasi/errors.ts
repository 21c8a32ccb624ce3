/**
 * Control flow of the WASI host: an errno to hand back to the guest, and the unwinding exits
 * (proc_exit, a host-imposed stop) that must travel through wasm frames as JS exceptions.
 */
import { Errno, type ErrnoValue } from "./constants.ts";

/** Thrown inside a host function; the dispatcher turns it into the function's errno result. */
export class WasiErrno extends Error {
  readonly errno: ErrnoValue;
  constructor(errno: ErrnoValue, message = `errno ${errno}`) {
    super(message);
    this.name = "WasiErrno";
    this.errno = errno;
  }
}

/** proc_exit(code): unwinds the guest's stack up to whoever called the entrypoint. */
export class ProcExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`proc_exit(${code})`);
    this.name = "ProcExit";
    this.code = code;
  }
}

/** The host stopped the guest on purpose (output cap, ...); the message is the job's error. */
export class HostStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HostStop";
  }
}

const BY_CODE: Record<string, ErrnoValue> = {
  EACCES: Errno.ACCES,
  EAGAIN: Errno.AGAIN,
  EBADF: Errno.BADF,
  EBUSY: Errno.BUSY,
  EEXIST: Errno.EXIST,
  EFBIG: Errno.FBIG,
  EINTR: Errno.INTR,
  EINVAL: Errno.INVAL,
  EIO: Errno.IO,
  EISDIR: Errno.ISDIR,
  ELOOP: Errno.LOOP,
  EMFILE: Errno.MFILE,
  EMLINK: Errno.MLINK,
  ENAMETOOLONG: Errno.NAMETOOLONG,
  ENOENT: Errno.NOENT,
  ENOMEM: Errno.NOMEM,
  ENOSPC: Errno.NOSPC,
  ENOSYS: Errno.NOSYS,
  ENOTDIR: Errno.NOTDIR,
  ENOTEMPTY: Errno.NOTEMPTY,
  ENOTSUP: Errno.NOTSUP,
  EOPNOTSUPP: Errno.NOTSUP,
  EOVERFLOW: Errno.OVERFLOW,
  EPERM: Errno.PERM,
  EPIPE: Errno.PIPE,
  ERANGE: Errno.RANGE,
  EROFS: Errno.ROFS,
  ESPIPE: Errno.SPIPE,
  EXDEV: Errno.XDEV,
};

/** Maps a host filesystem error (an `Error` with a POSIX `code`) to a WASI errno. */
export function errnoOf(err: unknown): ErrnoValue {
  if (err instanceof WasiErrno) return err.errno;
  const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
  return BY_CODE[code] ?? Errno.IO;
}
