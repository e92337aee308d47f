// Greets whoever NAME says, and echoes its arguments: the first thing to run on Lunar.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  const char *name = getenv("NAME");
  printf("Hello, %s, from a Lunar process!\n", name ? name : "world");
  for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
  return 0;
}
