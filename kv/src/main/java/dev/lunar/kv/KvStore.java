package dev.lunar.kv;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import java.util.List;
import java.util.Map;

/**
 * Buckets of keys, each key holding one value of bytes. Implementations: {@link MemKvStore} (in
 * memory) and {@code dev.lunar.kv.rocks.RocksKvStore} (RocksDB on disk).
 *
 * <p>Names and sizes are checked by {@link KvNames}, the same for every implementation. Every
 * failure is an {@link FsException} whose {@link Errno} the tree and guests get unchanged: {@link
 * Errno#ENOENT} for a missing bucket (or a missing key where one is required), {@link
 * Errno#EEXIST}, {@link Errno#ENOTEMPTY}, {@link Errno#EINVAL}, {@link Errno#ENAMETOOLONG}, {@link
 * Errno#EFBIG}, and {@link Errno#EIO} when the store itself fails or is closed. A failed call
 * changes nothing.
 *
 * <p>Concurrency contract: every method may be called from any number of threads (virtual or not)
 * at once. Each change is atomic and, once its method returns, visible to every later call and as
 * durable as the store promises ({@link Durability}). Keys list in byte order of their UTF-8
 * ({@link KvNames#ORDER}); listings are paged by a cursor, so that a bucket of a million keys is
 * never read whole. Values passed in are copied before the call returns; values returned belong to
 * the caller.
 */
public interface KvStore extends AutoCloseable {
  /** Creates an empty bucket; {@link Errno#EEXIST} if it exists. */
  void createBucket(String bucket) throws FsException;

  /** Removes an empty bucket; {@link Errno#ENOTEMPTY} if it holds keys. */
  void dropBucket(String bucket) throws FsException;

  /** When the bucket was created (milliseconds since the epoch); null if there is none. */
  Long bucketCreated(String bucket) throws FsException;

  /** Whether {@code bucket} exists; may answer from memory, unlike {@link #bucketCreated}. */
  default boolean bucketExists(String bucket) throws FsException {
    return bucketCreated(bucket) != null;
  }

  /** At most {@code max} bucket names after {@code after} (from the first when null), sorted. */
  List<String> buckets(String after, int max) throws FsException;

  /** The value of {@code key}; null if it has none. */
  byte[] get(String bucket, String key) throws FsException;

  /** The size and time of {@code key}'s value, without reading it; null if it has none. */
  KvStat stat(String bucket, String key) throws FsException;

  /** Sets {@code key}'s value, replacing any. */
  void put(String bucket, String key, byte[] value) throws FsException;

  /** Sets several values at once: all or none. */
  void putAll(String bucket, Map<String, byte[]> entries) throws FsException;

  /** Removes {@code key}; false if it had no value. */
  boolean delete(String bucket, String key) throws FsException;

  /**
   * Moves {@code from}'s value to {@code to}, replacing any value there, in one atomic step; {@link
   * Errno#ENOENT} if {@code from} has none.
   */
  void rename(String bucket, String from, String to) throws FsException;

  /**
   * At most {@code max} keys after {@code after} (from the first when null; {@code after} need not
   * exist), in byte order. Costs a seek and {@code max} steps, however big the bucket.
   */
  List<String> keys(String bucket, String after, int max) throws FsException;

  /** Finishes what was accepted and releases the store; later calls fail with {@link Errno#EIO}. */
  @Override
  void close();

  /** The error for a bucket that does not exist. */
  static FsException noBucket(String bucket) {
    return new FsException(Errno.ENOENT, "no bucket " + bucket);
  }

  /** The error for a call on a closed store. */
  static FsException closed() {
    return new FsException(Errno.EIO, "the key-value store is closed");
  }
}
