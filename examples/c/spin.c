// Counts to N (default: forever) in a call-free loop, then prints the count: a CPU hog that
// Lunar's reduction counting must preempt.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 0;
  volatile unsigned long long i = 0;
  while (n == 0 || i < n) i++;
  printf("counted to %llu\n", (unsigned long long)i);
  return 0;
}
