// Recurses N levels deep (default 100000) and prints the depth reached: legal deep recursion
// must work. Linked with a 16 MiB shadow stack (the link line below): room for about 500k
// frames, within the default 64 MiB memory limit of a process; the JVM stack behind the wasm
// calls holds fewer (docs/PROCESSES.md: 250,000 compiled under lunar run, 100,000 on a node,
// 10,000 interpreted).
// link: -Wl,-z,stack-size=16777216
#include <stdio.h>
#include <stdlib.h>

static long depth(long n, volatile char *prev) {
  volatile char frame[16];
  frame[0] = (char)n;
  if (n == 0) return prev ? prev[0] : 0;
  return depth(n - 1, frame) + 1;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  printf("depth %ld\n", depth(n, NULL));
  return 0;
}
