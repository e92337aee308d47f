/* fsops: times small file-system operations, for scripts/bench-fuse.
 *
 *   fsops OP DIR N      OP = stat | read | write
 *
 * stat:  stat(DIR/small)
 * read:  open(DIR/small, O_RDONLY), one read of up to 4 KiB, close
 * write: open(DIR/out, O_WRONLY|O_TRUNC), one write of 16 bytes, close
 *
 * Prints one line "OP N NS_PER_OP" (wall clock over the N operations) and exits 0,
 * or a reason on stderr and exits 1 at the first failing call. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static void fail(const char *what, const char *path) {
  fprintf(stderr, "fsops: %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: fsops stat|read|write DIR N\n");
    return 2;
  }
  const char *op = argv[1];
  long n = atol(argv[3]);
  char small[4096], out[4096], buf[4096];
  snprintf(small, sizeof small, "%s/small", argv[2]);
  snprintf(out, sizeof out, "%s/out", argv[2]);
  static const char line[16] = "0123456789abcde\n";
  struct stat st;

  double start = now_ns();
  if (strcmp(op, "stat") == 0) {
    for (long i = 0; i < n; i++)
      if (stat(small, &st) != 0) fail("stat", small);
  } else if (strcmp(op, "read") == 0) {
    for (long i = 0; i < n; i++) {
      int fd = open(small, O_RDONLY);
      if (fd < 0) fail("open", small);
      if (read(fd, buf, sizeof buf) <= 0) fail("read", small);
      if (close(fd) != 0) fail("close", small);
    }
  } else if (strcmp(op, "write") == 0) {
    for (long i = 0; i < n; i++) {
      int fd = open(out, O_WRONLY | O_TRUNC);
      if (fd < 0) fail("open", out);
      if (write(fd, line, sizeof line) != (ssize_t)sizeof line) fail("write", out);
      if (close(fd) != 0) fail("close", out);
    }
  } else {
    fprintf(stderr, "fsops: unknown op '%s' (stat, read or write)\n", op);
    return 2;
  }
  double ns = (now_ns() - start) / n;
  printf("%s %ld %.0f\n", op, n, ns);
  return 0;
}
