package dev.lunar.kv.tree;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.kv.KvNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keys created through the tree whose first value is not committed yet. The kernel looks a file up
 * right after creating it, and {@code ls} should show it, so such a key is visible (empty) while a
 * handle that created it is open, without a put of an empty value that readers could see. One lock:
 * creating is rare next to reading.
 *
 * <p>It also knows the buckets being dropped, where no key may start. Nothing waits for a commit
 * while holding its lock: a process waiting for a commit gives up its run token, and one blocked on
 * a lock does not, so a commit awaited under the lock could leave every token with processes
 * blocked here and none for the waiter to come back on.
 */
final class Pending {
  private static final class Entry {
    int handles;
    final long created;

    Entry(long created) {
      this.created = created;
    }
  }

  private final Map<String, TreeMap<String, Entry>> buckets = new HashMap<>();

  /** Buckets being dropped, with how many drops of each are under way. */
  private final Map<String, Integer> dropping = new HashMap<>();

  /**
   * Holds {@code key} for one more handle; false if {@code exclusive} and someone holds it already.
   *
   * @throws FsException {@code ENOENT} if the bucket is being dropped
   */
  synchronized boolean reserve(String bucket, String key, boolean exclusive, long now)
      throws FsException {
    if (dropping.containsKey(bucket)) {
      throw new FsException(Errno.ENOENT, "bucket " + bucket + " is being removed");
    }
    TreeMap<String, Entry> keys =
        buckets.computeIfAbsent(bucket, b -> new TreeMap<>(KvNames.ORDER));
    Entry e = keys.get(key);
    if (e != null && exclusive) {
      return false;
    }
    if (e == null) {
      e = new Entry(now);
      keys.put(key, e);
    }
    e.handles++;
    return true;
  }

  synchronized void release(String bucket, String key) {
    TreeMap<String, Entry> keys = buckets.get(bucket);
    Entry e = keys == null ? null : keys.get(key);
    if (e != null && --e.handles == 0) {
      keys.remove(key);
      if (keys.isEmpty()) {
        buckets.remove(bucket);
      }
    }
  }

  /**
   * Marks {@code bucket} as being dropped, so that no key starts in it until {@link #dropped}.
   *
   * @throws FsException {@code ENOTEMPTY} if a key of it is pending: it shows in {@code ls}
   */
  synchronized void dropping(String bucket) throws FsException {
    if (buckets.containsKey(bucket)) {
      throw new FsException(Errno.ENOTEMPTY, bucket + " has a key being written");
    }
    dropping.merge(bucket, 1, Integer::sum);
  }

  /** Ends what {@link #dropping} began, whether the drop succeeded or not. */
  synchronized void dropped(String bucket) {
    dropping.computeIfPresent(bucket, (b, n) -> n == 1 ? null : n - 1);
  }

  /** When {@code key} was created, if it is pending; else null. */
  synchronized Long created(String bucket, String key) {
    TreeMap<String, Entry> keys = buckets.get(bucket);
    Entry e = keys == null ? null : keys.get(key);
    return e == null ? null : e.created;
  }

  /** The first {@code max} pending keys after {@code cursor}, in key order. */
  synchronized List<String> after(String bucket, String cursor, int max) {
    TreeMap<String, Entry> keys = buckets.get(bucket);
    if (keys == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String k : (cursor == null ? keys : keys.tailMap(cursor, false)).keySet()) {
      if (out.size() == max) {
        break;
      }
      out.add(k);
    }
    return out;
  }
}
