// The web demo's front page: every request to it runs this program as a new Lunar process,
// which answers with plain printf. Its pid comes from /proc/self/status, a file of the tree.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long self_pid(void) {
  char buf[256];
  int fd = open("/proc/self/status", O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  return strncmp(buf, "pid: ", 5) ? 0 : strtol(buf + 5, NULL, 10);
}

static const char *env(const char *name) {
  const char *v = getenv(name);
  return v ? v : "";
}

int main(void) {
  printf("Hello from Lunar process %ld, started for this request alone.\n", self_pid());
  printf("You asked for %s %s%s%s", env("REQUEST_METHOD"), env("PATH_INFO"),
         *env("QUERY_STRING") ? "?" : "", env("QUERY_STRING"));
  if (*env("HTTP_USER_AGENT")) printf(" with %s", env("HTTP_USER_AGENT"));
  printf(".\nAny WASI program that prints can answer here: `lunar serve --port N FILE.wasm`.\n");
  return 0;
}
