// The telnet chat of the launch demo, written as Lunar processes that talk through files alone:
//
//   chat serve PORT      the acceptor: takes connections from /net/tcp/PORT/listen and spawns a
//                        client process for each, granted that one connection and nothing more
//   chat lobby SUP       registered as "lobby": makes rooms (under supervisor SUP) and lists them
//   chat room NAME       registered as "room.NAME": its members, and broadcast among them
//   chat client PORT ID  one connection: polls its socket and its mailbox at once
//
// A room that crashes (try /crash) is restarted by the supervisor; its members get a DOWN notice,
// are told, and join the new incarnation. Clients send to rooms and the lobby by writing to their
// mailboxes; rooms answer with messages tagged "out", the lobby with messages tagged "lobby".
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *me = "chat";

#include "files.h"

#define MAX_LINE 512
#define MAX_NICK 20
#define MAX_ROOM 24
#define MAX_ROOMS 64
#define MSG_CAP 8192

// ---- small helpers ----

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void nap_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

// Names of rooms and nicks: 1..max of A-Z a-z 0-9 _ -, so they fit in registered names.
static int valid_name(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n == 0 || n > max) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return 0;
  }
  return 1;
}

// Sends one message (one write); returns -1 with errno set if it could not be sent.
static int sendf(int fd, const char *fmt, ...) {
  char msg[MSG_CAP];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (n < 0) return -1;
  if ((size_t)n >= sizeof msg) n = sizeof msg - 1;
  return write(fd, msg, n) == n ? 0 : -1;
}

// Opens /proc/PID/mailbox, or /proc/PID/tags/TAG, for sending; -1 if that process has gone.
static int open_box(long pid, const char *tag) {
  char path[96];
  if (tag)
    snprintf(path, sizeof path, "/proc/%ld/tags/%s", pid, tag);
  else
    snprintf(path, sizeof path, "/proc/%ld/mailbox", pid);
  return open(path, O_WRONLY);
}

// Sends one message to PID (tagged TAG unless NULL), ignoring a process that has gone.
static void tell(long pid, const char *tag, const char *text) {
  int fd = open_box(pid, tag);
  if (fd < 0) return;
  ssize_t n = write(fd, text, strlen(text));
  (void)n;
  close(fd);
}

// Parses a mailbox header, "FROM TAG SIZE" ending at nl; 0 if it is not one. By hand rather than
// with sscanf: every chat line a member sees passes through here.
static int parse_header(char *buf, char *nl, long *from, char tag[65], size_t *size) {
  char *p = buf, *end;
  *from = strtol(p, &end, 10);
  if (end == p || *end != ' ') return 0;
  p = end + 1;
  char *space = memchr(p, ' ', nl - p);
  if (!space || space == p || space - p > 64) return 0;
  memcpy(tag, p, space - p);
  tag[space - p] = '\0';
  *size = strtoul(space + 1, &end, 10);
  return end == nl;
}

// Receives one message: fills from, tag and the NUL-terminated body (cut to cap - 1 bytes; the
// rest of a longer message is read and dropped). Returns the body's length.
static size_t receive(int fd, long *from, char tag[65], char *body, size_t cap) {
  static char buf[MSG_CAP + 128];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) die("read mailbox");
  buf[n] = '\0';
  char *nl = memchr(buf, '\n', n);
  size_t size;
  if (!nl || !parse_header(buf, nl, from, tag, &size)) fail("bad header '%.40s'", buf);
  size_t got = n - (nl + 1 - buf);
  size_t keep = got < cap - 1 ? got : cap - 1;
  memcpy(body, nl + 1, keep);
  body[keep] = '\0';
  while (got < size) {  // the rest of a message longer than our buffer
    n = read(fd, buf, sizeof buf);
    if (n <= 0) die("read mailbox");
    got += n;
  }
  return keep;
}

// Spawns a process; -1 with errno set (and the reason in /proc/self/errstr) if it failed.
static long try_spawn(const char *line) {
  int fd = open("/proc/new", O_RDWR);
  if (fd < 0) return -1;
  if (write(fd, line, strlen(line)) < 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  char buf[24];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  return strtol(buf, NULL, 10);
}

// ---- the acceptor ----

static int serve(const char *port) {
  me = "chat serve";
  // Rooms and the lobby live under a supervisor linked to us: if it gives up, so do we, and
  // whoever supervises us starts the chat again.
  long sup = spawn("--link supervisor --strategy one_for_one --max-restarts 20 --within 10");
  char line[256];
  snprintf(line, sizeof line,
           "--supervisor %ld --name lobby --grant /proc:rw --grant /names:ro chat lobby %ld", sup,
           sup);
  // A lobby of an earlier incarnation may still hold the name for a moment.
  for (long since = now_ms(); try_spawn(line) < 0;) {
    if (errno != EEXIST || now_ms() - since > 5000) die("spawn lobby");
    nap_ms(10);
  }
  char path[64];
  snprintf(path, sizeof path, "/net/tcp/%s/listen", port);
  int listen = xopen(path, O_RDONLY);
  for (;;) {
    char id[32];
    ssize_t n = read(listen, id, sizeof id - 1);
    if (n <= 0) die(path);
    id[n] = '\0';
    id[strcspn(id, "\n")] = '\0';
    // The client gets its connection and read access to /names (to find rooms), nothing else.
    snprintf(line, sizeof line, "--grant /net/tcp/%s/%s:rw --grant /names:ro chat client %s %s",
             port, id, port, id);
    if (try_spawn(line) < 0) {  // hang up rather than leave the caller waiting
      fprintf(stderr, "chat serve: cannot start a client for connection %s: %s\n", id,
              strerror(errno));
      snprintf(path, sizeof path, "/net/tcp/%s/%s/ctl", port, id);
      int ctl = open(path, O_WRONLY);
      if (ctl >= 0) {
        sendf(ctl, "close\n");
        close(ctl);
      }
    }
  }
}

// ---- the lobby ----

static struct {
  char name[MAX_ROOM + 1];
  int members;  // -1: not known (the lobby restarted since the room last said)
} rooms[MAX_ROOMS];
static int nrooms;

static int find_room(const char *name) {
  for (int i = 0; i < nrooms; i++)
    if (!strcmp(rooms[i].name, name)) return i;
  return -1;
}

static void add_room(const char *name, int members) {
  if (nrooms < MAX_ROOMS && find_room(name) < 0) {
    snprintf(rooms[nrooms].name, sizeof rooms[nrooms].name, "%s", name);
    rooms[nrooms++].members = members;
  }
}

static int lobby(long sup) {
  me = "chat lobby";
  // A new incarnation finds the rooms of the old one by their names.
  DIR *names = opendir("/names");
  if (!names) die("/names");
  for (struct dirent *e; (e = readdir(names));)
    if (!strncmp(e->d_name, "room.", 5)) add_room(e->d_name + 5, -1);
  closedir(names);

  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  char tag[65], body[MSG_CAP], reply[MSG_CAP], line[256];
  for (;;) {
    long from;
    receive(inbox, &from, tag, body, sizeof body);
    char arg[MAX_LINE];
    int members;
    if (sscanf(body, "count %31s %d", arg, &members) == 2) {
      int i = find_room(arg);
      if (i >= 0) rooms[i].members = members;
    } else if (sscanf(body, "open %511s", arg) == 1) {
      if (!valid_name(arg, MAX_ROOM)) {
        snprintf(reply, sizeof reply, "err room names are 1-%d of A-Z a-z 0-9 _ -", MAX_ROOM);
      } else if (find_room(arg) >= 0) {
        snprintf(reply, sizeof reply, "ok %s", arg);
      } else if (nrooms == MAX_ROOMS) {
        snprintf(reply, sizeof reply, "err there are %d rooms already", MAX_ROOMS);
      } else {
        // Rooms need no grant at all: they only send to mailboxes and watch their members.
        snprintf(line, sizeof line,
                 "--supervisor %ld --restart transient --name room.%s --grant none chat room %s",
                 sup, arg, arg);
        if (try_spawn(line) < 0 && errno != EEXIST) {
          snprintf(reply, sizeof reply, "err cannot make room %s: %s", arg, strerror(errno));
        } else {
          add_room(arg, 0);
          snprintf(reply, sizeof reply, "ok %s", arg);
        }
      }
      tell(from, "lobby", reply);
    } else if (!strcmp(body, "list")) {
      size_t len = 0;
      if (nrooms == 0) len = snprintf(reply, sizeof reply, "*** no rooms yet: /join general");
      for (int i = 0; i < nrooms && len < sizeof reply - 64; i++) {
        len += snprintf(reply + len, sizeof reply - len, "%s#%s", i ? "\n" : "*** rooms:\n",
                        rooms[i].name);
        if (rooms[i].members >= 0)
          len += snprintf(reply + len, sizeof reply - len, " (%d)", rooms[i].members);
      }
      tell(from, "lobby", reply);
    } else {
      fprintf(stderr, "chat lobby: ignoring '%.60s' from %ld\n", body, from);
    }
  }
}

// ---- a room ----

struct member {
  long pid;
  int fd;  // its mailbox, tag "out", open for the member's stay
  char nick[MAX_NICK + 1];
};
static struct member *members;
static int nmembers, member_cap;

static int find_member(long pid) {
  for (int i = 0; i < nmembers; i++)
    if (members[i].pid == pid) return i;
  return -1;
}

// Sends text to every member but one (pid 0: to all).
static void broadcast(long except, const char *text) {
  size_t len = strlen(text);
  for (int i = 0; i < nmembers; i++) {
    if (members[i].pid == except) continue;
    ssize_t n = write(members[i].fd, text, len);  // a full or gone mailbox: that member misses it
    (void)n;
  }
}

static void remove_member(int i) {
  close(members[i].fd);
  members[i] = members[--nmembers];
}

static void report_count(const char *room) {
  char msg[64];
  snprintf(msg, sizeof msg, "count %s %d", room, nmembers);
  int fd = open("/names/lobby/mailbox", O_WRONLY);  // the lobby may be restarting: no matter
  if (fd >= 0) {
    ssize_t n = write(fd, msg, strlen(msg));
    (void)n;
    close(fd);
  }
}

static int room(const char *name) {
  me = "chat room";
  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  int ctl = xopen("/proc/self/ctl", O_WRONLY);
  report_count(name);
  char tag[65], body[MSG_CAP], text[MSG_CAP], arg[MAX_LINE + 1];
  for (;;) {
    long from;
    receive(inbox, &from, tag, body, sizeof body);
    int i = find_member(from);
    if (!strcmp(tag, "DOWN")) {
      // A member's process ended: its monitor's notice comes from it, "<pid> <reason>". (One
      // that only says so, alive, takes itself out.) Others: a member that has left already.
      if (i < 0 || strtol(body, NULL, 10) != from) continue;
      snprintf(text, sizeof text, "*** %s left (connection lost)", members[i].nick);
      remove_member(i);
      report_count(name);
      broadcast(0, text);
    } else if (sscanf(body, "join %20s", arg) == 1) {
      if (i < 0) {
        int fd = open_box(from, "out");
        if (fd < 0) continue;  // gone already
        if (sendf(ctl, "monitor %ld\n", from) < 0) {
          close(fd);
          continue;
        }
        if (nmembers == member_cap) {
          member_cap = member_cap ? 2 * member_cap : 16;
          members = realloc(members, member_cap * sizeof *members);
          if (!members) fail("out of memory for %d members", member_cap);
        }
        i = nmembers++;
        members[i].pid = from;
        members[i].fd = fd;
      }
      snprintf(members[i].nick, sizeof members[i].nick, "%s", arg);
      report_count(name);  // before anyone hears of the join, so a /list after it counts it
      size_t len = snprintf(text, sizeof text, "*** you are in #%s with %d here:", name, nmembers);
      for (int k = 0, shown = 0; k < nmembers; k++) {
        if (shown == 10) {
          len += snprintf(text + len, sizeof text - len, " and %d more", nmembers - 10);
          break;
        }
        len += snprintf(text + len, sizeof text - len, " %s", members[k].nick);
        shown++;
      }
      ssize_t n = write(members[i].fd, text, len);
      (void)n;
      snprintf(text, sizeof text, "*** %s joined #%s", arg, name);
      broadcast(from, text);
    } else if (i < 0) {
      continue;  // not a member (any more): nothing it says goes out
    } else if (!strncmp(body, "say ", 4)) {
      snprintf(text, sizeof text, "<%s> %s", members[i].nick, body + 4);
      broadcast(from, text);
    } else if (sscanf(body, "nick %20s", arg) == 1) {
      snprintf(text, sizeof text, "*** %s is now %s", members[i].nick, arg);
      snprintf(members[i].nick, sizeof members[i].nick, "%s", arg);
      broadcast(from, text);
    } else if (!strcmp(body, "leave")) {
      snprintf(text, sizeof text, "*** %s left #%s", members[i].nick, name);
      sendf(ctl, "demonitor %ld\n", from);
      remove_member(i);
      report_count(name);
      broadcast(0, text);
    } else if (!strcmp(body, "crash")) {
      __builtin_trap();  // on purpose: the supervisor restarts the room, its members rejoin
    }
  }
}

// ---- a client: one connection ----

static int data = -1;      // the connection
static char nick[MAX_NICK + 1];
static char room_name[MAX_ROOM + 1];  // the room we are in, or are joining; "" for none
static long room_pid;                 // its process once joined; 0 while joining
static int room_fd = -1;              // its mailbox
static long asked_at;                 // when we last asked the lobby for the room

// Writes n bytes to the connection. Its data file is non-blocking, so a peer that lets more than
// the node's 256 KiB pile up unread gets EAGAIN: it is dropped (an IRC server's "SendQ exceeded"),
// rather than leaving this client blocked while its mailbox fills with the room's talk. A
// connection that has gone ends the client too.
static void send_out(const char *bytes, size_t n) {
  if (write(data, bytes, n) >= 0) return;
  if (errno == EAGAIN) fprintf(stderr, "chat client: %s reads too slowly; dropped\n", nick);
  exit(0);  // our files close with us, and so does the connection
}

// Writes a line to the connection.
static void out(const char *fmt, ...) {
  char line[MSG_CAP + 2];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 2, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n > sizeof line - 3) n = sizeof line - 3;
  line[n++] = '\r';
  line[n++] = '\n';
  send_out(line, n);
}

// Writes text of several \n-separated lines to the connection, each ending in \r\n, in one write;
// empty lines are left out. No printf: every chat line a member sees comes this way.
static void out_lines(const char *text) {
  static char buf[MSG_CAP + MSG_CAP / 2];
  size_t n = 0;
  for (const char *line = text; *line;) {
    const char *eol = strchr(line, '\n');
    size_t len = eol ? (size_t)(eol - line) : strlen(line);
    size_t room = sizeof buf - n >= 2 ? sizeof buf - n - 2 : 0;
    if (len > room) len = room;
    if (len > 0) {
      memcpy(buf + n, line, len);
      n += len;
      buf[n++] = '\r';
      buf[n++] = '\n';
    }
    if (!eol || room == 0) break;
    line = eol + 1;
  }
  if (n > 0) send_out(buf, n);
}

// Sends a request to the lobby and waits (up to 10 s: it may have many to answer) for its
// answer; 0 if there was none.
static int ask_lobby(int answers, const char *request, char *reply, size_t cap) {
  int fd = open("/names/lobby/mailbox", O_WRONLY);
  if (fd < 0) return 0;  // the lobby is being restarted
  int sent = write(fd, request, strlen(request)) >= 0;
  close(fd);
  if (!sent || !readable(answers, 10000)) return 0;
  long from;
  char tag[65];
  receive(answers, &from, tag, reply, cap);
  return 1;
}

static void leave_room(void) {
  if (room_fd >= 0) {
    sendf(room_fd, "leave");
    close(room_fd);
  }
  room_fd = -1;
  room_pid = 0;
  room_name[0] = '\0';
}

// While joining: once the room's process is registered, join it and watch it.
static void try_join(int answers) {
  char name[MAX_ROOM + 8], reply[256];
  snprintf(name, sizeof name, "room.%s", room_name);
  long pid = name_pid(name);
  if (!pid) {  // between two incarnations, or the lobby lost it: ask again now and then
    if (now_ms() - asked_at > 1000) {
      snprintf(reply, sizeof reply, "open %s", room_name);
      asked_at = now_ms();
      ask_lobby(answers, reply, reply, sizeof reply);
    }
    return;
  }
  int fd = open_box(pid, NULL);
  int ctl = fd < 0 ? -1 : open("/proc/self/ctl", O_WRONLY);
  if (ctl < 0 || sendf(ctl, "monitor %ld\n", pid) < 0 || sendf(fd, "join %s", nick) < 0) {
    if (fd >= 0) close(fd);  // it ended as we looked: try again
    if (ctl >= 0) close(ctl);
    return;
  }
  close(ctl);
  room_fd = fd;
  room_pid = pid;
}

static void command(char *line, int answers) {
  char arg[MAX_LINE + 1], reply[MSG_CAP], request[64];
  if (!strncmp(line, "/nick", 5) && (line[5] == ' ' || !line[5])) {
    if (sscanf(line + 5, "%512s", arg) != 1 || !valid_name(arg, MAX_NICK)) {
      out("*** nicks are 1-%d of A-Z a-z 0-9 _ -", MAX_NICK);
      return;
    }
    snprintf(nick, sizeof nick, "%s", arg);
    if (room_fd >= 0) sendf(room_fd, "nick %s", nick);
    out("*** you are now %s", nick);
  } else if (!strncmp(line, "/join", 5) && (line[5] == ' ' || !line[5])) {
    if (sscanf(line + 5, " #%512s", arg) != 1 && sscanf(line + 5, "%512s", arg) != 1) {
      out("*** /join ROOM");
      return;
    }
    if (!strcmp(arg, room_name)) {
      out("*** you are in #%s already", arg);
      return;
    }
    snprintf(request, sizeof request, "open %.40s", arg);
    if (!ask_lobby(answers, request, reply, sizeof reply)) {
      out("*** the lobby did not answer; try again");
    } else if (strncmp(reply, "ok ", 3)) {
      out("*** %s", reply + (strncmp(reply, "err ", 4) ? 0 : 4));
    } else {
      leave_room();
      snprintf(room_name, sizeof room_name, "%s", arg);
      asked_at = now_ms();
      try_join(answers);
    }
  } else if (!strcmp(line, "/list")) {
    if (!ask_lobby(answers, "list", reply, sizeof reply))
      out("*** the lobby did not answer; try again");
    else
      out_lines(reply);
  } else if (!strcmp(line, "/quit")) {
    out("*** bye");
    leave_room();
    exit(0);  // our files close with us, and so does the connection
  } else if (!strcmp(line, "/crash")) {
    if (room_fd < 0)
      out("*** you are in no room");
    else
      sendf(room_fd, "crash");
  } else if (!strcmp(line, "/help")) {
    out("*** /nick NAME  /join ROOM  /list  /quit  (and /crash: crash your room, to watch it "
        "come back)");
  } else {
    out("*** unknown command %.40s: try /help", line);
  }
}

static void said(char *line, int answers) {
  if (line[0] == '/') {
    command(line, answers);
  } else if (!line[0]) {
    return;
  } else if (room_fd >= 0) {
    sendf(room_fd, "say %s", line);
  } else if (room_name[0]) {
    out("*** (rejoining #%s: say it again in a moment)", room_name);
  } else {
    out("*** you are in no room: /join general");
  }
}

static int client(const char *port, const char *id) {
  me = "chat client";
  char path[96];
  snprintf(path, sizeof path, "/net/tcp/%s/%s/data", port, id);
  data = xopen(path, O_RDWR | O_NONBLOCK);
  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  int answers = xopen("/proc/self/tags/lobby", O_RDONLY);
  snprintf(nick, sizeof nick, "guest%s", id);
  out("*** welcome to the Lunar chat, %s: each of us is a wasm process", nick);
  out("*** /nick NAME  /join ROOM  /list  /quit");

  char line[MAX_LINE + 1], buf[1024];
  size_t len = 0;
  int skip = 0;  // bytes of a telnet command still to drop
  for (;;) {
    struct pollfd p[2] = {{.fd = data, .events = POLLIN}, {.fd = inbox, .events = POLLIN}};
    int joining = room_name[0] && room_fd < 0;
    if (poll(p, 2, joining ? 20 : -1) < 0) die("poll");
    if (p[1].revents) {
      long from;
      char tag[65], body[MSG_CAP];
      receive(inbox, &from, tag, body, sizeof body);
      if (!strcmp(tag, "out")) {
        out_lines(body);
      } else if (!strcmp(tag, "DOWN") && from == room_pid && room_pid) {
        char *reason = strchr(body, ' ');
        out("*** #%s crashed (%s) and is being restarted; rejoining", room_name,
            reason ? reason + 1 : "?");
        close(room_fd);
        room_fd = -1;
        room_pid = 0;
        asked_at = now_ms();
      }
    }
    if (p[0].revents) {
      ssize_t n = read(data, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EAGAIN)) {  // the peer hung up (EAGAIN: nothing yet)
        leave_room();
        return 0;
      }
      for (ssize_t k = 0; k < n; k++) {
        unsigned char c = buf[k];
        if (skip) {
          skip--;
        } else if (c == 255) {  // telnet IAC: a command of three bytes
          skip = 2;
        } else if (c == '\n') {
          line[len] = '\0';
          said(line, answers);
          len = 0;
        } else if (c >= 32 && len < MAX_LINE) {
          line[len++] = c;
        }
      }
    }
    if (room_name[0] && room_fd < 0) try_join(answers);
  }
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "serve")) return serve(argv[2]);
  if (argc == 3 && !strcmp(argv[1], "lobby")) return lobby(strtol(argv[2], NULL, 10));
  if (argc == 3 && !strcmp(argv[1], "room")) return room(argv[2]);
  if (argc == 4 && !strcmp(argv[1], "client")) return client(argv[2], argv[3]);
  fprintf(stderr, "usage: chat serve PORT | lobby SUP | room NAME | client PORT ID\n");
  return 2;
}
