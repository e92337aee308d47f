// Sleeps 1 ms N times (default 300) and prints how late each wake-up was, in microseconds, one
// per line: the guest of the wake-up latency benchmark (Bench wake), run beside spinning processes.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 300;
  long long *late = calloc(n, sizeof *late);
  if (late == NULL) {
    return 1;
  }
  for (int i = 0; i < n; i++) {
    long long start = now_us();
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
    late[i] = now_us() - start - 1000;
  }
  for (int i = 0; i < n; i++) {
    printf("%lld\n", late[i]);
  }
  return 0;
}
