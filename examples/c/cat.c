// Copies files (standard input when none is named) to standard output, like cat(1).
// `lunar run cat /proc/self/status` reads a tree file through plain WASI.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int copy(int fd, const char *name) {
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
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
    perror(name);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    return copy(0, "read");
  }
  int status = 0;
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      perror(argv[i]);
      status = 1;
      continue;
    }
    status |= copy(fd, argv[i]);
    close(fd);
  }
  return status;
}
