// Hashes a 16 KiB buffer N times (FNV-1a, a byte at a time) and prints the hash: a loop-heavy
// guest with real work in each iteration, beside spin's empty one, for the reduction-counting
// benchmark.
#include <stdio.h>
#include <stdlib.h>

static unsigned char buf[16384];

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 100;
  for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 31 + 7);
  unsigned h = 2166136261u;
  for (long r = 0; r < rounds; r++)
    for (unsigned i = 0; i < sizeof buf; i++) h = (h ^ buf[i]) * 16777619u;
  printf("%u\n", h);
  return 0;
}
