/*
 * For each line of argv[1]: lines of even byte length (newline excluded) go to stdout, odd ones
 * to stderr, each followed by "\n". Gives log tests a known interleaving of both streams.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "Usage: lines input-txt\n");
    exit(1);
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
    exit(1);
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    if (line[n - 1] == '\n') n--;
    FILE *out = n % 2 == 0 ? stdout : stderr;
    fwrite(line, 1, (size_t)n, out);
    fputc('\n', out);
  }
  fflush(stdout);
  exit(0);
}
