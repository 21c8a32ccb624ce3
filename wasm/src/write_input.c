/*
 * Tries to change the file named in argv[1] (meant to be a read-only input) four ways and prints
 * "BLOCKED <how> <path>" or "CHANGED <how> <path>" for each. Always exits 0.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void report(int changed, const char *how, const char *path) {
  printf("%s %s %s\n", changed ? "CHANGED" : "BLOCKED", how, path);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "Usage: write_input <file>\n");
    exit(1);
  }
  const char *path = argv[1];

  int fd = open(path, O_WRONLY);
  int wrote = fd >= 0 && write(fd, "X", 1) == 1;
  if (fd >= 0) close(fd);
  report(wrote, "write", path);

  report(truncate(path, 0) == 0, "truncate", path);

  char moved[4096];
  snprintf(moved, sizeof moved, "%s.moved", path);
  int renamed = rename(path, moved) == 0;
  if (renamed) rename(moved, path); /* put it back so the unlink attempt still has a target */
  report(renamed, "rename", path);

  report(unlink(path) == 0, "unlink", path);
  fflush(stdout);
  exit(0);
}
