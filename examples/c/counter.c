// A named service: `counter serve` registers as "counter"; clients reach it through /names.
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *me = "counter";

#include "files.h"

// The server: counts "inc", answers "get" to its sender with the count, ends on "stop".
static int serve(void) {
  int ctl = xopen("/proc/self/ctl", O_WRONLY);
  put(ctl, "register counter\n", "register counter");
  xclose(ctl, "/proc/self/ctl");
  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  char tag[65], body[64], path[48];
  long count = 0;
  for (;;) {
    long from = recv_msg(inbox, tag, body, sizeof body);
    if (!strcmp(body, "inc")) {
      count++;
    } else if (!strcmp(body, "get")) {
      // Knowing the sender's pid is enough to answer it.
      snprintf(path, sizeof path, "/proc/%ld/mailbox", from);
      int out = xopen(path, O_WRONLY);
      snprintf(body, sizeof body, "%ld", count);
      put(out, body, "send count");
      xclose(out, path);
    } else if (!strcmp(body, "stop")) {
      return 0;
    } else {
      fprintf(stderr, "counter serve: ignoring '%s' from %ld\n", body, from);
    }
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "serve")) {
    me = "counter serve";
    return serve();
  }
  // Linked: if the server dies abnormally, so do we, instead of waiting for its answer.
  long server = spawn("--link counter serve");

  // The server registers its name itself once it runs, so the name may not be there yet.
  long pid;
  for (int tries = 0; !(pid = name_pid("counter")); tries++) {
    if (tries == 500) fail("no /names/counter after 5 s");
    struct timespec nap = {0, 10 * 1000000L};
    if (nanosleep(&nap, NULL) < 0) die("nanosleep");
  }
  if (pid != server) fail("/names/counter is %ld, but we spawned %ld", pid, server);

  // Messages from one sender to one receiver arrive in order: all incs before the get.
  int svc = xopen("/names/counter/mailbox", O_WRONLY);
  for (int i = 0; i < 100; i++) put(svc, "inc", "send inc");
  put(svc, "get", "send get");

  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  char tag[65], body[64];
  long from = recv_msg(inbox, tag, body, sizeof body);
  if (from != server || strcmp(body, "100"))
    fail("expected '100' from %ld, got '%s' from %ld", server, body, from);
  printf("counter: %s\n", body);

  put(svc, "stop", "send stop");
  xclose(svc, "/names/counter/mailbox");
  return 0;
}
