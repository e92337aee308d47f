/* timeit: the native peer of the compute benchmarks, for scripts/bench.
 *
 * Linked with one unmodified guest source compiled with -Dmain=guest_main, in its own
 * translation unit so the compiler cannot fold the guest into the timing loop:
 *
 *   gcc -O2 -Dmain=guest_main -c examples/c/fib.c -o fib.o
 *   gcc -O2 bench/c/timeit.c fib.o -o fib
 *   fib WARMUP ROUNDS NAME ARG
 *
 * Calls guest_main(2, {NAME, ARG}) WARMUP times untimed, then ROUNDS times timed, and prints
 * "compute.NAME.native MS ms" per timed call. The guest's own output goes to /dev/null, as it
 * does under Lunar and V8 in these benchmarks. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int guest_main(int argc, char **argv);

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void run(char *name, char *arg) {
  char *argv[] = {name, arg, NULL};
  if (guest_main(2, argv) != 0) {
    fprintf(stderr, "timeit: %s %s failed\n", name, arg);
    exit(1);
  }
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s WARMUP ROUNDS NAME ARG\n", argv[0]);
    return 2;
  }
  int warmup = atoi(argv[1]), rounds = atoi(argv[2]);
  FILE *out = fdopen(dup(STDOUT_FILENO), "w"); /* results; stdout becomes the guest's */
  if (out == NULL || freopen("/dev/null", "w", stdout) == NULL) {
    perror("timeit");
    return 1;
  }
  for (int i = 0; i < warmup; i++) run(argv[3], argv[4]);
  for (int i = 0; i < rounds; i++) {
    double start = now_ms();
    run(argv[3], argv[4]);
    fprintf(out, "compute.%s.native %.3f ms\n", argv[3], now_ms() - start);
    fflush(out);
  }
  return 0;
}
