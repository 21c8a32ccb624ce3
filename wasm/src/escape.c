/*
 * Tries to read files outside the job's filesystem and prints BLOCKED or LEAKED for each attempt.
 * Paths go through libc (as a real program would) and, for "..", also straight to path_open on
 * every preopened directory, so libc's own path handling cannot hide a host that lets ".." out.
 * Extra paths (e.g. a symlink pointing out of a mount) come from argv. Always exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static void try_libc(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f) {
    fclose(f);
    printf("LEAKED %s\n", path);
  } else {
    printf("BLOCKED %s\n", path);
  }
}

static void try_raw(__wasi_fd_t dir, const char *rel) {
  __wasi_fd_t fd;
  __wasi_errno_t err = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, rel, 0,
                                        __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  if (err == 0) {
    (void)!__wasi_fd_close(fd);
    printf("LEAKED fd%u:%s\n", (unsigned)dir, rel);
  } else {
    printf("BLOCKED fd%u:%s\n", (unsigned)dir, rel);
  }
}

int main(int argc, char **argv) {
  try_libc("../etc/passwd");
  try_libc("/../../etc/hostname");
  try_libc("/etc/passwd");
  for (int i = 1; i < argc; i++) try_libc(argv[i]);

  /* Preopens are numbered from 3 with no gaps; the first EBADF ends the list. */
  for (__wasi_fd_t dir = 3; dir < 64; dir++) {
    __wasi_prestat_t pre;
    if (__wasi_fd_prestat_get(dir, &pre) != 0) break;
    if (pre.tag != __WASI_PREOPENTYPE_DIR) continue;
    try_raw(dir, "../etc/passwd");
    try_raw(dir, "../../../../../../etc/passwd");
  }
  fflush(stdout);
  exit(0);
}
