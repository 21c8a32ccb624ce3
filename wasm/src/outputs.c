/*
 * Writes /outputs/result.txt (argv[1..] joined by spaces, or a fixed line) and /outputs/sub/n.txt
 * (the argument count), creating /outputs/sub, then says what it wrote.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void write_file(const char *path, const char *content) {
  FILE *f = fopen(path, "w");
  if (!f || fputs(content, f) < 0 || fclose(f) != 0) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    exit(1);
  }
  printf("wrote %s (%zu bytes)\n", path, strlen(content));
}

int main(int argc, char **argv) {
  size_t len = 2;
  for (int i = 1; i < argc; i++) len += strlen(argv[i]) + 1;
  char *joined = malloc(len + 32);
  if (!joined) return 1;
  joined[0] = '\0';
  if (argc > 1) {
    for (int i = 1; i < argc; i++) {
      if (i > 1) strcat(joined, " ");
      strcat(joined, argv[i]);
    }
    strcat(joined, "\n");
  } else {
    strcpy(joined, "hello from outputs\n");
  }
  write_file("/outputs/result.txt", joined);

  if (mkdir("/outputs/sub", 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "/outputs/sub: %s\n", strerror(errno));
    exit(1);
  }
  char count[32];
  snprintf(count, sizeof count, "%d\n", argc - 1);
  write_file("/outputs/sub/n.txt", count);
  fflush(stdout);
  exit(0);
}
