package dev.lunar.kv.rocks;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.kv.Durability;
import dev.lunar.kv.KvNames;
import dev.lunar.kv.KvStat;
import dev.lunar.kv.KvStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.NativeLibraryLoader;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * A {@link KvStore} in a RocksDB database on disk: buckets are key prefixes in one column family
 * ({@link KeyLayout}), every change goes through one group-committing writer ({@link Committer}),
 * reads go straight to RocksDB from the caller's thread.
 *
 * <p>Concurrency contract: as {@link KvStore}. One thread, made by the {@link ThreadFactory} given
 * to {@link #open}, commits; {@link #close} waits for it and for reads in progress. A directory is
 * open in one store at a time: a second {@link #open} of it, in this process or another, fails.
 */
public final class RocksKvStore implements KvStore {
  private final Path dir;
  private final RocksOptions options;
  private final RocksDB db;
  private final InstantSource clock;
  private final Committer committer;
  private final Thread committerThread;

  /** Reads and submits hold it shared; close holds it alone, so nothing uses a freed database. */
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();

  private final KnownBuckets knownBuckets = new KnownBuckets();

  private boolean closed;

  private RocksKvStore(
      Path dir, RocksOptions options, RocksDB db, ThreadFactory threads, InstantSource clock) {
    this.dir = dir;
    this.options = options;
    this.db = db;
    this.clock = clock;
    this.committer = new Committer(db, options.read, options.write);
    this.committerThread = threads.newThread(committer);
    committerThread.start();
  }

  /**
   * Loads RocksDB's native library from {@code dir}, copying it there from the rocksdbjni jar
   * first; call it before the first {@link #open}. Without it, RocksDB copies its 17 MB library to
   * a fresh file in {@code java.io.tmpdir} at every start and deletes it only on a normal exit, so
   * every killed JVM leaves one behind; here the next start replaces the same file. Does nothing
   * once the library is loaded.
   *
   * @throws IOException if {@code dir} cannot be made or the library cannot be copied there
   */
  public static void loadLibrary(Path dir) throws IOException {
    Files.createDirectories(dir);
    try {
      NativeLibraryLoader.getInstance().loadLibrary(dir.toString());
    } catch (RuntimeException e) { // e.g. another JVM copying it there at the same moment
      throw new IOException("cannot copy RocksDB's library to " + dir + ": " + e.getMessage(), e);
    }
    RocksDB.loadLibrary();
  }

  /** Opens (creating if need be) the store in {@code dir}, with the system clock. */
  public static RocksKvStore open(Path dir, Durability durability, ThreadFactory threads)
      throws IOException {
    return open(dir, durability, threads, InstantSource.system());
  }

  /**
   * Opens (creating if need be) the store in {@code dir}.
   *
   * @param threads makes the one committer thread (a platform thread is best: it sits in {@code
   *     fsync})
   * @param clock gives modification times
   * @throws IOException with a one-line reason: the directory is in use by another store, is not a
   *     Lunar store, or cannot be opened
   */
  public static RocksKvStore open(
      Path dir, Durability durability, ThreadFactory threads, InstantSource clock)
      throws IOException {
    Files.createDirectories(dir);
    RocksDB.loadLibrary();
    RocksOptions options = new RocksOptions(durability);
    RocksDB db = null;
    try {
      db = RocksDB.open(options.db, dir.toString());
      KeyLayout.checkFormat(db, dir);
      return new RocksKvStore(dir, options, db, threads, clock);
    } catch (RocksDBException | IOException | RuntimeException e) {
      if (db != null) {
        db.close();
      }
      options.close();
      if (e instanceof RocksDBException r) {
        throw openError(dir, r);
      }
      if (e instanceof IOException io) {
        throw io;
      }
      throw (RuntimeException) e;
    }
  }

  private static IOException openError(Path dir, RocksDBException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("lock")) {
      return new IOException(
          dir + " is in use by another key-value store (another node?): its LOCK is held", e);
    }
    return new IOException("cannot open the key-value store in " + dir + ": " + message, e);
  }

  /** Where the database lives. */
  public Path dir() {
    return dir;
  }

  /** Batched writes so far; {@link #changes()} per write is the mean group size. */
  public long writes() {
    return committer.writes();
  }

  /** Changes committed so far. */
  public long changes() {
    return committer.changes();
  }

  @Override
  public void createBucket(String bucket) throws FsException {
    byte[] record = KeyLayout.bucket(KvNames.bucket(bucket));
    commit(
        0,
        batch -> {
          if (batch.get(record) != null) {
            throw new FsException(Errno.EEXIST, "bucket " + bucket + " exists");
          }
          batch.put(record, KeyLayout.millis(clock.millis()));
          return null;
        });
  }

  @Override
  public void dropBucket(String bucket) throws FsException {
    byte[] name = KvNames.bucket(bucket);
    byte[] record = KeyLayout.bucket(name);
    commit(
        0,
        batch -> {
          if (batch.get(record) == null) {
            throw KvStore.noBucket(bucket);
          }
          if (batch.any(KeyLayout.stats(name), KeyLayout.statsEnd(name))) {
            throw new FsException(Errno.ENOTEMPTY, "bucket " + bucket + " is not empty");
          }
          batch.delete(record);
          return null;
        });
    knownBuckets.dropped(bucket);
  }

  @Override
  public Long bucketCreated(String bucket) throws FsException {
    if (!KvNames.isBucket(bucket)) {
      return null;
    }
    byte[] record = KeyLayout.bucket(KvNames.bucket(bucket));
    byte[] created = read(() -> db.get(options.read, record));
    return created == null ? null : KeyLayout.longAt(created, 0);
  }

  @Override
  public boolean bucketExists(String bucket) throws FsException {
    if (!KvNames.isBucket(bucket)) {
      return false;
    }
    byte[] record = KeyLayout.bucket(KvNames.bucket(bucket));
    return knownBuckets.exists(bucket, () -> read(() -> db.get(options.read, record)) != null);
  }

  @Override
  public List<String> buckets(String after, int max) throws FsException {
    byte[] from =
        after == null
            ? KeyLayout.BUCKETS
            : KeyLayout.concat(
                KeyLayout.bucket(after.getBytes(StandardCharsets.UTF_8)), new byte[] {0}, null);
    return read(() -> {
      List<String> out = new ArrayList<>();
      scan(from, KeyLayout.BUCKETS_END, max, record -> out.add(KeyLayout.bucketName(record)));
      return out;
    });
  }

  @Override
  public byte[] get(String bucket, String key) throws FsException {
    byte[] name = KvNames.bucket(bucket);
    byte[] k = KvNames.key(key);
    byte[] value = read(() -> db.get(options.read, KeyLayout.value(name, k)));
    if (value == null) {
      requireBucket(bucket);
    }
    return value;
  }

  @Override
  public KvStat stat(String bucket, String key) throws FsException {
    byte[] name = KvNames.bucket(bucket);
    byte[] k = KvNames.key(key);
    byte[] stat = read(() -> db.get(options.read, KeyLayout.stat(name, k)));
    if (stat == null) {
      requireBucket(bucket);
      return null;
    }
    return new KvStat(KeyLayout.longAt(stat, 0), KeyLayout.longAt(stat, 8));
  }

  @Override
  public void put(String bucket, String key, byte[] value) throws FsException {
    putAll(bucket, Map.of(key, value));
  }

  @Override
  public void putAll(String bucket, Map<String, byte[]> entries) throws FsException {
    byte[] name = KvNames.bucket(bucket);
    Map<byte[], byte[]> checked = new LinkedHashMap<>();
    long bytes = 0;
    for (var e : entries.entrySet()) {
      KvNames.value(e.getValue().length);
      checked.put(KvNames.key(e.getKey()), e.getValue());
      bytes += e.getValue().length;
    }
    byte[] record = KeyLayout.bucket(name);
    commit(
        bytes,
        batch -> {
          if (batch.get(record) == null) {
            throw KvStore.noBucket(bucket);
          }
          long now = clock.millis();
          for (var e : checked.entrySet()) {
            batch.put(KeyLayout.value(name, e.getKey()), e.getValue());
            batch.put(
                KeyLayout.stat(name, e.getKey()), KeyLayout.statValue(e.getValue().length, now));
          }
          return null;
        });
  }

  @Override
  public boolean delete(String bucket, String key) throws FsException {
    byte[] name = KvNames.bucket(bucket);
    byte[] k = KvNames.key(key);
    byte[] record = KeyLayout.bucket(name);
    return (Boolean)
        commit(
            0,
            batch -> {
              byte[] stat = KeyLayout.stat(name, k);
              if (batch.get(stat) == null) {
                if (batch.get(record) == null) {
                  throw KvStore.noBucket(bucket);
                }
                return false;
              }
              batch.delete(stat);
              batch.delete(KeyLayout.value(name, k));
              return true;
            });
  }

  @Override
  public void rename(String bucket, String from, String to) throws FsException {
    byte[] name = KvNames.bucket(bucket);
    byte[] f = KvNames.key(from);
    byte[] t = KvNames.key(to);
    byte[] record = KeyLayout.bucket(name);
    commit(
        0,
        batch -> {
          byte[] stat = batch.get(KeyLayout.stat(name, f));
          if (stat == null) {
            if (batch.get(record) == null) {
              throw KvStore.noBucket(bucket);
            }
            throw new FsException(Errno.ENOENT, "no key " + from + " in bucket " + bucket);
          }
          if (Arrays.equals(f, t)) {
            return null;
          }
          byte[] value = batch.get(KeyLayout.value(name, f));
          batch.delete(KeyLayout.stat(name, f));
          batch.delete(KeyLayout.value(name, f));
          batch.put(KeyLayout.stat(name, t), stat);
          batch.put(KeyLayout.value(name, t), value);
          return null;
        });
  }

  @Override
  public List<String> keys(String bucket, String after, int max) throws FsException {
    byte[] name = KvNames.bucket(bucket);
    byte[] prefix = KeyLayout.stats(name);
    byte[] from = after == null ? prefix : KeyLayout.concat(prefix, KvNames.key(after), null);
    List<String> out =
        read(() -> {
          List<String> keys = new ArrayList<>();
          scan(
              from,
              KeyLayout.statsEnd(name),
              max + (after == null ? 0 : 1),
              record -> keys.add(KeyLayout.keyName(record, prefix.length)));
          return keys;
        });
    if (after != null && !out.isEmpty() && out.get(0).equals(after)) {
      out.remove(0);
    }
    if (out.size() > max) {
      out.remove(out.size() - 1);
    }
    if (out.isEmpty()) {
      requireBucket(bucket);
    }
    return out;
  }

  /** Closes the database once every change accepted so far is committed. */
  @Override
  public void close() {
    gate.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      committer.stop();
      boolean interrupted = false;
      while (committerThread.isAlive()) {
        try {
          committerThread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      db.close();
      options.close();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    } finally {
      gate.writeLock().unlock();
    }
  }

  private interface Read<T> {
    T run() throws RocksDBException;
  }

  private interface RecordSink {
    void accept(byte[] record);
  }

  /** Runs a read unless the store is closed. */
  private <T> T read(Read<T> read) throws FsException {
    gate.readLock().lock();
    try {
      if (closed) {
        throw KvStore.closed();
      }
      return read.run();
    } catch (RocksDBException e) {
      throw RocksErrors.toFs(e);
    } finally {
      gate.readLock().unlock();
    }
  }

  /** Hands the records in {@code [from, end)} to {@code sink}, at most {@code max}. */
  private void scan(byte[] from, byte[] end, int max, RecordSink sink) throws RocksDBException {
    try (Slice upper = new Slice(end);
        ReadOptions bounded = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(bounded)) {
      it.seek(from);
      for (int n = 0; n < max && it.isValid(); n++) {
        sink.accept(it.key());
        it.next();
      }
      it.status();
    }
  }

  private Object commit(long bytes, Committer.Change change) throws FsException {
    gate.readLock().lock();
    CompletableFuture<Object> done;
    try {
      if (closed) {
        throw KvStore.closed();
      }
      done = committer.submit(change, bytes);
    } finally {
      gate.readLock().unlock();
    }
    return Committer.await(done);
  }

  private void requireBucket(String bucket) throws FsException {
    if (!bucketExists(bucket)) {
      throw KvStore.noBucket(bucket);
    }
  }
}
