/* Greets argv[1] (or "world"). Ends with exit(0) so the host sees proc_exit(0), not a plain return. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  printf("Hello, %s!\n", argc > 1 ? argv[1] : "world");
  exit(0);
}
