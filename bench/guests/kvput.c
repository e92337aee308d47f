// Puts N keys of SIZE bytes into /kv/BUCKET, each one an open/write/close of /kv/BUCKET/PREFIX-I,
// so each close waits for its commit: the guest of the guest-side key-value benchmark (Bench
// kvguest), run as many processes at once, beside spinning processes or not.
//
//   kvput BUCKET PREFIX N SIZE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: kvput BUCKET PREFIX N SIZE\n");
    return 2;
  }
  long n = atol(argv[3]);
  size_t size = (size_t)atol(argv[4]);
  char *value = malloc(size + 1);
  if (value == NULL) {
    return 1;
  }
  memset(value, 'v', size);
  char path[256];
  for (long i = 0; i < n; i++) {
    snprintf(path, sizeof path, "/kv/%s/%s-%ld", argv[1], argv[2], i);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, value, size) != (ssize_t)size || close(fd) != 0) {
      perror(path);
      return 1;
    }
  }
  return 0;
}
