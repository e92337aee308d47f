package dev.lunar.kv.rocks;

import dev.lunar.fs.FsException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Buckets known to exist, so that a read that misses (every create of a key through the tree) need
 * not read the bucket's record too. Only {@link #dropped} forgets one, called after the drop's
 * write; a count of drops lets a reader that raced with one take back what it added.
 *
 * <p>Concurrency contract: any thread. A stale "exists" can only be seen by a call concurrent with
 * the drop, which may be ordered before it.
 */
final class KnownBuckets {
  /** Reads whether a bucket exists, from the database. */
  interface Lookup {
    boolean exists() throws FsException;
  }

  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private final AtomicLong drops = new AtomicLong();

  /** Whether {@code bucket} exists, asking {@code lookup} only when it is not known to. */
  boolean exists(String bucket, Lookup lookup) throws FsException {
    if (known.contains(bucket)) {
      return true;
    }
    long before = drops.get();
    if (!lookup.exists()) {
      return false;
    }
    known.add(bucket);
    if (drops.get() != before) {
      known.remove(bucket); // a drop may have removed it before we added it
    }
    return true;
  }

  void dropped(String bucket) {
    drops.incrementAndGet();
    known.remove(bucket);
  }
}
