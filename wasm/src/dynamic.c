/*
 * Imports `easter` from a module named "input.wasm" (resolved by the host as a file in the job's
 * filesystem), prints easter(2022), and returns from `_start` without proc_exit (exit code -1).
 */
#include <wasi/api.h>
#include "wasi_io.h"

__attribute__((import_module("input.wasm"), import_name("easter"))) int easter(int year);

__attribute__((export_name("_start"))) void _start(void) {
  char buf[16];
  int n = easter(2022), len = 0;
  char digits[12];
  int d = 0;
  if (n < 0) { buf[len++] = '-'; n = -n; }
  do { digits[d++] = (char)('0' + n % 10); n /= 10; } while (n > 0);
  while (d > 0) buf[len++] = digits[--d];
  buf[len++] = '\n';
  write_all(1, buf, (size_t)len);
}
