package dev.lunar.kv;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link KvStore} in memory, for tests and for nodes that keep nothing: gone when the JVM ends.
 * One lock guards everything, so it is correct rather than fast.
 */
public final class MemKvStore implements KvStore {
  private record Value(byte[] bytes, long modified) {}

  private record Bucket(long created, TreeMap<String, Value> keys) {}

  private final InstantSource clock;
  private final TreeMap<String, Bucket> buckets = new TreeMap<>();
  private boolean closed;

  public MemKvStore() {
    this(InstantSource.system());
  }

  /** A store whose modification times come from {@code clock}. */
  public MemKvStore(InstantSource clock) {
    this.clock = clock;
  }

  @Override
  public synchronized void createBucket(String bucket) throws FsException {
    KvNames.bucket(bucket);
    open();
    if (buckets.containsKey(bucket)) {
      throw new FsException(Errno.EEXIST, "bucket " + bucket + " exists");
    }
    buckets.put(bucket, new Bucket(clock.millis(), new TreeMap<>(KvNames.ORDER)));
  }

  @Override
  public synchronized void dropBucket(String bucket) throws FsException {
    if (!bucket(bucket).keys.isEmpty()) {
      throw new FsException(Errno.ENOTEMPTY, "bucket " + bucket + " is not empty");
    }
    buckets.remove(bucket);
  }

  @Override
  public synchronized Long bucketCreated(String bucket) throws FsException {
    open();
    Bucket b = buckets.get(bucket);
    return b == null ? null : b.created;
  }

  @Override
  public synchronized List<String> buckets(String after, int max) throws FsException {
    open();
    var tail = after == null ? buckets : buckets.tailMap(after, false);
    return first(tail.keySet(), max);
  }

  @Override
  public synchronized byte[] get(String bucket, String key) throws FsException {
    KvNames.key(key);
    Value v = bucket(bucket).keys.get(key);
    return v == null ? null : v.bytes.clone();
  }

  @Override
  public synchronized KvStat stat(String bucket, String key) throws FsException {
    KvNames.key(key);
    Value v = bucket(bucket).keys.get(key);
    return v == null ? null : new KvStat(v.bytes.length, v.modified);
  }

  @Override
  public synchronized void put(String bucket, String key, byte[] value) throws FsException {
    putAll(bucket, Map.of(key, value));
  }

  @Override
  public synchronized void putAll(String bucket, Map<String, byte[]> entries) throws FsException {
    Map<String, Value> checked = new HashMap<>();
    long now = clock.millis();
    for (var e : entries.entrySet()) {
      KvNames.key(e.getKey());
      KvNames.value(e.getValue().length);
      checked.put(e.getKey(), new Value(e.getValue().clone(), now));
    }
    bucket(bucket).keys.putAll(checked);
  }

  @Override
  public synchronized boolean delete(String bucket, String key) throws FsException {
    KvNames.key(key);
    return bucket(bucket).keys.remove(key) != null;
  }

  @Override
  public synchronized void rename(String bucket, String from, String to) throws FsException {
    KvNames.key(from);
    KvNames.key(to);
    TreeMap<String, Value> keys = bucket(bucket).keys;
    Value v = keys.get(from);
    if (v == null) {
      throw new FsException(Errno.ENOENT, "no key " + from + " in bucket " + bucket);
    }
    keys.remove(from);
    keys.put(to, v);
  }

  @Override
  public synchronized List<String> keys(String bucket, String after, int max) throws FsException {
    TreeMap<String, Value> keys = bucket(bucket).keys;
    return first((after == null ? keys : keys.tailMap(after, false)).keySet(), max);
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  private void open() throws FsException {
    if (closed) {
      throw KvStore.closed();
    }
  }

  private Bucket bucket(String bucket) throws FsException {
    open();
    Bucket b = buckets.get(bucket);
    if (b == null) {
      throw KvStore.noBucket(bucket);
    }
    return b;
  }

  private static List<String> first(Iterable<String> names, int max) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (out.size() >= max) {
        break;
      }
      out.add(n);
    }
    return out;
  }
}
