package dev.lunar.kv.tree;

import dev.lunar.fs.ByteBudget;
import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Node;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Stat;
import dev.lunar.kv.KvNames;
import dev.lunar.kv.KvStore;
import java.time.InstantSource;
import java.util.List;

/**
 * {@code /kv}: one directory per bucket of a {@link KvStore}. {@code mkdir} creates a bucket,
 * {@code rmdir} drops an empty one; inside a bucket ({@link BucketDir}) every file is a key.
 *
 * <p>Make one per node and hand the same instance to every caller: it holds the keys being created
 * ({@link Pending}) and the {@link KvMetrics}. Grants are not its business: {@link
 * dev.lunar.fs.Namespace#view} narrows it per process like any other directory.
 *
 * <p>Concurrency contract: every method may be called from any thread at once; handles follow
 * {@link Handle}'s contract (one thread at a time per handle).
 */
public final class KvDir implements Dir {
  final KvStore store;
  final KvMetrics metrics;
  final InstantSource clock;
  final Pending pending = new Pending();

  /** Bytes of values held by open handles: readers' snapshots, writers' buffers. */
  private final ByteBudget open;

  /** A tree over {@code store}; open values may hold a sixteenth of the heap (at least 128 MiB). */
  public KvDir(KvStore store) {
    this(
        store,
        new KvMetrics(),
        InstantSource.system(),
        Math.max(2L * KvNames.MAX_VALUE_BYTES, Runtime.getRuntime().maxMemory() / 16));
  }

  /**
   * A tree over {@code store} that counts into {@code metrics}, dates new keys by {@code clock},
   * and lets its open handles hold at most {@code maxOpenBytes} of values together.
   */
  public KvDir(KvStore store, KvMetrics metrics, InstantSource clock, long maxOpenBytes) {
    this.store = store;
    this.metrics = metrics;
    this.clock = clock;
    this.open = new ByteBudget(maxOpenBytes);
  }

  /** Takes {@code n} bytes for an open handle; {@code ENOMEM}, taking nothing, past the limit. */
  void hold(long n) throws FsException {
    if (!open.take(n)) {
      throw new FsException(
          Errno.ENOMEM,
          "open values hold all the memory the node allows them ("
              + (open.limit() >> 20)
              + " MiB): close some");
    }
  }

  /** Gives back what {@link #hold} took. */
  void letGo(long n) {
    open.give(n);
  }

  /** Bytes of values open handles hold now. */
  public long openBytes() {
    return open.held();
  }

  public KvMetrics metrics() {
    return metrics;
  }

  @Override
  public Node lookup(String name) throws FsException {
    if (!store.bucketExists(name)) {
      throw new FsException(Errno.ENOENT, "no bucket " + name);
    }
    return new BucketDir(this, name);
  }

  @Override
  public List<DirEntry> list(String cursor, int max) throws FsException {
    metrics.lists.increment();
    return store.buckets(cursor, max).stream().map(b -> new DirEntry(b, true, b)).toList();
  }

  @Override
  public void mkdir(String name) throws FsException {
    store.createBucket(name);
  }

  @Override
  public void rmdir(String name) throws FsException {
    // A key being created shows in ls, so its bucket is not empty; and none may start until
    // the drop is over (Pending says why this takes no lock across the commit).
    pending.dropping(name);
    try {
      store.dropBucket(name);
    } finally {
      pending.dropped(name);
    }
  }

  @Override
  public void unlink(String name) throws FsException {
    lookup(name);
    throw new FsException(Errno.EISDIR, name + " is a bucket: rmdir removes it when empty");
  }

  @Override
  public Handle create(String name, OpenMode mode, boolean exclusive) throws FsException {
    throw new FsException(
        Errno.EPERM, "only buckets live in /kv: mkdir one, then write keys in it");
  }

  @Override
  public void rename(String from, String to) throws FsException {
    lookup(from);
    throw new FsException(
        Errno.EXDEV, "a bucket is renamed by copying its keys to a new one (mv does so)");
  }

  @Override
  public Stat stat() {
    return Stat.dir(0);
  }

  /** {@code /kv} itself never changes (its listing does): the host's mount may cache it. */
  @Override
  public java.time.Duration cacheFor() {
    return java.time.Duration.ofSeconds(10);
  }
}
