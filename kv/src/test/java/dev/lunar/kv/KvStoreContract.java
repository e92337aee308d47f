package dev.lunar.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** What every {@link KvStore} does, run against each implementation by a subclass. */
public abstract class KvStoreContract {
  protected final TestClock clock = new TestClock(1_700_000_000_000L);
  protected KvStore store;

  /** A new, empty store whose times come from {@code clock}. */
  protected abstract KvStore open(TestClock clock) throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = open(clock);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected static void assertErrno(Errno errno, Executable call) {
    FsException e = assertThrows(FsException.class, call);
    assertEquals(errno, e.errno(), e.toString());
    assertFalse(e.reason().isBlank());
  }

  @Test
  void bucketsAreCreatedListedAndDroppedWhenEmpty() throws Exception {
    assertNull(store.bucketCreated("b"));
    store.createBucket("b");
    clock.set(clock.millis() + 5);
    store.createBucket("a");
    store.createBucket("c-1.x_");
    assertEquals(1_700_000_000_000L, store.bucketCreated("b"));
    assertEquals(List.of("a", "b", "c-1.x_"), store.buckets(null, 10));
    assertEquals(List.of("b"), store.buckets("a", 1));
    assertEquals(List.of("b", "c-1.x_"), store.buckets("a", 10));
    assertEquals(List.of("c-1.x_"), store.buckets("ba", 10), "a cursor need not be a bucket");
    assertErrno(Errno.EEXIST, () -> store.createBucket("a"));

    store.put("a", "k", bytes("v"));
    assertErrno(Errno.ENOTEMPTY, () -> store.dropBucket("a"));
    store.delete("a", "k");
    assertNull(store.get("a", "k")); // a miss in a bucket that exists
    store.dropBucket("a");
    assertNull(store.bucketCreated("a"));
    assertFalse(store.bucketExists("a"));
    assertTrue(store.bucketExists("b"));
    assertFalse(store.bucketExists("no:such"));
    assertErrno(Errno.ENOENT, () -> store.get("a", "k"));
    assertErrno(Errno.ENOENT, () -> store.stat("a", "k"));
    assertErrno(Errno.ENOENT, () -> store.keys("a", null, 1));
    assertEquals(List.of("b", "c-1.x_"), store.buckets(null, 10));
    assertErrno(Errno.ENOENT, () -> store.dropBucket("a"));
  }

  @Test
  void badBucketNamesAreRefusedWithAReason() {
    for (String bad : List.of("", ".", "..", ".hidden", "a/b", "a:b", "a*", "é", "a b")) {
      assertErrno(Errno.EINVAL, () -> store.createBucket(bad));
    }
    assertErrno(Errno.ENAMETOOLONG, () -> store.createBucket("b".repeat(65)));
  }

  @Test
  void callsOnAMissingBucketAnswerEnoent() {
    assertErrno(Errno.ENOENT, () -> store.get("none", "k"));
    assertErrno(Errno.ENOENT, () -> store.stat("none", "k"));
    assertErrno(Errno.ENOENT, () -> store.put("none", "k", bytes("v")));
    assertErrno(Errno.ENOENT, () -> store.delete("none", "k"));
    assertErrno(Errno.ENOENT, () -> store.rename("none", "k", "l"));
    assertErrno(Errno.ENOENT, () -> store.keys("none", null, 10));
  }

  @Test
  void putGetStatDelete() throws Exception {
    store.createBucket("b");
    assertNull(store.get("b", "k"));
    assertNull(store.stat("b", "k"));
    store.put("b", "k", bytes("hello"));
    assertArrayEquals(bytes("hello"), store.get("b", "k"));
    assertEquals(new KvStat(5, clock.millis()), store.stat("b", "k"));

    clock.set(clock.millis() + 1000);
    store.put("b", "k", new byte[0]);
    assertArrayEquals(new byte[0], store.get("b", "k"), "an empty value is a value");
    assertEquals(new KvStat(0, clock.millis()), store.stat("b", "k"));

    assertTrue(store.delete("b", "k"));
    assertFalse(store.delete("b", "k"));
    assertNull(store.get("b", "k"));
    assertNull(store.stat("b", "k"));
  }

  @Test
  void valuesAreCopiedInAndOut() throws Exception {
    store.createBucket("b");
    byte[] v = bytes("abc");
    store.put("b", "k", v);
    v[0] = 'X';
    byte[] got = store.get("b", "k");
    got[1] = 'Y';
    assertArrayEquals(bytes("abc"), store.get("b", "k"));
  }

  @Test
  void binaryValuesAndKeysOfAnyAllowedCharacter() throws Exception {
    store.createBucket("b");
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    List<String> keys =
        List.of("a b", "tab\there", "line\nbreak", "ünïcödé", "😀", "-", "...", "a:b*c?", "\u0001");
    for (String k : keys) {
      store.put("b", k, all);
    }
    for (String k : keys) {
      assertArrayEquals(all, store.get("b", k), k);
    }
  }

  @Test
  void badKeysAreRefusedWithTheRightErrno() throws Exception {
    store.createBucket("b");
    for (String bad : List.of("", ".", "..", "a/b", "a\0b", "lone\uD800surrogate")) {
      assertErrno(Errno.EINVAL, () -> store.put("b", bad, bytes("v")));
    }
    String longest = "€".repeat(85); // 255 bytes of UTF-8
    store.put("b", longest, bytes("v"));
    assertArrayEquals(bytes("v"), store.get("b", longest));
    assertErrno(Errno.ENAMETOOLONG, () -> store.put("b", "€".repeat(86), bytes("v")));
    assertErrno(Errno.ENAMETOOLONG, () -> store.put("b", "k".repeat(256), bytes("v")));
    assertErrno(Errno.ENAMETOOLONG, () -> store.get("b", "k".repeat(256)));
    assertEquals(List.of(longest), store.keys("b", null, 10), "nothing else was stored");
  }

  @Test
  void valuesUpTo64MiBAndNoMore() throws Exception {
    store.createBucket("b");
    byte[] big = new byte[KvNames.MAX_VALUE_BYTES];
    new Random(1).nextBytes(big);
    store.put("b", "big", big);
    assertArrayEquals(big, store.get("b", "big"));
    assertEquals(big.length, store.stat("b", "big").size());
    byte[] tooBig = Arrays.copyOf(big, big.length + 1);
    assertErrno(Errno.EFBIG, () -> store.put("b", "big", tooBig));
    assertArrayEquals(big, store.get("b", "big"), "a refused put changes nothing");
  }

  @Test
  void keysListInUtf8ByteOrderAndPageFromACursor() throws Exception {
    store.createBucket("b");
    store.createBucket("ba"); // a neighbouring bucket must not leak into b's listing
    store.put("ba", "zz", bytes("x"));
    // UTF-16 order would put the emoji (a surrogate pair) before U+E000; UTF-8 byte order after.
    List<String> names = List.of("\uE000", "😀", "B", "a", "ab", "a b", "é", "0", "~");
    for (String k : names) {
      store.put("b", k, bytes(k));
    }
    List<String> expected = new ArrayList<>(names);
    expected.sort((x, y) ->
        Arrays.compareUnsigned(
            x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
    assertEquals(List.of("0", "B", "a", "a b", "ab", "~", "é", "\uE000", "😀"), expected);
    assertEquals(expected, store.keys("b", null, 100));

    List<String> paged = new ArrayList<>();
    String cursor = null;
    for (List<String> page; !(page = store.keys("b", cursor, 2)).isEmpty(); ) {
      assertTrue(page.size() <= 2);
      paged.addAll(page);
      cursor = page.get(page.size() - 1);
    }
    assertEquals(expected, paged);
    assertEquals(List.of("ab", "~"), store.keys("b", "a c", 2), "a cursor need not be a key");
    assertEquals(List.of(), store.keys("b", "😀", 2));
    assertEquals(List.of("zz"), store.keys("ba", null, 10));
  }

  @Test
  void renameMovesAtomicallyAndReplaces() throws Exception {
    store.createBucket("b");
    store.put("b", "from", bytes("1"));
    store.put("b", "to", bytes("old"));
    clock.set(clock.millis() + 7);
    store.rename("b", "from", "to");
    assertNull(store.get("b", "from"));
    assertArrayEquals(bytes("1"), store.get("b", "to"));
    assertEquals(new KvStat(1, clock.millis() - 7), store.stat("b", "to"), "rename keeps mtime");
    assertErrno(Errno.ENOENT, () -> store.rename("b", "from", "x"));
    store.rename("b", "to", "to");
    assertArrayEquals(bytes("1"), store.get("b", "to"));
    assertErrno(Errno.EINVAL, () -> store.rename("b", "to", "a/b"));
    assertEquals(List.of("to"), store.keys("b", null, 10));
  }

  @Test
  void putAllIsAllOrNothing() throws Exception {
    store.createBucket("b");
    Map<String, byte[]> ok = new LinkedHashMap<>();
    ok.put("x", bytes("1"));
    ok.put("y", bytes("2"));
    store.putAll("b", ok);
    assertEquals(List.of("x", "y"), store.keys("b", null, 10));

    Map<String, byte[]> bad = new LinkedHashMap<>();
    bad.put("z", bytes("3"));
    bad.put("a/b", bytes("4"));
    assertErrno(Errno.EINVAL, () -> store.putAll("b", bad));
    assertEquals(List.of("x", "y"), store.keys("b", null, 10));
  }

  @Test
  void concurrentWritersFromManyVirtualThreadsAllLand() throws Exception {
    store.createBucket("b");
    int threads = 200;
    int each = 20;
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(
            pool.submit(() -> {
              for (int i = 0; i < each; i++) {
                store.put("b", id + "-" + i, bytes(id + ":" + i));
              }
              store.rename("b", id + "-0", id + "-moved");
              store.delete("b", id + "-1");
              return null;
            }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
    TreeMap<String, String> all = new TreeMap<>(KvNames.ORDER);
    String cursor = null;
    for (List<String> page; !(page = store.keys("b", cursor, 1000)).isEmpty(); ) {
      for (String k : page) {
        all.put(k, new String(store.get("b", k), StandardCharsets.UTF_8));
      }
      cursor = page.get(page.size() - 1);
    }
    assertEquals(threads * (each - 1), all.size());
    assertEquals("7:0", all.get("7-moved"));
    assertEquals("7:19", all.get("7-19"));
    assertFalse(all.containsKey("7-1"));
  }

  @Test
  void aClosedStoreAnswersEio() throws Exception {
    store.createBucket("b");
    store.close();
    assertErrno(Errno.EIO, () -> store.get("b", "k"));
    assertErrno(Errno.EIO, () -> store.put("b", "k", bytes("v")));
    assertErrno(Errno.EIO, () -> store.buckets(null, 10));
    store.close(); // twice is fine
  }
}
