// A word-count service whose counts live in the key-value store, so they outlast the node.
//
//   wordcount serve [BUCKET]   registers as "wordcount"; every message's words are counted into
//                              /kv/BUCKET/<word> (default bucket "words"); a message tagged
//                              "stop" ends it.
//   wordcount [BUCKET]         a client: sends its standard input to the service (starting one
//                              if none is registered), then prints the count of each word it
//                              sent, read back from /kv.
//
// From the host, with the tree mounted: `echo "the cat and the hat" > names/wordcount/mailbox`,
// then `cat kv/words/the`.
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *me = "wordcount";

#include "files.h"

#define MAX_WORD 64

// The count stored for `word`, 0 if it has none yet.
static long get_count(const char *bucket, const char *word) {
  char path[128], text[32];
  snprintf(path, sizeof path, "/kv/%s/%s", bucket, word);
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    if (errno == ENOENT) return 0;
    die(path);
  }
  ssize_t n = read(fd, text, sizeof text - 1);
  if (n < 0) die(path);
  text[n] = '\0';
  xclose(fd, path);
  return atol(text);
}

// Stores a count: the value is put atomically when close() returns 0, and is then on disk.
static void set_count(const char *bucket, const char *word, long count) {
  char path[128], text[32];
  snprintf(path, sizeof path, "/kv/%s/%s", bucket, word);
  int fd = xopen(path, O_WRONLY | O_CREAT | O_TRUNC);
  int len = snprintf(text, sizeof text, "%ld\n", count);
  if (write(fd, text, len) != len) die(path);
  xclose(fd, path);
}

// Calls `each` for every word of `text`: runs of letters and digits, lowercased, at most
// MAX_WORD long (longer ones are cut).
static void words(char *text, void (*each)(const char *word, void *arg), void *arg) {
  char word[MAX_WORD + 1];
  size_t len = 0;
  for (char *p = text;; p++) {
    if (*p && isalnum((unsigned char)*p)) {
      if (len < MAX_WORD) word[len++] = (char)tolower((unsigned char)*p);
    } else {
      if (len > 0) {
        word[len] = '\0';
        each(word, arg);
        len = 0;
      }
      if (!*p) return;
    }
  }
}

static void count_word(const char *word, void *bucket) {
  set_count(bucket, word, get_count(bucket, word) + 1);
}

static void print_word(const char *word, void *bucket) {
  printf("%s %ld\n", word, get_count(bucket, word));
}

static int serve(const char *bucket) {
  char path[80];
  snprintf(path, sizeof path, "/kv/%s", bucket);
  if (mkdir(path, 0755) < 0 && errno != EEXIST) die(path);
  int ctl = xopen("/proc/self/ctl", O_WRONLY);
  put(ctl, "register wordcount\n", "register wordcount");
  xclose(ctl, "/proc/self/ctl");
  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  static char body[65536];
  char tag[65];
  for (;;) {
    long from = recv_msg(inbox, tag, body, sizeof body);
    if (!strcmp(tag, "stop")) return 0;
    words(body, count_word, (void *)bucket);
    if (!strcmp(tag, "ack")) {
      // The sender wants to know when its words are counted (and on disk).
      snprintf(path, sizeof path, "/proc/%ld/mailbox", from);
      int out = xopen(path, O_WRONLY);
      put(out, "counted", "send ack");
      xclose(out, path);
    }
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "serve")) {
    me = "wordcount serve";
    return serve(argc > 2 ? argv[2] : "words");
  }
  const char *bucket = argc > 1 ? argv[1] : "words";
  static char text[65536];
  size_t len = fread(text, 1, sizeof text - 1, stdin);
  text[len] = '\0';
  if (!name_pid("wordcount")) {
    char line[96];
    snprintf(line, sizeof line, "wordcount serve %s", bucket);
    spawn(line);
    for (int tries = 0; !name_pid("wordcount"); tries++) {
      if (tries == 500) fail("no /names/wordcount after 5 s");
      struct timespec nap = {0, 10 * 1000000L};
      if (nanosleep(&nap, NULL) < 0) die("nanosleep");
    }
  }
  int svc = xopen("/names/wordcount/tags/ack", O_WRONLY);
  if (write(svc, text, len) != (ssize_t)len) die("send to wordcount");
  xclose(svc, "/names/wordcount/tags/ack");
  int inbox = xopen("/proc/self/mailbox", O_RDONLY);
  char tag[65], body[16];
  recv_msg(inbox, tag, body, sizeof body);
  words(text, print_word, (void *)bucket);
  return 0;
}
