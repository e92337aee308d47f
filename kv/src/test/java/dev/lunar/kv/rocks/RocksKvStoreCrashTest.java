package dev.lunar.kv.rocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.kv.Durability;
import dev.lunar.kv.KvStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a process writing: every put it acknowledged is there after a restart, no
 * value is torn, and RocksDB opens cleanly. Twice over the same directory, so recovery of a
 * recovered database is covered too. The killed child leaves no copy of RocksDB's native library in
 * its temporary directory.
 */
class RocksKvStoreCrashTest {
  @TempDir Path tmp;

  @Test
  void everyAcknowledgedPutSurvivesKillNine() throws Exception {
    survivesKillNine(Durability.SYNC, 2);
  }

  /** Unsynced puts are in the kernel's hands when they return: a killed process loses none. */
  @Test
  void relaxedPutsSurviveKillNineToo() throws Exception {
    survivesKillNine(Durability.NO_SYNC, 1);
  }

  private void survivesKillNine(Durability durability, int rounds) throws Exception {
    Path dir = tmp.resolve("kv");
    Map<String, Long> acked = new ConcurrentHashMap<>();
    for (int round = 0; round < rounds; round++) {
      int acks = writeAndKill(dir, durability, acked, 400, 1 + round * 1_000_000_000L);
      assertTrue(acks >= 400, "the child acknowledged only " + acks + " puts");
      try (KvStore store = RocksKvStore.open(dir, Durability.SYNC, Thread.ofPlatform().factory())) {
        for (var e : acked.entrySet()) {
          byte[] value = store.get(CrashWriter.BUCKET, e.getKey());
          assertNotNull(value, "acknowledged " + e.getKey() + " is gone");
          long version = CrashWriter.check(e.getKey(), value);
          assertTrue(
              version >= e.getValue(),
              e.getKey() + " went back from version " + e.getValue() + " to " + version);
        }
        int checked = 0;
        String cursor = null;
        for (List<String> page; !(page = store.keys(CrashWriter.BUCKET, cursor, 100)).isEmpty(); ) {
          for (String key : page) {
            CrashWriter.check(key, store.get(CrashWriter.BUCKET, key));
            assertEquals(
                store.get(CrashWriter.BUCKET, key).length,
                store.stat(CrashWriter.BUCKET, key).size());
            checked++;
          }
          cursor = page.get(page.size() - 1);
        }
        assertTrue(checked >= acked.size());
      }
    }
  }

  /** Runs the child until it has acknowledged {@code enough} puts, then kills it; returns acks. */
  private int writeAndKill(
      Path dir, Durability durability, Map<String, Long> acked, int enough, long firstVersion)
      throws Exception {
    Path err = tmp.resolve("child.err");
    Path childTmp = Files.createDirectories(tmp.resolve("child-tmp"));
    Path libraries = tmp.resolve("native");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Djava.io.tmpdir=" + childTmp,
                "-cp",
                System.getProperty("java.class.path"),
                CrashWriter.class.getName(),
                dir.toString(),
                "64",
                Long.toString(firstVersion),
                durability.name(),
                libraries.toString())
            .redirectError(err.toFile())
            .start();
    AtomicInteger acks = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(1);
    CountDownLatch enoughAcks = new CountDownLatch(1);
    Thread reader =
        Thread.ofPlatform()
            .start(() -> {
              try (var in =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  String[] words = line.split(" ");
                  if (line.equals("ready")) {
                    ready.countDown();
                  } else if (words.length == 3 && words[0].equals("ack")) {
                    // A line cut by the kill does not parse, and was never acknowledged whole.
                    long version = Long.parseLong(words[2]);
                    acked.merge(words[1], version, Math::max);
                    if (acks.incrementAndGet() >= enough) {
                      enoughAcks.countDown();
                    }
                  }
                }
              } catch (IOException | NumberFormatException e) {
                // the pipe breaks when the child dies
              }
            });
    try {
      assertTrue(ready.await(60, TimeUnit.SECONDS), "child never ready: " + Files.readString(err));
      // While it runs, the directory is locked against a second store.
      IOException locked =
          assertThrows(
              IOException.class,
              () -> RocksKvStore.open(dir, Durability.SYNC, Thread.ofPlatform().factory()));
      assertTrue(locked.getMessage().contains("in use"), locked.getMessage());
      assertTrue(
          enoughAcks.await(120, TimeUnit.SECONDS),
          "only " + acks.get() + " acks: " + Files.readString(err));
    } finally {
      child.destroyForcibly(); // SIGKILL
      child.waitFor();
      reader.join();
    }
    assertEquals(137, child.exitValue(), "killed by SIGKILL, not ended on its own");
    assertEquals(List.of(), list(childTmp), "left in the killed child's java.io.tmpdir");
    List<String> copies = list(libraries);
    assertTrue(copies.size() == 1 && copies.get(0).startsWith("librocksdbjni"), copies.toString());
    return acks.get();
  }

  private static List<String> list(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
