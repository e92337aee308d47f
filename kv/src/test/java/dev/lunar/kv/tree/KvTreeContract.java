package dev.lunar.kv.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Grant;
import dev.lunar.fs.Grants;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Namespace;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Paths;
import dev.lunar.fs.Stat;
import dev.lunar.kv.KvNames;
import dev.lunar.kv.KvStore;
import dev.lunar.kv.TestClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The {@code /kv} tree's file semantics, run over each store by a subclass. */
abstract class KvTreeContract {
  static final OpenMode TRUNCATE = new OpenMode(false, true, true, false);
  static final OpenMode APPEND = new OpenMode(false, true, false, true);

  final TestClock clock = new TestClock(1_700_000_000_000L);
  KvStore store;
  KvDir kv;
  Dir bucket;

  abstract KvStore open(TestClock clock) throws Exception;

  /** What open handles may hold together here: one 64 MiB value and 1 MiB more. */
  static final long OPEN_LIMIT = KvNames.MAX_VALUE_BYTES + (1 << 20);

  @BeforeEach
  void setUp() throws Exception {
    store = open(clock);
    kv = new KvDir(store, new KvMetrics(), clock, OPEN_LIMIT);
    kv.mkdir("b");
    bucket = (Dir) kv.lookup("b");
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  static ByteBuffer buf(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  static String read(Handle h) throws FsException {
    ByteBuffer dst = ByteBuffer.allocate((int) h.size() + 10);
    int n;
    long offset = 0;
    while ((n = h.read(dst, offset, true)) > 0) {
      offset += n;
    }
    return new String(dst.array(), 0, dst.position(), StandardCharsets.UTF_8);
  }

  String cat(String key) throws FsException {
    try (Handle h = ((File) bucket.lookup(key)).open(OpenMode.READ)) {
      return read(h);
    }
  }

  String stored(String key) throws FsException {
    byte[] v = store.get("b", key);
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  static void assertErrno(Errno errno, Executable call) {
    FsException e = assertThrows(FsException.class, call);
    assertEquals(errno, e.errno(), e.toString());
  }

  @Test
  void bucketsAreDirectories() throws Exception {
    kv.mkdir("a");
    assertEquals(
        List.of(new DirEntry("a", true, "a"), new DirEntry("b", true, "b")), kv.list(null, 10));
    assertEquals(List.of(new DirEntry("b", true, "b")), kv.list("a", 10));
    assertTrue(kv.lookup("a").stat().dir());
    assertEquals(clock.millis(), kv.lookup("a").stat().modifiedMillis());
    assertErrno(Errno.EEXIST, () -> kv.mkdir("a"));
    assertErrno(Errno.EINVAL, () -> kv.mkdir("no:colons"));
    assertErrno(Errno.ENOENT, () -> kv.lookup("c"));
    assertErrno(Errno.EPERM, () -> kv.create("file", OpenMode.WRITE, false));
    assertErrno(Errno.EISDIR, () -> kv.unlink("a"));
    assertErrno(Errno.EXDEV, () -> kv.rename("a", "c"));
    assertErrno(Errno.EPERM, () -> bucket.mkdir("sub"));

    store.put("a", "k", new byte[1]);
    assertErrno(Errno.ENOTEMPTY, () -> kv.rmdir("a"));
    ((Dir) kv.lookup("a")).unlink("k");
    kv.rmdir("a");
    assertErrno(Errno.ENOENT, () -> kv.lookup("a"));
  }

  @Test
  void echoIntoANewKeyCommitsOnceAtTheSecondFlush() throws Exception {
    // bash: open(O_CREAT|O_TRUNC), truncate, flush (its dup2+close), write, flush, release.
    Handle h = bucket.create("k", TRUNCATE, false);
    File looked = (File) bucket.lookup("k"); // the kernel looks the new name up at once
    assertEquals(0, looked.stat().size());
    assertEquals(List.of("k"), names(bucket.list(null, 10)), "a key being created is listed");
    h.truncate(0);
    h.flush();
    assertNull(stored("k"), "nothing is put before anything is written");
    h.write(buf("hello\n"), 0);
    h.flush();
    assertEquals("hello\n", stored("k"), "durable when close(2) returns");
    h.close();
    assertEquals(1, kv.metrics().puts());
    assertEquals(6, bucket.lookup("k").stat().size());
    assertEquals("hello\n", cat("k"));
  }

  @Test
  void echoOverAnExistingKeyNeverShowsItEmpty() throws Exception {
    store.put("b", "k", "old".getBytes());
    Handle h = ((File) bucket.lookup("k")).open(TRUNCATE);
    h.truncate(0);
    h.flush();
    assertEquals("old", stored("k"));
    assertEquals("old", cat("k"));
    h.write(buf("new"), 0);
    h.flush();
    assertEquals("new", cat("k"));
    h.close();
    assertEquals(1, kv.metrics().puts());
  }

  @Test
  void truncatingToEmptyCommitsAtClose() throws Exception {
    store.put("b", "k", "old".getBytes());
    Handle h = ((File) bucket.lookup("k")).open(TRUNCATE); // : > k
    h.flush();
    assertEquals("old", stored("k"));
    h.close();
    assertEquals("", stored("k"));
  }

  @Test
  void touchCreatesAnEmptyKeyAndOpeningWithoutWritingChangesNothing() throws Exception {
    bucket.create("t", OpenMode.WRITE, false).close();
    assertEquals("", stored("t"));
    store.put("b", "t", "x".getBytes());
    bucket.create("t", OpenMode.WRITE, false).close();
    ((File) bucket.lookup("t")).open(OpenMode.READ_WRITE).close();
    assertEquals("x", stored("t"));
    assertEquals(1, kv.metrics().puts(), "only the touch of a new key put a value");
  }

  @Test
  void partialWritesAtOffsetsEditTheValueAsOfOpen() throws Exception {
    store.put("b", "k", "hello world".getBytes());
    try (Handle h = ((File) bucket.lookup("k")).open(OpenMode.READ_WRITE)) {
      assertEquals("hello world", read(h));
      h.write(buf("W"), 6);
      h.write(buf("!!"), 11);
      assertEquals("hello World!!", read(h), "reads see the handle's own writes");
      assertEquals("hello world", stored("k"));
    }
    assertEquals("hello World!!", stored("k"));

    try (Handle h = ((File) bucket.lookup("k")).open(OpenMode.WRITE)) {
      h.write(buf("end"), 16); // past the end: a hole of zeros
      h.truncate(14);
    }
    assertEquals("hello World!!\0", stored("k"), "a hole of zeros, then cut");

    try (Handle h = ((File) bucket.lookup("k")).open(OpenMode.WRITE)) {
      h.truncate(2);
      h.truncate(4); // regrown bytes are zeros, not the old ones
    }
    assertEquals("he\0\0", stored("k"));

    try (Handle h = ((File) bucket.lookup("k")).open(APPEND)) {
      h.write(buf("+"), 0);
    }
    assertEquals("he\0\0+", stored("k"));
  }

  @Test
  void aReaderKeepsTheValueAsOfOpen() throws Exception {
    store.put("b", "k", "one".getBytes());
    try (Handle r = ((File) bucket.lookup("k")).open(OpenMode.READ)) {
      store.put("b", "k", "two!".getBytes());
      assertEquals(3, r.size());
      assertEquals("one", read(r));
    }
    assertEquals("two!", cat("k"));
  }

  @Test
  void theLastCloseWins() throws Exception {
    Handle first = bucket.create("k", TRUNCATE, false);
    Handle second = bucket.create("k", TRUNCATE, false);
    first.write(buf("first"), 0);
    second.write(buf("second"), 0);
    second.close();
    first.close();
    assertEquals("first", stored("k"));
  }

  @Test
  void exclusiveCreateRefusesExistingAndPendingKeys() throws Exception {
    store.put("b", "there", new byte[0]);
    assertErrno(Errno.EEXIST, () -> bucket.create("there", TRUNCATE, true));
    Handle h = bucket.create("new", TRUNCATE, true);
    assertErrno(Errno.EEXIST, () -> bucket.create("new", TRUNCATE, true));
    h.close();
    assertEquals("", stored("new"));
    assertErrno(Errno.EEXIST, () -> bucket.create("new", TRUNCATE, true));
  }

  @Test
  void writesPast64MiBFailWithEfbigAtWriteTime() throws Exception {
    try (Handle h = bucket.create("big", TRUNCATE, false)) {
      h.write(ByteBuffer.allocate(1 << 20), KvNames.MAX_VALUE_BYTES - (1 << 20));
      assertErrno(Errno.EFBIG, () -> h.truncate(KvNames.MAX_VALUE_BYTES + 1L));
      h.flush();
    }
    assertEquals(KvNames.MAX_VALUE_BYTES, store.stat("b", "big").size(), "64 MiB fits");

    Handle over = bucket.create("over", TRUNCATE, false);
    over.write(ByteBuffer.allocate(1 << 20), 0);
    assertErrno(Errno.EFBIG, () -> over.write(ByteBuffer.allocate(1), KvNames.MAX_VALUE_BYTES));
    // A value cut at the limit is not the value that was written: nothing is stored.
    assertErrno(Errno.EFBIG, over::flush);
    assertErrno(Errno.EFBIG, over::close);
    assertEquals(null, store.stat("b", "over"));
  }

  @Test
  void badNamesGetTheRightErrno() throws Exception {
    assertErrno(Errno.ENAMETOOLONG, () -> bucket.create("€".repeat(86), TRUNCATE, false));
    assertErrno(Errno.EINVAL, () -> bucket.create("a\0b", TRUNCATE, false));
    assertErrno(Errno.ENOENT, () -> bucket.lookup("a\0b"));
    assertErrno(Errno.ENAMETOOLONG, () -> bucket.lookup("k".repeat(256)));
    store.put("b", "k", new byte[0]);
    assertErrno(Errno.EINVAL, () -> bucket.rename("k", "a\0b"));
    assertErrno(Errno.ENOENT, () -> bucket.unlink("missing"));
    assertErrno(Errno.ENOTDIR, () -> bucket.rmdir("k"));
    assertEquals(List.of("k"), names(bucket.list(null, 10)));
  }

  @Test
  void unlinkRenameAndStat() throws Exception {
    clock.set(1_700_000_123_000L);
    store.put("b", "a", "1234".getBytes());
    Stat stat = bucket.lookup("a").stat();
    assertEquals(Stat.file(4, 0644, 1_700_000_123_000L), stat);
    bucket.rename("a", "z");
    assertErrno(Errno.ENOENT, () -> bucket.lookup("a"));
    assertEquals("1234", cat("z"));
    assertErrno(Errno.ENOENT, () -> bucket.rename("a", "y"));
    bucket.unlink("z");
    assertErrno(Errno.ENOENT, () -> bucket.lookup("z"));
    assertEquals(1, kv.metrics().deletes());
    assertEquals(2, kv.metrics().renames());
  }

  @Test
  void listingsPageAndMergeKeysBeingCreated() throws Exception {
    for (String k : List.of("a", "c", "e")) {
      store.put("b", k, new byte[0]);
    }
    Handle d = bucket.create("d", TRUNCATE, false);
    Handle b = bucket.create("b", TRUNCATE, false);
    Handle c = bucket.create("c", TRUNCATE, false); // exists already: not listed twice
    List<String> all = new ArrayList<>();
    String cursor = null;
    for (List<DirEntry> page; !(page = bucket.list(cursor, 2)).isEmpty(); ) {
      assertTrue(page.size() <= 2);
      for (DirEntry e : page) {
        assertFalse(e.dir());
        all.add(e.name());
      }
      cursor = page.get(page.size() - 1).cursor();
    }
    assertEquals(List.of("a", "b", "c", "d", "e"), all);
    d.close();
    b.close();
    c.close();
    assertEquals(List.of("a", "b", "c", "d", "e"), store.keys("b", null, 10));
  }

  @Test
  void aClosedOrReadOnlyHandleRefusesWrites() throws Exception {
    store.put("b", "k", "v".getBytes());
    Handle r = ((File) bucket.lookup("k")).open(OpenMode.READ);
    assertErrno(Errno.EBADF, () -> r.write(buf("x"), 0));
    Handle w = ((File) bucket.lookup("k")).open(OpenMode.WRITE);
    assertErrno(Errno.EBADF, () -> w.read(ByteBuffer.allocate(1), 0, true));
    w.close();
    assertErrno(Errno.EBADF, () -> w.write(buf("x"), 0));
    Handle rw = ((File) bucket.lookup("k")).open(OpenMode.READ_WRITE);
    rw.close();
    assertErrno(Errno.EBADF, () -> rw.read(ByteBuffer.allocate(1), 0, true));
  }

  @Test
  void openValuesAreHeldAgainstALimitAndGivenBackAtClose() throws Exception {
    store.put("b", "big", new byte[KvNames.MAX_VALUE_BYTES]);
    Handle first = ((File) bucket.lookup("big")).open(OpenMode.READ);
    assertEquals(KvNames.MAX_VALUE_BYTES, kv.openBytes());
    var e =
        assertThrows(FsException.class, () -> ((File) bucket.lookup("big")).open(OpenMode.READ));
    assertEquals(Errno.ENOMEM, e.errno());
    assertTrue(e.reason().startsWith("open values hold all the memory"), e.reason());
    assertEquals(KvNames.MAX_VALUE_BYTES, kv.openBytes(), "a refused open holds nothing");

    // A writer's buffer counts too: past the limit its write fails, and it stores nothing.
    Handle w = bucket.create("w", TRUNCATE, false);
    w.write(ByteBuffer.allocate(1 << 19), 0);
    assertErrno(Errno.ENOMEM, () -> w.write(ByteBuffer.allocate(1 << 20), 1 << 19));
    assertErrno(Errno.ENOMEM, w::close);
    assertErrno(Errno.ENOENT, () -> bucket.lookup("w"));

    first.close();
    first.close(); // twice gives back once
    assertEquals(0, kv.openBytes());
    try (Handle again = ((File) bucket.lookup("big")).open(OpenMode.READ_WRITE)) {
      assertEquals(KvNames.MAX_VALUE_BYTES, again.size());
      again.write(buf("x"), 0);
    }
    assertEquals(0, kv.openBytes());
    assertEquals('x', store.get("b", "big")[0]);
  }

  @Test
  void aBucketWithAKeyBeingCreatedIsNotEmpty() throws Exception {
    Handle h = bucket.create("k", TRUNCATE, false);
    h.write(buf("x"), 0);
    assertEquals(List.of("k"), names(bucket.list(null, 10)));
    assertErrno(Errno.ENOTEMPTY, () -> kv.rmdir("b")); // as ls shows it
    h.close();
    assertEquals("x", stored("k"));
  }

  @Test
  void aCommitIntoADroppedBucketFailsAtFlush() throws Exception {
    store.put("b", "k", "old".getBytes());
    Handle h = ((File) bucket.lookup("k")).open(OpenMode.WRITE);
    h.write(buf("x"), 0);
    bucket.unlink("k");
    kv.rmdir("b"); // empty: the writer of a key that was there holds nothing
    assertErrno(Errno.ENOENT, h::flush);
    assertErrno(Errno.ENOENT, h::close);
  }

  @Test
  void grantsNarrowTheTreeThroughANamespace() throws Exception {
    kv.mkdir("secret");
    store.put("b", "k", "v".getBytes());
    Dir root = new SingleDir("kv", kv);
    Dir view = Namespace.view(root, new Grants(List.of(Grant.parse("/kv/b:ro"))));
    Dir kvView = (Dir) view.lookup("kv");
    assertEquals(List.of("b"), names(kvView.list(null, 10)));
    assertErrno(Errno.ENOENT, () -> kvView.lookup("secret"));
    Dir b = (Dir) Namespace.walk(view, Paths.split("/kv/b"));
    try (Handle h = ((File) b.lookup("k")).open(OpenMode.READ)) {
      assertEquals("v", read(h));
    }
    assertErrno(Errno.EACCES, () -> ((File) b.lookup("k")).open(OpenMode.WRITE));
    assertErrno(Errno.EACCES, () -> b.create("n", TRUNCATE, false));
    assertErrno(Errno.EACCES, () -> b.unlink("k"));
    assertEquals("v", stored("k"));
  }

  @Test
  void concurrentReadersNeverSeeATornValue() throws Exception {
    // Each value is one byte repeated, of a length that says which byte: a torn value would mix.
    store.put("b", "k", new byte[] {0});
    AtomicBoolean stop = new AtomicBoolean();
    // Platform threads: spinning virtual readers would never give their carriers back to the
    // writer.
    try (var pool = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().factory())) {
      Future<Integer> writer =
          pool.submit(() -> {
            int n = 0;
            for (; n < 300; n++) {
              byte fill = (byte) (n % 100 + 1);
              try (Handle h = bucket.create("k", TRUNCATE, false)) {
                // several writes, flushed only at the end
                for (int i = 0; i < 4; i++) {
                  byte[] part = new byte[(fill & 0xff) * 100];
                  java.util.Arrays.fill(part, fill);
                  h.write(ByteBuffer.wrap(part), (long) i * part.length);
                }
                h.flush();
              }
            }
            stop.set(true);
            return n;
          });
      List<Future<Integer>> readers = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        readers.add(
            pool.submit(() -> {
              int seen = 0;
              while (!stop.get()) {
                try (Handle h = ((File) bucket.lookup("k")).open(OpenMode.READ)) {
                  byte[] all = new byte[(int) h.size()];
                  h.read(ByteBuffer.wrap(all), 0, true);
                  byte fill = all[0];
                  assertEquals(fill == 0 ? 1 : (fill & 0xff) * 400, all.length);
                  for (byte x : all) {
                    if (x != fill) {
                      throw new AssertionError("torn value: " + fill + " and " + x);
                    }
                  }
                  seen++;
                }
              }
              return seen;
            }));
      }
      assertEquals(300, writer.get());
      for (Future<Integer> r : readers) {
        assertTrue(r.get() > 0);
      }
    }
  }

  static List<String> names(List<DirEntry> entries) {
    return entries.stream().map(DirEntry::name).toList();
  }

  /** A root holding one directory, as the node's tree will hold {@code /kv}. */
  record SingleDir(String name, Dir child) implements Dir {
    @Override
    public dev.lunar.fs.Node lookup(String n) throws FsException {
      if (!n.equals(name)) {
        throw new FsException(Errno.ENOENT, "no " + n);
      }
      return child;
    }

    @Override
    public List<DirEntry> list(String cursor, int max) {
      return cursor == null ? List.of(new DirEntry(name, true, name)) : List.of();
    }
  }
}
