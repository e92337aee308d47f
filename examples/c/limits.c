// Sends itself a 5 MiB message and reads it back 4 KiB at a time, shows O_NONBLOCK on an empty
// mailbox, and asks to spawn a child with more than it holds: the protocol's edges, by files.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  size_t size = 5 << 20;
  char *msg = malloc(size);
  if (!msg) return 1;
  for (size_t i = 0; i < size; i++) msg[i] = 'a' + i % 26;
  int out = open("/proc/self/mailbox", O_WRONLY);
  if (out < 0 || write(out, msg, size) != (ssize_t)size) {
    perror("send");
    return 1;
  }
  // The header line comes first; the body follows over as many reads as it takes.
  int in = open("/proc/self/mailbox", O_RDONLY | O_NONBLOCK);
  char buf[4096], header[64] = "";
  size_t got = 0;
  int first = 1;
  ssize_t n;
  while (got < size && (n = read(in, buf, sizeof buf)) > 0) {
    size_t off = 0;
    if (first) {
      char *nl = memchr(buf, '\n', n);
      if (!nl) return 1;
      off = nl - buf + 1;
      memcpy(header, buf, off);
      header[off] = 0;
      first = 0;
    }
    if (memcmp(buf + off, msg + got, n - off) != 0) {
      printf("limits: body differs at byte %zu\n", got);
      return 1;
    }
    got += n - off;
  }
  printf("header: %s", header);
  printf("body: %zu bytes, intact\n", got);
  n = read(in, buf, sizeof buf);
  printf("empty mailbox, O_NONBLOCK: %s\n", n < 0 && errno == EAGAIN ? "EAGAIN" : "not EAGAIN");
  int spawn = open("/proc/new", O_RDWR);
  const char *line = "--grant /kv:rw hello";
  if (spawn >= 0 && write(spawn, line, strlen(line)) < 0) {
    int e = errno;
    ssize_t r = read(spawn, buf, sizeof buf - 1);
    buf[r > 0 ? r : 0] = 0;
    printf("spawn beyond its grants: %s: %s", e == EACCES ? "EACCES" : strerror(e), buf);
  }
  return 0;
}
