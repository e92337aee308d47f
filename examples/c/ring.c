// A ring of N processes (default 100) passes a token around M times (default 10).
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *me = "ring";

// Reports a failed call with errno and the platform's own reason (/proc/self/errstr); exits 1.
static _Noreturn void die(const char *what) {
  int err = errno;
  char why[256] = "";
  int fd = open("/proc/self/errstr", O_RDONLY);
  if (fd >= 0) {
    ssize_t n = read(fd, why, sizeof why - 1);
    why[n > 0 ? n : 0] = '\0';
    close(fd);
  }
  why[strcspn(why, "\n")] = '\0';
  fprintf(stderr, "%s: %s: %s%s%s\n", me, what, strerror(err), *why ? ": " : "", why);
  exit(1);
}

// Reports an unexpected result (not a failed call); exits 1.
static _Noreturn void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", me);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static int xopen(const char *path, int flags) {
  int fd = open(path, flags);
  if (fd < 0) die(path);
  return fd;
}

static void xclose(int fd, const char *what) {
  if (close(fd) < 0) die(what);
}

// Sends one message: one write(2) is one message, so never go through stdio.
static void put(int fd, const char *msg, const char *what) {
  ssize_t n = write(fd, msg, strlen(msg));
  if (n < 0) die(what);
  if ((size_t)n != strlen(msg)) fail("%s: short write (%zd of %zu)", what, n, strlen(msg));
}

// Spawns a process: one write of the spawn line to /proc/new, then read the new pid back.
static long spawn(const char *line) {
  int fd = xopen("/proc/new", O_RDWR);
  put(fd, line, line);
  char buf[24];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) die("read /proc/new");
  buf[n] = '\0';
  xclose(fd, "/proc/new");
  char *end;
  long pid = strtol(buf, &end, 10);
  if (end == buf || *end != '\n') fail("%s: bad pid '%s'", line, buf);
  return pid;
}

// Receives one message: returns the sender's pid and fills tag and the NUL-terminated body.
// The header is `<from> <tag> <size>\n`; our messages are small, so one read gets it all.
static long recv_msg(int fd, char tag[65], char *body, size_t cap) {
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) die("read mailbox");
  buf[n] = '\0';
  long from;
  size_t size;
  char *nl = memchr(buf, '\n', n);
  if (!nl || sscanf(buf, "%ld %64s %zu", &from, tag, &size) != 3)
    fail("bad message header: '%.40s'", buf);
  size_t got = n - (nl + 1 - buf);
  if (got != size || size >= cap)
    fail("message of %zu bytes: read %zu, room for %zu", size, got, cap - 1);
  memcpy(body, nl + 1, size);
  body[size] = '\0';
  return from;
}

// Our own pid, from the `pid:` line of /proc/self/status (not `parent:`).
static long self_pid(void) {
  char buf[1024];
  int fd = xopen("/proc/self/status", O_RDONLY);
  ssize_t n, len = 0;
  while ((n = read(fd, buf + len, sizeof buf - 1 - len)) > 0) len += n;
  if (n < 0) die("read /proc/self/status");
  buf[len] = '\0';
  xclose(fd, "/proc/self/status");
  for (char *line = buf; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
    if (!strncmp(line, "pid: ", 5)) return strtol(line + 5, NULL, 10);
  fail("no pid line in /proc/self/status");
}

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
