package dev.lunar.bench;

import dev.lunar.fs.Dir;
import dev.lunar.fs.Errno;
import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Namespace;
import dev.lunar.fs.OpenMode;
import dev.lunar.kv.Durability;
import dev.lunar.kv.KvStore;
import dev.lunar.kv.rocks.RocksKvStore;
import dev.lunar.kv.tree.KvDir;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Puts and gets per second, in the same run and round by round: raw rocksdbjni (the peer), the
 * {@link RocksKvStore}, and files of the {@code /kv} tree (open/write/close, open/read/close, as a
 * guest's WASI calls or a FUSE client reach them, minus the translation). Then {@code ls} of a
 * bucket of a million keys. Each variant runs THREADS writers for SECONDS on a fresh directory.
 *
 * <p>{@code Bench kv ROUNDS THREADS SECONDS VALUE_BYTES KEYS_FOR_LS}
 */
final class KvBench {
  private KvBench() {}

  private interface Op {
    void run(int thread, long i) throws Exception;
  }

  static void run(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    int threads = Integer.parseInt(args[1]);
    double seconds = Double.parseDouble(args[2]);
    int valueBytes = Integer.parseInt(args[3]);
    int lsKeys = Integer.parseInt(args[4]);
    byte[] value = new byte[valueBytes];
    new Random(1).nextBytes(value);
    Path root = Files.createTempDirectory("lunar-kvbench");
    try {
      RocksDB.loadLibrary();
      Report.note("kv: warm-up");
      puts(root, "warm", threads, 1, value, Durability.SYNC, false);
      for (int r = 0; r < rounds; r++) {
        Report.note("kv: round %d of %d", r + 1, rounds);
        for (Durability d : Durability.values()) {
          puts(root, "r" + r + d, threads, seconds, value, d, true);
        }
      }
      if (lsKeys > 0) {
        listing(root, lsKeys);
      }
    } finally {
      delete(root);
    }
  }

  /** One round of every variant, puts then gets over the keys the puts wrote. */
  private static void puts(
      Path root,
      String tag,
      int threads,
      double seconds,
      byte[] value,
      Durability d,
      boolean report)
      throws Exception {
    String suffix = d == Durability.SYNC ? "" : "-nosync";
    ThreadFactory platform = Thread.ofPlatform().factory();
    ThreadFactory virtual = Thread.ofVirtual().factory();
    try (Options o = new Options().setCreateIfMissing(true);
        RocksDB raw = RocksDB.open(o, root.resolve(tag + "-raw").toString());
        WriteOptions w = new WriteOptions().setSync(d == Durability.SYNC)) {
      // The peer: RocksDB's own group commit, which works with many platform threads.
      long[] n = new long[threads];
      double put = rate(platform, threads, seconds, (t, i) -> raw.put(w, key(t, i), value), n);
      double get = rate(platform, threads, seconds, (t, i) -> raw.get(written(n, t, i).getBytes()));
      // The same calls from virtual threads, as a Lunar process would make them.
      double putV = rate(virtual, threads, seconds, (t, i) -> raw.put(w, key(t, i), value));
      if (report) {
        Report.line("kv.put" + suffix + ".peer", put, "ops/s");
        Report.line("kv.get" + suffix + ".peer", get, "ops/s");
        Report.line("kv.put" + suffix + ".raw-virtual", putV, "ops/s");
      }
    }
    try (RocksKvStore store = RocksKvStore.open(root.resolve(tag + "-store"), d, platform)) {
      store.createBucket("b");
      long[] n = new long[threads];
      double put = rate(virtual, threads, seconds, (t, i) -> store.put("b", name(t, i), value), n);
      double perWrite = (double) store.changes() / Math.max(1, store.writes());
      double get = rate(virtual, threads, seconds, (t, i) -> store.get("b", written(n, t, i)));
      KvDir kv = new KvDir(store);
      long[] f = new long[threads];
      double filePut =
          rate(virtual, threads, seconds, (t, i) -> filePut(kv, "f" + name(t, i), value), f);
      ByteBuffer[] buffers = new ByteBuffer[threads];
      for (int t = 0; t < threads; t++) {
        buffers[t] = ByteBuffer.allocate(value.length);
      }
      double fileGet =
          rate(
              virtual,
              threads,
              seconds,
              (t, i) -> fileGet(kv, "f" + written(f, t, i), buffers[t].clear()));
      if (report) {
        Report.line("kv.put" + suffix + ".store", put, "ops/s");
        Report.line("kv.put" + suffix + ".store-per-write", perWrite, "puts");
        Report.line("kv.get" + suffix + ".store", get, "ops/s");
        Report.line("kv.put" + suffix + ".lunar", filePut, "ops/s");
        Report.line("kv.get" + suffix + ".lunar", fileGet, "ops/s");
      }
    }
  }

  private static final OpenMode CREATE = new OpenMode(false, true, true, false);

  /**
   * {@code open(O_CREAT|O_TRUNC|O_WRONLY)}, write, close of {@code /kv/b/NAME} as the WASI layer
   * does it: walk (a miss), create in the parent, walk again, write, then flush and close as {@code
   * close(2)} through FUSE does.
   */
  static void filePut(Dir kv, String name, byte[] value) throws FsException {
    try {
      Namespace.walk(kv, List.of("b", name));
    } catch (FsException e) {
      if (e.errno() != Errno.ENOENT) {
        throw e;
      }
    }
    Dir bucket = (Dir) Namespace.walk(kv, List.of("b"));
    try (Handle h = bucket.create(name, CREATE, false)) {
      Namespace.walk(kv, List.of("b", name)).stat();
      h.write(ByteBuffer.wrap(value), 0);
      h.flush();
    }
  }

  /** {@code open(O_RDONLY)}, read, close of {@code /kv/b/NAME}. */
  private static void fileGet(Dir kv, String name, ByteBuffer into) throws FsException {
    try (Handle h = ((File) Namespace.walk(kv, List.of("b", name))).open(OpenMode.READ)) {
      h.read(into, 0, true);
    }
  }

  /** Seconds to list a bucket of {@code n} keys through the tree, and with a raw iterator. */
  private static void listing(Path root, int n) throws Exception {
    Report.note("kv: loading %d keys twice", n);
    byte[] one = {1};
    try (Options o = new Options().setCreateIfMissing(true);
        RocksDB raw = RocksDB.open(o, root.resolve("ls-raw").toString());
        WriteOptions w = new WriteOptions().setSync(true)) {
      for (int start = 0; start < n; start += 20_000) {
        try (WriteBatch batch = new WriteBatch()) {
          for (int i = start; i < Math.min(n, start + 20_000); i++) {
            batch.put(String.format("key-%07d", i).getBytes(), one);
          }
          raw.write(w, batch);
        }
      }
      long begin = System.nanoTime();
      int seen = 0;
      try (RocksIterator it = raw.newIterator()) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          it.key();
          seen++;
        }
      }
      Report.line("kv.ls-1M.peer", (System.nanoTime() - begin) / 1e9, "s");
      check(seen, n);
    }
    try (KvStore store =
        RocksKvStore.open(root.resolve("ls"), Durability.SYNC, Thread.ofPlatform().factory())) {
      store.createBucket("b");
      for (int start = 0; start < n; start += 20_000) {
        Map<String, byte[]> batch = new HashMap<>();
        for (int i = start; i < Math.min(n, start + 20_000); i++) {
          batch.put(String.format("key-%07d", i), one);
        }
        store.putAll("b", batch);
      }
      Dir bucket = (Dir) new KvDir(store).lookup("b");
      for (int round = 0; round < 3; round++) {
        long begin = System.nanoTime();
        int seen = 0;
        String cursor = null;
        for (var page = bucket.list(null, 1000);
            !page.isEmpty();
            page = bucket.list(cursor, 1000)) {
          seen += page.size();
          cursor = page.get(page.size() - 1).cursor();
        }
        Report.line("kv.ls-1M.lunar", (System.nanoTime() - begin) / 1e9, "s");
        check(seen, n);
      }
    }
  }

  /** Ops per second of {@code threads} threads doing {@code op} until {@code seconds} pass. */
  private static double rate(ThreadFactory factory, int threads, double seconds, Op op)
      throws Exception {
    return rate(factory, threads, seconds, op, new long[threads]);
  }

  /** As above, leaving in {@code counts} how many ops each thread did. */
  private static double rate(
      ThreadFactory factory, int threads, double seconds, Op op, long[] counts) throws Exception {
    LongAdder done = new LongAdder();
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(threads);
    Exception[] failure = new Exception[1];
    long[] deadline = new long[1];
    for (int t = 0; t < threads; t++) {
      int id = t;
      factory
          .newThread(() -> {
            try {
              go.await();
              for (long i = 0; System.nanoTime() < deadline[0]; i++) {
                op.run(id, i);
                done.increment();
                counts[id] = i + 1;
              }
            } catch (Exception e) {
              failure[0] = e;
            } finally {
              finished.countDown();
            }
          })
          .start();
    }
    long start = System.nanoTime();
    deadline[0] = start + (long) (seconds * 1e9);
    go.countDown();
    finished.await();
    if (failure[0] != null) {
      throw failure[0];
    }
    return done.sum() / ((System.nanoTime() - start) / 1e9);
  }

  /** The name of a key written in the put phase: thread {@code t}'s own, if it wrote any. */
  private static String written(long[] counts, int t, long i) {
    int u = t;
    while (counts[u] == 0) {
      u = (u + 1) % counts.length; // a thread starved in the put phase
    }
    return name(u, i % counts[u]);
  }

  private static String name(int thread, long i) {
    return "k" + thread + "-" + i;
  }

  private static byte[] key(int thread, long i) {
    return name(thread, i).getBytes();
  }

  private static void check(int seen, int n) {
    if (seen != n) {
      throw new IllegalStateException("listed " + seen + " keys of " + n);
    }
  }

  static void delete(Path root) throws Exception {
    try (var files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
