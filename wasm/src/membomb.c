/*
 * Grows linear memory 1 MiB (16 pages) at a time, touching each new page, until the host refuses.
 * A host with a page limit turns that into a trap (failed execution); without one it climbs to 4 GiB.
 */
#include <stdio.h>
#include <wasi/api.h>

int main(void) {
  unsigned long pages = 0;
  for (;;) {
    long old = (long)__builtin_wasm_memory_grow(0, 16);
    if (old < 0) break;
    for (long p = old; p < old + 16; p++) {
      volatile char *page = (volatile char *)(p * 65536L);
      page[0] = 1; /* make the page resident, not just reserved */
    }
    pages += 16;
  }
  fprintf(stderr, "memory.grow refused after %lu new pages\n", pages);
  __builtin_trap();
}
