package dev.lunar.fs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link TestTree} mounted for real and driven by bash: what the host's programs see and what
 * they print when the tree says no. Fails, not skips, where FUSE is missing (scripts/setup installs
 * it).
 */
@Timeout(120)
class FuseMountTest {
  @TempDir Path tmp;
  TestTree tree;
  FuseMount mount;
  Path m;
  Bash bash;

  @BeforeEach
  void mount() throws Exception {
    tree = new TestTree(1_000_000);
    m = Files.createDirectory(tmp.resolve("mnt"));
    mount = FuseMount.mount(tree.root, m, FuseOptions.defaults().withAutoUnmount(false));
    bash = new Bash(m, Files.createDirectory(tmp.resolve("scratch")));
  }

  @AfterEach
  void unmount() {
    if (mount != null) {
      mount.close();
    }
  }

  @Test
  void listsAndReadsTheTree() throws Exception {
    assertEquals(
        "big\ncached\nlive.txt\nmailbox\nnotes\nreadonly.txt\nslow\nstatic.txt\n",
        bash.run("ls \"$M\"").ok().out());
    assertEquals("hello, static\n", bash.run("cat \"$M/static.txt\"").ok().out());
    assertEquals(". .. big cached", bash.run("ls -a \"$M\" | head -4 | xargs").ok().out().strip());
  }

  @Test
  void statShowsSizeModeOwnerAndAStableInode() throws Exception {
    String uid = bash.run("id -u").ok().out().strip();
    String gid = bash.run("id -g").ok().out().strip();
    String ino = Long.toUnsignedString(Inodes.childIno(Inodes.ROOT, "static.txt"));
    String expected = "14 644 " + uid + " " + gid + " " + ino + " regular file\n";
    String format = "stat -c '%s %a %u %g %i %F' \"$M/static.txt\"";
    assertEquals(expected, bash.run(format).ok().out());
    assertEquals(expected, bash.run(format).ok().out());
    assertEquals("directory 755\n", bash.run("stat -c '%F %a' \"$M/notes\"").ok().out());
  }

  /**
   * With allow_other, another user (nobody, here) may read what others may read and change nothing:
   * through a real node's /proc/new it could otherwise spawn guests with our files.
   */
  @Test
  void withAllowOtherOtherUsersMayOnlyRead() throws Exception {
    mount.close();
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    mount = FuseMount.mount(tree.root, m, FuseOptions.defaults().withAllowOther(true));
    bash.run("echo mine > \"$M/notes/a\"").ok();
    String nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups -- bash -c ";
    assertEquals("hello, static\n", bash.run(nobody + "'cat \"$M/static.txt\"'").ok().out());
    assertEquals("mine\n", bash.run(nobody + "'cat \"$M/notes/a\"'").ok().out());
    assertEquals("a\n", bash.run(nobody + "'ls \"$M/notes\"'").ok().out());
    for (String change :
        List.of(
            "echo x > \"$M/notes/a\"",
            "echo x >> \"$M/notes/a\"",
            "echo x > \"$M/notes/b\"",
            "mkdir \"$M/notes/d\"",
            "rm \"$M/notes/a\"",
            "mv \"$M/notes/a\" \"$M/notes/c\"",
            "truncate -s 0 \"$M/notes/a\"",
            "echo hi > \"$M/mailbox\"")) {
      Bash.Result r = bash.run(nobody + "'" + change + "'");
      assertNotEquals(0, r.exit(), change);
      assertTrue(r.err().contains("Permission denied"), change + ": " + r.err());
    }
    assertEquals(Set.of("a"), tree.notes.children.keySet());
    assertEquals("mine\n", ((TestTree.Doc) tree.notes.children.get("a")).text());
    // ls -l says so: no write bit for group or others; the owner (root, here) writes as before.
    assertEquals("644\n", bash.run("stat -c %a \"$M/notes/a\"").ok().out());
    bash.run("echo again >> \"$M/notes/a\"").ok();
    assertEquals("mine\nagain\n", bash.run("cat \"$M/notes/a\"").ok().out());
  }

  /**
   * A program still writing a file when the mount goes (the node stopping) never closed it: what it
   * wrote is not committed, as with a process that crashed, so the file keeps its old contents.
   */
  @Test
  void aFileStillBeingWrittenWhenTheMountGoesKeepsItsOldContents() throws Exception {
    bash.run("echo important > \"$M/notes/cfg\"").ok();
    var doc = (TestTree.Doc) tree.notes.children.get("cfg");
    long opens = mount.stats().get("open");
    Process writer =
        new ProcessBuilder(
                "bash",
                "-c",
                "python3 -c 'import os,sys,time; fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC);"
                    + " os.write(fd, b\"partial\"); time.sleep(60)' \"$0/notes/cfg\"",
                m.toString())
            .start();
    try {
      // It opens the file (truncating it) and writes; the kernel may hold the bytes in its cache,
      // but the truncation is ours to commit or not. (Not dd: it moves its descriptor with dup2
      // and a close, which is a close(2), so a flush.)
      for (int i = 0; i < 3000 && mount.stats().get("open") == opens; i++) {
        Thread.sleep(10);
      }
      assertTrue(mount.stats().get("open") > opens, "the writer never opened the file");
      Thread.sleep(200);
      assertEquals("important\n", doc.text(), "before the unmount");
      mount.close();
      mount = null;
      assertEquals("important\n", doc.text());
    } finally {
      writer.destroyForcibly();
    }
  }

  @Test
  void aMissingFileIsNoSuchFile() throws Exception {
    Bash.Result r = bash.run("cat \"$M/nope\"");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("No such file or directory"), r.err());
    assertTrue(bash.run("ls \"$M/nope/x\"").err().contains("No such file or directory"));
    assertTrue(bash.run("mkdir \"$M/static.txt/x\"").err().contains("Not a directory"));
  }

  @Test
  void aReadOnlyFileRefusesWritingEvenToRoot() throws Exception {
    Bash.Result r = bash.run("echo x > \"$M/readonly.txt\"");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("Permission denied"), r.err());
    assertEquals("do not touch\n", bash.run("cat \"$M/readonly.txt\"").ok().out());
  }

  @Test
  void whatTheTreeDoesNotAllowIsNotPermitted() throws Exception {
    assertTrue(bash.run("rm \"$M/big/f0000001\"").err().contains("Operation not permitted"));
    assertTrue(bash.run("touch \"$M/big/new\"").err().contains("Operation not permitted"));
    assertTrue(bash.run("mkdir \"$M/big/d\"").err().contains("Operation not permitted"));
  }

  @Test
  void echoCommitsBeforeCloseReturns() throws Exception {
    bash.run("echo hello > \"$M/notes/a\"").ok();
    TestTree.Doc a = (TestTree.Doc) tree.notes.children.get("a");
    assertEquals("hello\n", a.text()); // committed by the flush of close(2), not the release
    bash.run("echo more >> \"$M/notes/a\"").ok();
    assertEquals("hello\nmore\n", a.text());
    bash.run("echo again > \"$M/notes/a\"").ok();
    assertEquals("again\n", bash.run("cat \"$M/notes/a\"").ok().out());
    assertEquals("6\n", bash.run("stat -c %s \"$M/notes/a\"").ok().out());
  }

  /** Bytes that are not UTF-8 would decode to U+FFFD, so two such names would be one file. */
  @Test
  void aNameThatIsNotUtf8IsRefused() throws Exception {
    for (String name : new String[] {"\\xff", "\\xfe", "\\xed\\xa0\\x80", "ok\\xc3"}) {
      // bash's message quotes the name's bytes: keep only the reason.
      String out =
          bash.run("{ echo v > \"$M/notes/\"$'" + name + "'; } 2>&1 | grep -o 'Invalid argument'")
              .out();
      assertEquals("Invalid argument\n", out, name);
    }
    bash.run("echo v > \"$M/notes/\"$'\\xc3\\xa9t\\xc3\\xa9'").ok(); // UTF-8 is fine
    assertEquals(Set.of("\u00e9t\u00e9"), tree.notes.children.keySet());
  }

  @Test
  void cpCopiesInAndOutWholeFilesLargerThanOneRequest() throws Exception {
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    Path host = tmp.resolve("host.bin");
    Files.write(host, data);
    bash.run("cp \"$T/../host.bin\" \"$M/notes/b\" && cp \"$M/notes/b\" \"$T/copy.bin\"").ok();
    assertEquals(-1, Files.mismatch(host, tmp.resolve("scratch/copy.bin")));
    assertEquals("300000\n", bash.run("stat -c %s \"$M/notes/b\"").ok().out());
  }

  @Test
  void touchMkdirMvRmAndRmdir() throws Exception {
    bash.run(
            "cd \"$M/notes\" && touch t && mkdir d && mv t u && echo x > d/inner"
                + " && ls -F && rm u && rm d/inner && rmdir d && ls")
        .ok();
    assertTrue(tree.notes.children.isEmpty());
    assertEquals("d/\nu\n", bash.run("cd \"$M/notes\" && touch u && mkdir d && ls -F").ok().out());
    Bash.Result r = bash.run("echo x > \"$M/notes/d/f\" && rmdir \"$M/notes/d\"");
    assertTrue(r.err().contains("Directory not empty"), r.err());
  }

  @Test
  void mvAcrossDirectoriesCopiesSinceRenameSaysCrossDevice() throws Exception {
    bash.run("echo moved > \"$M/notes/x\" && mv \"$M/notes/x\" \"$M/cached/x\"").ok();
    assertFalse(tree.notes.children.containsKey("x"));
    assertEquals("moved\n", bash.run("cat \"$M/cached/x\"").ok().out());
    Bash.Result r =
        bash.run(
            "python3 -c 'import os,sys; os.rename(sys.argv[1], sys.argv[2])'"
                + " \"$M/cached/x\" \"$M/notes/x\"");
    assertTrue(r.err().contains("Invalid cross-device link"), r.err());
  }

  @Test
  void chmodAndChownAreRefusedUnlessTheyChangeNothing() throws Exception {
    bash.run("echo a > \"$M/notes/a\"").ok();
    Bash.Result r = bash.run("chmod 600 \"$M/notes/a\"");
    assertTrue(r.err().contains("Operation not permitted"), r.err());
    bash.run("chmod 644 \"$M/notes/a\" && chown \"$(id -u)\" \"$M/notes/a\"").ok();
    bash.run("touch -d 2001-01-01 \"$M/notes/a\" && touch \"$M/notes/a\"").ok();
  }

  @Test
  void aLiveFileIsReadWholeWhateverItsStatSaid() throws Exception {
    assertEquals("7\n", bash.run("stat -c %s \"$M/live.txt\"").ok().out());
    bash.run("cat \"$M/live.txt\" > /dev/null && cat \"$M/live.txt\" > /dev/null").ok();
    assertEquals("open 1\nopen 2\nopen 3\n", bash.run("cat \"$M/live.txt\"").ok().out());
  }

  @Test
  void aCachedFileIsServedFromThePageCacheWhileUnchanged() throws Exception {
    bash.run("cat \"$M/static.txt\"").ok();
    long reads = mount.stats().get("read");
    bash.run("for i in 1 2 3 4 5; do cat \"$M/static.txt\"; done").ok();
    assertEquals(reads, mount.stats().get("read")); // keep_cache: no read reached the tree
    bash.run("cat \"$M/live.txt\"").ok();
    assertTrue(mount.stats().get("read") > reads); // direct I/O: every read does
  }

  @Test
  void oneWriteIsOneMessageAndAWaitingReadGetsIt() throws Exception {
    Path out = tmp.resolve("head.txt");
    // One read(2); `head -n 1` would also print "Illegal seek": streams are not seekable.
    Process head = bash.start("dd if=\"$M/mailbox\" bs=64k count=1 status=none", out);
    awaitInterruptible(head);
    assertTrue(head.isAlive());
    bash.run("echo hi > \"$M/mailbox\"").ok(); // open(O_TRUNC) of a stream: no truncate
    assertTrue(head.waitFor(30, TimeUnit.SECONDS));
    assertEquals("hi\n", Files.readString(out));

    bash.run("printf abc > \"$M/mailbox\"; printf def > \"$M/mailbox\"").ok();
    assertEquals(List.of("abc", "def"), drain());
    // Up to 31 pages a write(2) is one request, and one message, wherever its buffer starts
    // (perl's is not page-aligned). A longer one might arrive in two requests, as perl's 128 KiB
    // does, so it is refused whole, and so is dd's 200 KiB, which the kernel splits for sure.
    bash.run("perl -e 'syswrite(STDOUT, \"a\" x 126976) or die' > \"$M/mailbox\"").ok();
    Bash.Result over =
        bash.run("perl -e 'syswrite(STDOUT, \"b\" x 131072) or die \"$!\\n\"' > \"$M/mailbox\"");
    assertEquals("Message too long\n", over.err());
    Bash.Result split =
        bash.run(
            "head -c 204800 /dev/zero > \"$T/200k\""
                + " && dd if=\"$T/200k\" of=\"$M/mailbox\" bs=200k status=none");
    assertTrue(split.err().contains("Message too long"), split.err());
    assertEquals(List.of(126976), drain().stream().map(String::length).toList());
  }

  @Test
  void anInterruptedReaderReturnsAtOnceAndTakesNoMessage() throws Exception {
    Process cat = new ProcessBuilder("cat", m.resolve("mailbox").toString()).start();
    awaitInterruptible(cat);
    bash.run("kill -INT " + cat.pid()).ok();
    assertTrue(cat.waitFor(30, TimeUnit.SECONDS), "cat still blocked after SIGINT");
    assertEquals(1, mount.stats().get("interrupted"));
    tree.mailbox.send("for a later reader");
    assertEquals(0, tree.mailbox.taken.get());
    assertEquals(List.of("for a later reader"), drain());
  }

  /** select(2), poll(2): a stream with nothing to read is not ready until something comes. */
  @Test
  void pollSaysWhenAStreamHasSomethingToRead() throws Exception {
    String probe = "exec 3< \"$M/mailbox\"; read -t 0 -u 3; echo $?"; // bash's select, no wait
    assertEquals("1\n", bash.run(probe).ok().out(), "nothing queued: not ready");
    assertEquals("0\n", bash.run("read -t 0 < \"$M/static.txt\"; echo $?").ok().out());
    String select =
        "python3 -c 'import os, select, sys; fd = os.open(sys.argv[1], os.O_RDONLY);"
            + " r, _, _ = select.select([fd], [], [], float(sys.argv[2]));"
            + " print(len(r), os.read(fd, 10).decode() if r else \"\")' \"$M/mailbox\" ";
    assertEquals("0 \n", bash.run(select + "0.3").ok().out(), "select times out");

    // A poller waiting in select is told when a message arrives.
    Path out = tmp.resolve("polled");
    Process waiter = bash.start(select + "20", out);
    Thread.sleep(500);
    tree.mailbox.send("x");
    assertTrue(waiter.waitFor(10, TimeUnit.SECONDS), "still waiting");
    assertEquals("1 x\n", Files.readString(out));
    tree.mailbox.send("y");
    assertEquals("0\n", bash.run(probe).ok().out(), "something queued: ready");
    assertTrue(mount.stats().get("poll") >= 4, "polls counted");
  }

  @Test
  void aReadWithNonblockGetsTryAgain() throws Exception {
    Bash.Result r =
        bash.run(
            "python3 -c 'import os,sys; fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK);"
                + " os.read(fd, 100)' \"$M/mailbox\"");
    assertTrue(r.err().contains("BlockingIOError"), r.err());
  }

  @Test
  void aMillionNamesAreListedPageByPage() throws Exception {
    Bash.Result r =
        bash.run("ls -f \"$M/big\" | awk 'NR <= 3 || /f0999999/ { print } END { print NR }'");
    assertEquals(".\n..\nf0000000\nf0999999\n1000002\n", r.ok().out());
    assertEquals("f0123456\n", bash.run("cat \"$M/big/f0123456\"").ok().out());
  }

  @Test
  void aSlowRequestDoesNotHoldUpOthers() throws Exception {
    Path out = tmp.resolve("slow.txt");
    Process slow = bash.start("cat \"$M/slow\"", out);
    assertTrue(tree.slow.entered.await(30, TimeUnit.SECONDS));
    // The open of slow holds its thread; another thread takes the next requests.
    assertEquals("hello, static\n", bash.run("cat \"$M/static.txt\"").ok().out());
    assertTrue(slow.isAlive());
    tree.slow.gate.countDown();
    assertTrue(slow.waitFor(30, TimeUnit.SECONDS));
    assertEquals("slow\n", Files.readString(out));
  }

  @Test
  void directIoReachesTheKernelForLiveFilesAndNotForCachedOnes() throws Exception {
    // The kernel refuses to map a file opened with direct I/O: proof the flag arrived, through
    // the open reply and through the fuse_file_info bit of a create.
    String map =
        "python3 -c 'import mmap,sys; f=open(sys.argv[1],\"rb\"); mmap.mmap(f.fileno(), 0,"
            + " prot=mmap.PROT_READ); print(\"mapped\")' ";
    assertEquals("mapped\n", bash.run(map + "\"$M/static.txt\"").ok().out());
    assertTrue(bash.run(map + "\"$M/live.txt\"").err().contains("No such device"));
    String create =
        "python3 -c 'import mmap,os,sys; fd=os.open(sys.argv[1], os.O_CREAT|os.O_RDWR);"
            + " os.write(fd, b\"x\"); mmap.mmap(fd, 1); print(\"mapped\")' ";
    assertEquals("mapped\n", bash.run(create + "\"$M/cached/n\"").ok().out());
    assertTrue(bash.run(create + "\"$M/notes/n\"").err().contains("No such device"));
  }

  @Test
  void statsCountRequestsAndErrors() throws Exception {
    Map<String, Long> before = mount.stats();
    bash.run("cat \"$M/static.txt\"; cat \"$M/nope\"; ls \"$M/notes\"");
    Map<String, Long> after = mount.stats();
    assertTrue(after.get("lookup") > before.get("lookup"));
    assertTrue(after.get("opendir") > before.get("opendir"));
    assertTrue(after.get("readdir") > before.get("readdir"));
    assertTrue(after.get("errors") > before.get("errors"));
  }

  @Test
  void inodeNumbersStayWhileTheKernelRemembersThem() throws Exception {
    String first = bash.run("stat -c %i \"$M/notes\" \"$M/cached\"").ok().out();
    assertEquals(first, bash.run("stat -c %i \"$M/notes\" \"$M/cached\"").ok().out());
    String[] inos = first.split("\n");
    assertNotEquals(inos[0], inos[1]);
  }

  /** The remaining messages, each read by one read(2) of up to 128 KiB. */
  private List<String> drain() throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (byte[] b; (b = tree.mailbox.queue.poll()) != null; ) {
      out.add(new String(b, java.nio.charset.StandardCharsets.UTF_8));
    }
    return out;
  }

  /** Waits until {@code p} is parked in a read of the mailbox, or has ended. */
  private void awaitInterruptible(Process p) throws InterruptedException {
    for (int i = 0; i < 3000 && p.isAlive(); i++) {
      if (mount.stats().get("read") > 0 && isWaitingInFuse(p.pid())) {
        return;
      }
      Thread.sleep(10);
    }
  }

  private static boolean isWaitingInFuse(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/wchan")).contains("fuse")
          || Files.readString(Path.of("/proc/" + pid + "/stack")).contains("fuse");
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
