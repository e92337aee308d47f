// Allocates 1 MiB blocks until malloc returns NULL, touching each, then reports how many it
// got: shows that a process hitting its memory limit sees an ordinary allocation failure.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  // Chain the blocks so the compiler cannot drop the allocations as unused.
  void **head = NULL;
  size_t blocks = 0;
  for (;;) {
    void **block = malloc(1 << 20);
    if (!block) break;
    memset(block, 1, 1 << 20);
    *block = head;
    head = block;
    blocks++;
  }
  size_t chained = 0;
  for (void **b = head; b; b = *b) chained++;
  printf("allocated %zu MiB before malloc returned NULL\n", chained);
  return blocks == chained ? 0 : 1;
}
