/*
 * Exits with the integer in env EXIT_CODE (default 0) through proc_exit. A value that is not an
 * integer traps (unreachable), which a host must report as a failed execution, not an exit code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

int main(void) {
  const char *raw = getenv("EXIT_CODE");
  long n = 0;
  if (raw) {
    char *end = NULL;
    errno = 0;
    n = strtol(raw, &end, 10);
    if (*raw == '\0' || *end != '\0' || errno != 0 || n < -2147483648L || n > 2147483647L) {
      fprintf(stderr, "Must be an integer: %s\n", raw);
      __builtin_trap();
    }
  }
  printf("Exiting with %ld\n", n);
  fflush(stdout);
  __wasi_proc_exit((__wasi_exitcode_t)(int)n);
}
