/*
 * Prints every environment variable as K=V, sorted by key, then returns from `_start` without
 * proc_exit: Bacalhau reports such a plain return as exit code -1, and this module exercises that rule.
 */
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>
#include "wasi_io.h"

/* Compare keys only (up to '='), so "A=..." sorts before "AB=..." as a key-ordered map would. */
static int by_key(const void *a, const void *b) {
  const char *x = *(const char *const *)a, *y = *(const char *const *)b;
  size_t kx = strcspn(x, "="), ky = strcspn(y, "=");
  size_t n = kx < ky ? kx : ky;
  int c = memcmp(x, y, n);
  if (c != 0) return c;
  return (kx > ky) - (kx < ky);
}

__attribute__((export_name("_start"))) void _start(void) {
  __wasi_size_t count = 0, size = 0;
  if (__wasi_environ_sizes_get(&count, &size) != 0) __builtin_trap();
  char **vars = malloc((count + 1) * sizeof(char *));
  char *buf = malloc(size + 1);
  if (!vars || !buf) __builtin_trap();
  if (__wasi_environ_get((uint8_t **)vars, (uint8_t *)buf) != 0) __builtin_trap();
  qsort(vars, count, sizeof(char *), by_key);
  for (__wasi_size_t i = 0; i < count; i++) {
    write_str(1, vars[i]);
    write_all(1, "\n", 1);
  }
}
