/*
 * Tries to grow files in the output folder argv[1] past the job's result bound in every way WASI
 * offers, printing "<what> ok" or "<what> <errno name>" per attempt, then calls exit(0):
 *   set_size_1tib  ftruncate to 1 TiB (fd_filestat_set_size), with the microseconds it took
 *   pwrite_1tib    one byte written at offset 1 TiB (fd_pwrite, a sparse file)
 *   allocate_1tib  posix_fallocate of 1 TiB (fd_allocate)
 *   fill           64 KiB writes until one fails, with the bytes written before
 *   link           a hard link to the filled file (counts its bytes again)
 *   unlink+write   room comes back when the file is removed
 *   trunc+write    room comes back when a file is reopened with O_TRUNC
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TIB (1LL << 40)

static char chunk[65536];
static char path_a[512], path_b[512], path_c[512];

static const char *name(int err) {
  switch (err) {
    case 0: return "ok";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    default: return strerror(err);
  }
}

static long long micros(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int open_or_die(const char *path, int flags) {
  int fd = open(path, flags, 0644);
  if (fd < 0) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    exit(1);
  }
  return fd;
}

/** Writes until a write fails; returns the bytes written and leaves the failure in errno. */
static long long fill(int fd) {
  long long total = 0;
  for (;;) {
    ssize_t n = write(fd, chunk, sizeof chunk);
    if (n < 0) return total;
    if (n == 0) {
      errno = EIO;
      return total;
    }
    total += n;
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "Usage: bigfile <output folder>\n");
    return 1;
  }
  snprintf(path_a, sizeof path_a, "%s/a", argv[1]);
  snprintf(path_b, sizeof path_b, "%s/b", argv[1]);
  snprintf(path_c, sizeof path_c, "%s/a-link", argv[1]);
  memset(chunk, 'x', sizeof chunk);

  int fd = open_or_die(path_a, O_WRONLY | O_CREAT | O_TRUNC);
  long long t0 = micros();
  int err = ftruncate(fd, TIB) == 0 ? 0 : errno;
  printf("set_size_1tib %s %lldus\n", name(err), micros() - t0);
  err = pwrite(fd, "!", 1, TIB) == 1 ? 0 : errno;
  printf("pwrite_1tib %s\n", name(err));
  err = posix_fallocate(fd, 0, TIB); /* returns the error instead of setting errno */
  printf("allocate_1tib %s\n", name(err));
  long long filled = fill(fd);
  printf("fill %s %lld\n", name(errno), filled);
  err = link(path_a, path_c) == 0 ? 0 : errno;
  printf("link %s\n", name(err));
  close(fd);

  unlink(path_a);
  fd = open_or_die(path_b, O_WRONLY | O_CREAT | O_TRUNC);
  filled = fill(fd);
  printf("unlink+write %s %lld\n", name(errno), filled);
  close(fd);
  fd = open_or_die(path_b, O_WRONLY | O_TRUNC);
  filled = fill(fd);
  printf("trunc+write %s %lld\n", name(errno), filled);
  close(fd);
  exit(0);
}
