// A CGI program for `lunar serve`: answers with CGI headers, then its environment and the
// request body it read on standard input. `?status=404` sets the status, to show the header.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(void) {
  const char *query = getenv("QUERY_STRING");
  const char *status = query ? strstr(query, "status=") : NULL;
  if (status) printf("Status: %.3s\n", status + 7);
  printf("Content-Type: text/plain; charset=utf-8\n");
  printf("X-Lunar-Example: cgiecho\n\n");
  for (char **e = environ; *e; e++) printf("%s\n", *e);
  printf("body: ");
  char buf[4096];
  size_t n, total = 0;
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
    fwrite(buf, 1, n, stdout);
    total += n;
  }
  printf("\nbody bytes: %zu\n", total);
  return 0;
}
