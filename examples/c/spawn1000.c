// Acceptance test: N live processes (default 1000), half linked, half monitored, all ends reported.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *me = "spawn1000";

#include "files.h"

// What each child is expected to end with: even ones normally, odd ones with exit(3).
static const char *reason_of(long i) { return i % 2 ? "exit 3" : "normal"; }

// A child: says hello to the parent by name, waits for "bye", then ends as reason_of says.
static int child(long i) {
  char msg[48], tag[65], body[64];
  snprintf(msg, sizeof msg, "hello %ld", self_pid());
  int parent = xopen("/names/spawner/mailbox", O_WRONLY);
  put(parent, msg, "send hello");
  xclose(parent, "/names/spawner/mailbox");
  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  // Should the parent fail, do not wait for ever: a monitored child outlives it.
  if (!readable(inbox, 60000)) fail("child %ld: no bye after 60 s", i);
  long from = recv_msg(inbox, tag, body, sizeof body);
  if (strcmp(body, "bye")) fail("child %ld: expected 'bye', got '%s' from %ld", i, body, from);
  exit(i % 2 ? 3 : 0);
}

int main(int argc, char **argv) {
  if (argc > 2 && !strcmp(argv[1], "child")) {
    me = "spawn1000 child";
    return child(strtol(argv[2], NULL, 10));
  }
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  if (n < 2) fail("usage: spawn1000 [CHILDREN >= 2]");
  long half = n / 2; // children 0..half-1 are linked, the others monitored

  // Named, so children find us; trapping exits, so linked children's ends come as EXIT notices
  // (and an exit 3 does not take us down). Both commands in one write.
  int ctl = xopen("/proc/self/ctl", O_WRONLY);
  put(ctl, "register spawner\ntrap-exits on\n", "register spawner, trap-exits on");
  xclose(ctl, "/proc/self/ctl");

  long *pid = calloc(n, sizeof *pid);
  char *hello = calloc(n, 1), *ended = calloc(n, 1);
  if (!pid || !hello || !ended) fail("out of memory");
  char line[64], path[48];
  for (long i = 0; i < n; i++) {
    snprintf(line, sizeof line, "%s spawn1000 child %ld", i < half ? "--link" : "--monitor", i);
    pid[i] = spawn(line);
  }
  // Open the exit files of two children now, while they surely run; read them at the end.
  int exitfd[2];
  for (int k = 0; k < 2; k++) {
    snprintf(path, sizeof path, "/proc/%ld/exit", pid[k]);
    exitfd[k] = xopen(path, O_RDONLY);
  }

  // One loop takes everything from the mailbox: hellos (untagged), EXIT and DOWN notices.
  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  long hellos = 0, exits = 0, downs = 0, bad = 0;
  char tag[65], body[128], *rest;
  while (hellos < n || exits + downs < n) {
    if (!readable(inbox, 30000))
      fail("timed out after 30 s: %ld hellos, %ld EXIT, %ld DOWN of %ld", hellos, exits, downs, n);
    long from = recv_msg(inbox, tag, body, sizeof body);
    long i = 0;
    while (i < n && pid[i] != from) i++;
    if (i == n) fail("%s message '%s' from %ld, not one of our children", tag, body, from);
    if (!strcmp(tag, "-")) {
      if (strncmp(body, "hello ", 6) || strtol(body + 6, NULL, 10) != from || hello[i])
        fail("child %ld (%ld): unexpected message '%s'", i, from, body);
      hello[i] = 1;
      // All n are alive at once now: let them go.
      if (++hellos == n)
        for (long j = 0; j < n; j++) {
          snprintf(path, sizeof path, "/proc/%ld/mailbox", pid[j]);
          int fd = xopen(path, O_WRONLY);
          put(fd, "bye", "send bye");
          xclose(fd, path);
        }
      continue;
    }
    // A notice: body `<pid> <reason>`, from the pid that ended.
    const char *want = i < half ? "EXIT" : "DOWN";
    if (strcmp(tag, "EXIT") && strcmp(tag, "DOWN"))
      fail("unexpected %s message '%s' from %ld", tag, body, from);
    if (hellos < n) fail("child %ld (%ld) ended before its bye: %s %s", i, from, tag, body);
    if (ended[i]) fail("child %ld (%ld): a second notice: %s %s", i, from, tag, body);
    ended[i] = 1;
    if (!strcmp(tag, "EXIT")) exits++;
    else downs++;
    long who = strtol(body, &rest, 10);
    if (who != from || *rest != ' ' || strcmp(tag, want) || strcmp(rest + 1, reason_of(i))) {
      fprintf(stderr, "spawn1000: child %ld (%ld): got %s '%s', expected %s '%ld %s'\n", i, from,
              tag, body, want, from, reason_of(i));
      bad++;
    }
  }
  if (exits != half || downs != n - half) fail("%ld EXIT and %ld DOWN notices", exits, downs);

  // The same ends, seen through /proc/<pid>/exit.
  for (int k = 0; k < 2; k++) {
    char why[64];
    if (!readable(exitfd[k], 5000)) fail("/proc/%ld/exit not readable after its notice", pid[k]);
    ssize_t len = read(exitfd[k], why, sizeof why - 1);
    if (len < 0) die("read exit");
    why[len] = '\0';
    xclose(exitfd[k], "exit");
    why[strcspn(why, "\n")] = '\0';
    if (strcmp(why, reason_of(k))) {
      fprintf(stderr, "spawn1000: /proc/%ld/exit says '%s', expected '%s'\n", pid[k], why,
              reason_of(k));
      bad++;
    }
  }

  printf("spawn1000: %ld children, %ld hellos, %ld EXIT, %ld DOWN, %s\n", n, hellos, exits, downs,
         bad ? "FAILED" : "ok");
  return bad ? 1 : 0;
}
