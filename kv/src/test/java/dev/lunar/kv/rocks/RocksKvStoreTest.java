package dev.lunar.kv.rocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.kv.Durability;
import dev.lunar.kv.KvStore;
import dev.lunar.kv.KvStoreContract;
import dev.lunar.kv.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on RocksDB on disk, and what only a disk store does: persist, lock, refuse. */
class RocksKvStoreTest extends KvStoreContract {
  @TempDir Path tmp;

  @Override
  protected KvStore open(TestClock clock) throws IOException {
    return RocksKvStore.open(
        tmp.resolve("kv"), Durability.SYNC, Thread.ofPlatform().factory(), clock);
  }

  @Test
  void everythingSurvivesAReopen() throws Exception {
    store.createBucket("b");
    store.put("b", "k", bytes("v"));
    store.close();
    for (Durability d : Durability.values()) {
      try (KvStore again = RocksKvStore.open(tmp.resolve("kv"), d, Thread.ofPlatform().factory())) {
        assertArrayEquals(bytes("v"), again.get("b", "k"));
        again.put("b", d.name(), bytes(d.name()));
      }
    }
    try (KvStore again =
        RocksKvStore.open(tmp.resolve("kv"), Durability.SYNC, Thread.ofPlatform().factory())) {
      assertEquals(List.of("NO_SYNC", "SYNC", "k"), again.keys("b", null, 10));
    }
  }

  @Test
  void aDirectoryInUseIsRefusedClearly() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                RocksKvStore.open(
                    tmp.resolve("kv"), Durability.SYNC, Thread.ofPlatform().factory()));
    assertTrue(e.getMessage().contains("in use"), e.getMessage());
  }

  @Test
  void aDirectoryThatIsNotAStoreIsRefused() throws Exception {
    Path other = tmp.resolve("other");
    try (var db =
        org.rocksdb.RocksDB.open(
            new org.rocksdb.Options().setCreateIfMissing(true), other.toString())) {
      db.put(new byte[] {'x'}, new byte[] {'y'});
    }
    IOException e =
        assertThrows(
            IOException.class,
            () -> RocksKvStore.open(other, Durability.SYNC, Thread.ofPlatform().factory()));
    assertTrue(e.getMessage().contains("not a Lunar store"), e.getMessage());
    assertTrue(Files.exists(other.resolve("CURRENT")), "and left as it was");
  }

  @Test
  void concurrentPutsShareWrites() throws Exception {
    store.createBucket("b");
    RocksKvStore rocks = (RocksKvStore) store;
    long before = rocks.writes();
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int t = 0; t < 500; t++) {
        int id = t;
        pool.submit(() -> {
          store.put("b", "k" + id, bytes("v"));
          return null;
        });
      }
    }
    long writes = rocks.writes() - before;
    assertEquals(500, store.keys("b", null, 1000).size());
    assertTrue(writes < 500, "500 concurrent puts took " + writes + " writes: none shared");
  }
}
