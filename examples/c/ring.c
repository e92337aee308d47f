// A ring of N processes (default 100) passes a token around M times (default 10).
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *me = "ring";

#include "files.h"

static int open_mailbox(long pid) {
  char path[48];
  snprintf(path, sizeof path, "/proc/%ld/mailbox", pid);
  return xopen(path, O_WRONLY);
}

// A node: passes every message on to its successor. The token is a hop count, one higher
// each time; "stop" goes round once more so that every node ends, normally.
static int node(long next) {
  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  int out = open_mailbox(next);
  char tag[65], body[32], *end;
  for (;;) {
    long from = recv_msg(inbox, tag, body, sizeof body);
    if (!strcmp(body, "stop")) {
      put(out, "stop", "pass stop");
      return 0;
    }
    long hops = strtol(body, &end, 10);
    if (end == body || *end) fail("unexpected message '%s' from %ld", body, from);
    snprintf(body, sizeof body, "%ld", hops + 1);
    put(out, body, "pass token");
  }
}

int main(int argc, char **argv) {
  if (argc > 2 && !strcmp(argv[1], "node")) {
    me = "ring node";
    return node(strtol(argv[2], NULL, 10));
  }
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
  long m = argc > 2 ? strtol(argv[2], NULL, 10) : 10;
  if (n < 1 || m < 0) fail("usage: ring [PROCESSES] [ROUNDS]");

  // We are node 0. Spawn from the last node back to node 1, so that each node's successor
  // already exists and its pid can be given as an argument; the last node's successor is us.
  // Linked: a node dying abnormally takes the ring down rather than leaving us waiting.
  long self = self_pid(), next = self, last = self;
  char line[64];
  for (long k = n - 1; k >= 1; k--) {
    snprintf(line, sizeof line, "--link ring node %ld", next);
    next = spawn(line);
    if (k == n - 1) last = next;
  }
  int out = open_mailbox(next); // node 1, or ourselves in a ring of one
  int inbox = xopen("/proc/self/mailbox", O_RDONLY);

  // Each round: send the token (hop 1) and wait for it to come back from the last node,
  // which has made it hop n times.
  char tag[65], body[32];
  long messages = 0;
  for (long r = 0; r < m; r++) {
    put(out, "1", "send token");
    long from = recv_msg(inbox, tag, body, sizeof body);
    long hops = strtol(body, NULL, 10);
    if (from != last || hops != n)
      fail("round %ld: token '%s' from %ld, expected %ld hops from %ld", r, body, from, n, last);
    messages += hops;
  }

  // Stop every node: when "stop" is back, each node has passed it on and is ending.
  put(out, "stop", "send stop");
  long from = recv_msg(inbox, tag, body, sizeof body);
  if (from != last || strcmp(body, "stop"))
    fail("expected 'stop' back from %ld, got '%s' from %ld", last, body, from);

  printf("ring: %ld processes, %ld rounds, %ld messages\n", n, m, messages);
  return 0;
}
