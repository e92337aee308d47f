// Two processes bounce a message N times (default 1000): spawn, send, receive, reply by pid.
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *me = "pingpong";

#include "files.h"

// The child: answers every "ping" with a "pong" to whoever sent it, until "stop".
static int pong(void) {
  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  int out = -1;
  long out_pid = 0;
  char tag[65], body[64], path[48];
  for (;;) {
    long from = recv_msg(inbox, tag, body, sizeof body);
    if (!strcmp(body, "stop")) return 0;
    if (strcmp(body, "ping")) fail("unexpected message '%s' from %ld", body, from);
    // Keep the reply mailbox open across rounds: one open, then one write per pong.
    if (from != out_pid) {
      if (out >= 0) xclose(out, "close mailbox");
      snprintf(path, sizeof path, "/proc/%ld/mailbox", from);
      out = xopen(path, O_WRONLY);
      out_pid = from;
    }
    put(out, "pong", "send pong");
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "pong")) {
    me = "pingpong pong";
    return pong();
  }
  long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  if (rounds < 1) fail("usage: pingpong [ROUNDS]");

  // Linked: should the child die abnormally, we die too instead of waiting for a pong forever.
  long child = spawn("--link pingpong pong");
  char path[48];
  snprintf(path, sizeof path, "/proc/%ld/mailbox", child);
  int out = xopen(path, O_WRONLY);
  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  char tag[65], body[64];
  for (long i = 0; i < rounds; i++) {
    put(out, "ping", "send ping");
    long from = recv_msg(inbox, tag, body, sizeof body);
    if (from != child || strcmp(body, "pong"))
      fail("round %ld: expected 'pong' from %ld, got '%s' from %ld", i, child, body, from);
  }
  put(out, "stop", "send stop");
  xclose(out, "close mailbox");

  // Reading /proc/<pid>/exit blocks until the child has ended, then gives its reason.
  snprintf(path, sizeof path, "/proc/%ld/exit", child);
  int ex = xopen(path, O_RDONLY);
  char reason[64];
  ssize_t n = read(ex, reason, sizeof reason - 1);
  if (n < 0) die(path);
  reason[n] = '\0';
  xclose(ex, path);
  reason[strcspn(reason, "\n")] = '\0';
  if (strcmp(reason, "normal")) fail("child %ld ended with '%s'", child, reason);

  printf("pingpong: %ld rounds\n", rounds);
  return 0;
}
