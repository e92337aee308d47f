// Copies standard input to standard output, like cat(1) with no arguments.
#include <stdio.h>
#include <unistd.h>

int main(void) {
  char buf[4096];
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(1, buf + off, n - off);
      if (w < 0) {
        perror("write");
        return 1;
      }
      off += w;
    }
  }
  if (n < 0) {
    perror("read");
    return 1;
  }
  return 0;
}
