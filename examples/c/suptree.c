// A supervision tree: a supervisor restarts a crashing worker, and gives up on a crash loop.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *me = "suptree";

#include "files.h"

// Makes worker1 trap. Sent by name: whichever incarnation holds the name gets it.
static void crash_worker1(void) {
  int fd = xopen("/names/worker1/mailbox", O_WRONLY);
  put(fd, "crash", "send crash");
  xclose(fd, "/names/worker1/mailbox");
}

// Waits for worker1 to be registered under a pid other than old, and returns it; returns 0
// if the supervisor went down instead (its DOWN notice is then waiting on the down fd).
static long wait_restart(long old, int down) {
  for (int waited = 0; waited < 5000; waited += 10) {
    long pid = name_pid("worker1");
    if (pid && pid != old) return pid;
    if (readable(down, 10)) return 0; // the poll is also our 10 ms sleep
  }
  fail("worker1 (%ld) was not restarted within 5 s", old);
}

static long sup;

// On a failure, take the tree down with us rather than leave it running. Errors are ignored:
// on success the supervisor has ended already (ESRCH), and there is nothing left to report.
static void kill_supervisor(void) {
  char path[48];
  snprintf(path, sizeof path, "/proc/%ld/ctl", sup);
  int fd = open(path, O_WRONLY);
  if (fd < 0) return;
  ssize_t n = write(fd, "kill\n", 5);
  (void)n;
  close(fd);
}

// The worker: its name comes from the spawn line (--name); it traps on "crash", ends on "stop".
static int worker(void) {
  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  char tag[65], body[64];
  for (;;) {
    long from = recv_msg(inbox, tag, body, sizeof body);
    if (!strcmp(body, "crash")) __builtin_trap(); // an abnormal end: reason "trap: ..."
    if (!strcmp(body, "stop")) return 0;
    fprintf(stderr, "suptree worker: ignoring '%s' from %ld\n", body, from);
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "worker")) {
    me = "suptree worker";
    return worker();
  }
  // Monitored, not linked: we want its DOWN notice, not to die with it.
  sup = spawn("--monitor supervisor --strategy one_for_one --max-restarts 3 --within 5");
  if (atexit(kill_supervisor)) fail("atexit");
  char line[128];
  const char *fmt = "--supervisor %ld --restart permanent --name %s suptree worker";
  snprintf(line, sizeof line, fmt, sup, "worker1");
  long w1 = spawn(line);
  snprintf(line, sizeof line, fmt, sup, "worker2");
  long w2 = spawn(line);
  printf("supervisor %ld started worker1 %ld and worker2 %ld\n", sup, w1, w2);
  // --name registers a child before it runs, so the names are there already.
  if (name_pid("worker1") != w1 || name_pid("worker2") != w2)
    fail("/names/worker1 is %ld, /names/worker2 %ld", name_pid("worker1"), name_pid("worker2"));

  int down = xopen("/proc/self/tags/DOWN", O_RDONLY);

  // One crash: the supervisor starts a new incarnation, which registers as worker1 again.
  crash_worker1();
  long now = wait_restart(w1, down);
  if (!now) fail("the supervisor went down after a single crash");
  printf("worker1 crashed and was restarted: %ld -> %ld\n", w1, now);
  if (name_pid("worker2") != w2) fail("one_for_one, yet worker2 is now %ld", name_pid("worker2"));
  printf("worker2 untouched (one_for_one)\n");

  // Crash it again and again: a 4th restart within 5 s is beyond --max-restarts 3.
  int crashes = 1;
  while (now) {
    if (crashes == 10) fail("the supervisor is still up after %d crashes", crashes);
    crash_worker1();
    crashes++;
    now = wait_restart(now, down);
    if (now) printf("crash %d: restarted as %ld\n", crashes, now);
  }

  // The supervisor's DOWN notice: from its pid, body `<pid> <reason>`.
  char tag[65], body[256], *reason;
  long from = recv_msg(down, tag, body, sizeof body);
  long pid = strtol(body, &reason, 10);
  if (from != sup || pid != sup || *reason != ' ')
    fail("unexpected %s notice from %ld: '%s'", tag, from, body);
  reason++;
  printf("supervisor %ld went down after %d crashes: %s\n", sup, crashes, reason);
  if (strcmp(reason, "restart limit reached")) fail("expected reason 'restart limit reached'");
  if (crashes < 4) fail("the supervisor gave up after %d crashes, 3 restarts allowed", crashes);

  // Giving up, it stops all its children: worker2 must have ended too.
  char path[48], why[128];
  snprintf(path, sizeof path, "/proc/%ld/exit", w2);
  int ex = xopen(path, O_RDONLY);
  if (!readable(ex, 5000)) fail("worker2 (%ld) still running after its supervisor ended", w2);
  ssize_t n = read(ex, why, sizeof why - 1);
  if (n < 0) die(path);
  why[n] = '\0';
  xclose(ex, path);
  printf("worker2 %ld was stopped too: %.*s\n", w2, (int)strcspn(why, "\n"), why);
  printf("suptree: ok\n");
  return 0;
}
