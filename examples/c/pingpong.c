// Two processes bounce a message N times (default 1000): spawn, send, receive, reply by pid.
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *me = "pingpong";

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
