/* Writes to stdout forever (until the host stops it or stdout fails), to test output caps and kills. */
#include <string.h>
#include <wasi/api.h>

static char buf[65536];

int main(void) {
  const char line[] = "flood flood flood flood flood flood flood flood flood flood flood flood\n";
  for (size_t i = 0; i + sizeof line - 1 <= sizeof buf; i += sizeof line - 1) memcpy(buf + i, line, sizeof line - 1);
  size_t n = sizeof buf - sizeof buf % (sizeof line - 1);
  for (;;) {
    __wasi_ciovec_t iov = {(const uint8_t *)buf, n};
    __wasi_size_t written;
    if (__wasi_fd_write(1, &iov, 1, &written) != 0) __wasi_proc_exit(1);
  }
}
