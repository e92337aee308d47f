package dev.lunar.kv.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.fs.DirEntry;
import dev.lunar.kv.Durability;
import dev.lunar.kv.KvStore;
import dev.lunar.kv.TestClock;
import dev.lunar.kv.rocks.RocksKvStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tree over RocksDB on disk, and a bucket of a million keys listed page by page. */
class RocksKvTreeTest extends KvTreeContract {
  @TempDir Path tmp;

  @Override
  KvStore open(TestClock clock) throws Exception {
    return RocksKvStore.open(
        tmp.resolve("kv"), Durability.SYNC, Thread.ofPlatform().factory(), clock);
  }

  @Test
  void aMillionKeysListInOrderPageByPage() throws Exception {
    int n = 1_000_000;
    byte[] value = {1};
    for (int start = 0; start < n; start += 20_000) {
      Map<String, byte[]> batch = new HashMap<>();
      for (int i = start; i < start + 20_000; i++) {
        batch.put(String.format("key-%07d", i), value);
      }
      store.putAll("b", batch);
    }
    int seen = 0;
    String cursor = null;
    String last = "";
    for (List<DirEntry> page; !(page = bucket.list(cursor, 1000)).isEmpty(); ) {
      for (DirEntry e : page) {
        assertTrue(e.name().compareTo(last) > 0, e.name() + " after " + last);
        last = e.name();
        seen++;
      }
      cursor = page.get(page.size() - 1).cursor();
    }
    assertEquals(n, seen);
    // From the middle: a seek, not a walk from the start.
    List<DirEntry> middle = bucket.list("key-0500000", 3);
    assertEquals(List.of("key-0500001", "key-0500002", "key-0500003"), names(middle));
    assertEquals(1, bucket.lookup("key-0999999").stat().size());
  }
}
