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

// The pid registered under name, or 0 while no process holds it.
static long name_pid(const char *name) {
  char path[96], buf[24];
  snprintf(path, sizeof path, "/names/%s/pid", name);
  int fd = open(path, O_RDONLY);
  if (fd < 0 && errno == ENOENT) return 0;
  if (fd < 0) die(path);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) die(path);
  buf[n] = '\0';
  xclose(fd, path);
  return strtol(buf, NULL, 10);
}

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
