// Formats N lines with snprintf and prints the bytes formatted: wasi-libc's printf core is one
// function too big for the JIT by default (BENCHMARKS.md h, -XX:-DontCompileHugeMethods).
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  char line[96];
  long bytes = 0;
  for (long i = 0; i < n; i++) {
    bytes += snprintf(line, sizeof line, "line %ld of %ld, %s\n", i, n, "formatted");
  }
  printf("%ld\n", bytes);
  return 0;
}
