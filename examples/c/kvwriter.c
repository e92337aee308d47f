// Writes keys k1..kN into /kv/BUCKET, each a self-checking value, and prints "acked BUCKET/kI" once
// close() has returned 0 for it, which means the value is on disk. Used to test that a node
// killed with kill -9 loses no acknowledged write and tears none.
//
//   kvwriter BUCKET N
//
// Value of key kI: "kI " followed by (I * 977 % 60000) bytes of a pattern that depends on I,
// then " end" — a reader can tell a whole value from a cut or mixed one.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *me = "kvwriter";

#include "files.h"

int main(int argc, char **argv) {
  if (argc != 3) fail("usage: kvwriter BUCKET N");
  const char *bucket = argv[1];
  long n = atol(argv[2]);
  char path[128];
  snprintf(path, sizeof path, "/kv/%s", bucket);
  if (mkdir(path, 0755) < 0 && errno != EEXIST) die(path);
  static char value[70000];
  for (long i = 1; i <= n; i++) {
    int len = snprintf(value, 32, "k%ld ", i);
    long body = i * 977 % 60000;
    for (long j = 0; j < body; j++) value[len++] = (char)('a' + (i + j) % 26);
    len += snprintf(value + len, 8, " end");
    snprintf(path, sizeof path, "/kv/%s/k%ld", bucket, i);
    int fd = xopen(path, O_WRONLY | O_CREAT | O_TRUNC);
    if (write(fd, value, len) != len) die(path);
    xclose(fd, path);
    printf("acked %s/k%ld\n", bucket, i);
    fflush(stdout);
  }
  return 0;
}
