/* Copies each file named in argv[1..] to stdout; the first error is reported as "<path>: <strerror>" with exit 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *path, int err) {
  fflush(stdout);
  fprintf(stderr, "%s: %s\n", path, strerror(err));
  exit(1);
}

int main(int argc, char **argv) {
  char buf[256]; /* small chunks on purpose: many fd_read/fd_write calls */
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (!f) fail(argv[i], errno);
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
      if (fwrite(buf, 1, n, stdout) != n) fail("<stdout>", errno);
    }
    if (ferror(f)) fail(argv[i], errno);
    fclose(f);
  }
  fflush(stdout);
  exit(0);
}
