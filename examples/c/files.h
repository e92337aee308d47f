// The few POSIX helpers every protocol example uses: messages are plain open/read/write on
// files under /proc and /names (docs/PROTOCOL.md). Not an SDK: nothing here but libc calls.
// Include after defining `static const char *me` (the program's name, for error lines).
#ifndef LUNAR_EXAMPLES_FILES_H
#define LUNAR_EXAMPLES_FILES_H
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// Reports a failed call with errno and the platform's own reason (/proc/self/errstr); exits 1.
_Noreturn static inline void die(const char *what) {
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
_Noreturn static inline void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", me);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static inline int xopen(const char *path, int flags) {
  int fd = open(path, flags);
  if (fd < 0) die(path);
  return fd;
}

static inline void xclose(int fd, const char *what) {
  if (close(fd) < 0) die(what);
}

// Sends one message: one write(2) is one message, so never go through stdio.
static inline void put(int fd, const char *msg, const char *what) {
  ssize_t n = write(fd, msg, strlen(msg));
  if (n < 0) die(what);
  if ((size_t)n != strlen(msg)) fail("%s: short write (%zd of %zu)", what, n, strlen(msg));
}

// Spawns a process: one write of the spawn line to /proc/new, then read the new pid back.
static inline long spawn(const char *line) {
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
static inline long recv_msg(int fd, char tag[65], char *body, size_t cap) {
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
static inline long self_pid(void) {
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

// The pid registered under name, or 0 while no process holds it (between incarnations).
static inline long name_pid(const char *name) {
  char path[96], buf[24];
  snprintf(path, sizeof path, "/names/%s/pid", name);
  int fd = open(path, O_RDONLY);
  if (fd < 0 && errno == ENOENT) return 0;
  if (fd < 0) die(path);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0 && (errno == ENOENT || errno == ESRCH)) n = 0; // it ended as we looked
  if (n < 0) die(path);
  buf[n] = '\0';
  xclose(fd, path);
  return strtol(buf, NULL, 10);
}

// True once fd is readable, false after ms milliseconds.
static inline int readable(int fd, int ms) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int r = poll(&p, 1, ms);
  if (r < 0) die("poll");
  return r > 0;
}

#endif
