// Reads N messages from its mailbox, each sent by the host with the host's System.nanoTime() as its
// body (the same clock as the guest's CLOCK_MONOTONIC, in one JVM), and prints how late each one
// was read, in microseconds, one per line: the guest of `Bench hostwake`. With "kv" it also puts a
// key under /kv/b after each message (open, write, close), as a process that stores what it gets.
//
//   reader N [kv]
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200;
  int kv = argc > 2 && strcmp(argv[2], "kv") == 0;
  long long *late = calloc(n, sizeof *late);
  int box = open("/proc/self/mailbox", O_RDONLY);
  if (late == NULL || box < 0) {
    perror("reader");
    return 1;
  }
  char buf[256], path[64];
  for (int i = 0; i < n; i++) {
    ssize_t got = read(box, buf, sizeof buf - 1);
    if (got <= 0) {
      perror("reader: mailbox");
      return 1;
    }
    buf[got] = 0;
    char *body = strchr(buf, '\n'); // after the header line: "<from> <tag> <size>"
    late[i] = (now_ns() - atoll(body != NULL ? body + 1 : buf)) / 1000;
    if (kv) {
      snprintf(path, sizeof path, "/kv/b/k%d", i % 16);
      int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || write(fd, buf, (size_t)got) != got || close(fd) != 0) {
        perror(path);
        return 1;
      }
    }
  }
  for (int i = 0; i < n; i++) {
    printf("%lld\n", late[i]);
  }
  return 0;
}
