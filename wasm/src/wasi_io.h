/*
 * Tiny output helpers for modules built with -nostartfiles: they own `_start` and return from it
 * without proc_exit, so they cannot rely on libc's exit-time flushing of stdio.
 */
#ifndef WASI_IO_H
#define WASI_IO_H
#include <stddef.h>
#include <string.h>
#include <wasi/api.h>

static inline void write_all(int fd, const char *s, size_t n) {
  while (n > 0) {
    __wasi_ciovec_t iov = {(const uint8_t *)s, n};
    __wasi_size_t written = 0;
    if (__wasi_fd_write(fd, &iov, 1, &written) != 0 || written == 0) return;
    s += written;
    n -= written;
  }
}

static inline void write_str(int fd, const char *s) { write_all(fd, s, strlen(s)); }

#endif
