// The key-value store from a guest, through plain POSIX calls on /kv (docs/PROTOCOL.md):
// buckets are directories, keys are files, a write then close is one atomic put.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *me = "kvtour";

#include "files.h"

static void put_value(const char *path, const char *value) {
  int fd = xopen(path, O_WRONLY | O_CREAT | O_TRUNC);
  if (write(fd, value, strlen(value)) != (ssize_t)strlen(value)) die(path);
  xclose(fd, path);
}

static const char *get_value(const char *path) {
  static char buf[256];
  int fd = xopen(path, O_RDONLY);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) die(path);
  buf[n] = '\0';
  xclose(fd, path);
  return buf;
}

static void expect_errno(int result, int wanted, const char *what) {
  if (result >= 0) fail("%s: succeeded, expected %s", what, strerror(wanted));
  if (errno != wanted) fail("%s: %s, expected %s", what, strerror(errno), strerror(wanted));
}

int main(void) {
  if (mkdir("/kv/tour", 0755) < 0) die("mkdir /kv/tour");
  expect_errno(mkdir("/kv/tour", 0755), EEXIST, "mkdir again");

  put_value("/kv/tour/greeting", "hello");
  if (strcmp(get_value("/kv/tour/greeting"), "hello")) fail("greeting is not hello");

  // A reader sees the value as of its open; a writer's bytes land whole at close (or fsync).
  int reader = xopen("/kv/tour/greeting", O_RDONLY);
  int writer = xopen("/kv/tour/greeting", O_WRONLY | O_TRUNC);
  if (write(writer, "bonjour", 7) != 7) die("write bonjour");
  if (strcmp(get_value("/kv/tour/greeting"), "hello")) fail("a put showed before its commit");
  if (fsync(writer) < 0) die("fsync");
  if (strcmp(get_value("/kv/tour/greeting"), "bonjour")) fail("fsync did not commit");
  xclose(writer, "writer");
  char old[16] = "";
  if (read(reader, old, sizeof old - 1) != 5 || strcmp(old, "hello"))
    fail("the reader lost its snapshot: '%s'", old);
  xclose(reader, "reader");

  struct stat st;
  if (stat("/kv/tour/greeting", &st) < 0) die("stat");
  if (st.st_size != 7) fail("stat size %lld, expected 7", (long long)st.st_size);

  if (rename("/kv/tour/greeting", "/kv/tour/salut") < 0) die("rename");
  expect_errno(open("/kv/tour/greeting", O_RDONLY), ENOENT, "open the old name");
  put_value("/kv/tour/a", "1");

  // Listing: keys in byte order.
  DIR *dir = opendir("/kv/tour");
  if (!dir) die("opendir");
  char names[64] = "";
  for (struct dirent *e; (e = readdir(dir));) {
    if (e->d_name[0] == '.') continue;
    strcat(names, e->d_name);
    strcat(names, " ");
  }
  closedir(dir);
  if (strcmp(names, "a salut ")) fail("listing is '%s'", names);

  char longname[320] = "/kv/tour/";
  memset(longname + 9, 'x', 300);
  expect_errno(open(longname, O_WRONLY | O_CREAT | O_TRUNC), ENAMETOOLONG, "a 300-byte key");
  expect_errno(rmdir("/kv/tour"), ENOTEMPTY, "rmdir of a full bucket");

  if (unlink("/kv/tour/a") < 0 || unlink("/kv/tour/salut") < 0) die("unlink");
  if (rmdir("/kv/tour") < 0) die("rmdir");
  expect_errno(open("/kv/tour/a", O_RDONLY), ENOENT, "open in a removed bucket");
  printf("kvtour: ok\n");
  return 0;
}
