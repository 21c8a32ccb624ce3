/*
 * Prints "tick <i>" every argv[2] milliseconds (default 200), argv[1] times (default 0: forever),
 * flushing each line: a job whose logs keep arriving while it runs, until it ends or is stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 0;
  long ms = argc > 2 ? atol(argv[2]) : 200;
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
  for (long i = 1; count == 0 || i <= count; i++) {
    printf("tick %ld\n", i);
    fflush(stdout);
    nanosleep(&pause, NULL);
  }
  return 0;
}
