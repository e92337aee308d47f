// Turns a 16 KiB array of ints into its running sums N times (each step two loads and a store)
// and prints the last: a loop that writes memory, beside hash's loop that only reads it.
#include <stdio.h>
#include <stdlib.h>

static unsigned a[4096];

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 100;
  for (unsigned i = 0; i < 4096; i++) a[i] = i * 2654435761u;
  for (long r = 0; r < rounds; r++)
    for (unsigned i = 1; i < 4096; i++) a[i] += a[i - 1];
  printf("%u\n", a[4095]);
  return 0;
}
