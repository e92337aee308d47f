package dev.lunar.kv.rocks;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * The store's one writer: group commit. Callers queue changes and park; the committer thread takes
 * everything queued (up to {@value #GROUP_BYTES} bytes), applies it change by change to one {@link
 * Batch}, writes the batch with one write (one {@code fsync} of the log when synced), and wakes
 * every caller of the group.
 *
 * <p>Why not let callers write themselves and rely on RocksDB's own write groups: Lunar's callers
 * are virtual threads, and a thread inside a JNI call holds its carrier, of which there are as many
 * as cores. So at most that many writers ever meet inside RocksDB to share a sync, and while they
 * wait for the disk no other process runs. Here a caller parks, through {@link Waits} so that a
 * process gives up its run token too (its carrier runs other processes), and a group holds as many
 * changes as arrived during the previous sync. docs/KV.md has the measurement. A single writer also
 * makes each read-modify-write change (rename, delete, drop of an empty bucket) atomic without
 * locks.
 *
 * <p>Concurrency contract: {@link #submit} from any thread, {@link #run} on the one committer
 * thread. {@link #stop} queues a marker: everything submitted before it is still committed.
 */
final class Committer implements Runnable {
  /** A change: checks, then reads and writes through the batch; its result goes to the caller. */
  interface Change {
    Object apply(Batch batch) throws FsException, RocksDBException;
  }

  private static final long GROUP_BYTES = 16 << 20;

  private record Submitted(Change change, long bytes, CompletableFuture<Object> done) {}

  private static final Submitted STOP = new Submitted(null, 0, null);

  private final RocksDB db;
  private final ReadOptions readOptions;
  private final WriteOptions writeOptions;
  private final LinkedBlockingQueue<Submitted> queue = new LinkedBlockingQueue<>();
  private final LongAdder writes = new LongAdder();
  private final LongAdder changes = new LongAdder();

  Committer(RocksDB db, ReadOptions readOptions, WriteOptions writeOptions) {
    this.db = db;
    this.readOptions = readOptions;
    this.writeOptions = writeOptions;
  }

  /** Queues {@code change}; the caller then waits with {@link #await}. */
  CompletableFuture<Object> submit(Change change, long bytes) {
    var done = new CompletableFuture<>();
    queue.add(new Submitted(change, bytes, done));
    return done;
  }

  /** The change's result, or its error, once its group is written. */
  static Object await(CompletableFuture<Object> done) throws FsException {
    try {
      Waits.until(done); // a process gives up its run token for the commit's fsync
      return done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FsException(Errno.EINTR, "interrupted while committing; the change may yet land");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof FsException fs) {
        throw fs;
      }
      throw new FsException(Errno.EIO, "key-value store: " + e.getCause());
    }
  }

  void stop() {
    queue.add(STOP);
  }

  /** Batched writes so far, and the changes they held: changes per write is the group size. */
  long writes() {
    return writes.sum();
  }

  long changes() {
    return changes.sum();
  }

  @Override
  public void run() {
    List<Submitted> group = new ArrayList<>();
    boolean stopping = false;
    while (!stopping) {
      try {
        Submitted next = queue.take();
        long bytes = 0;
        while (next != null) {
          if (next == STOP) {
            stopping = true;
            break;
          }
          group.add(next);
          bytes += next.bytes;
          next = bytes < GROUP_BYTES ? queue.poll() : null;
        }
      } catch (InterruptedException e) {
        // Not ours to stop this way: stop() does it after the last change.
        continue;
      }
      commit(group);
      group.clear();
    }
  }

  private void commit(List<Submitted> group) {
    if (group.isEmpty()) {
      return;
    }
    Object[] results = new Object[group.size()];
    boolean[] failed = new boolean[group.size()];
    Batch batch = new Batch(db, readOptions);
    try {
      for (int i = 0; i < group.size(); i++) {
        Submitted s = group.get(i);
        batch.writes.setSavePoint();
        try {
          results[i] = s.change.apply(batch);
          batch.writes.popSavePoint();
        } catch (FsException | RocksDBException | RuntimeException e) {
          batch.writes.rollbackToSavePoint();
          failed[i] = true;
          s.done.completeExceptionally(fsError(e));
        }
      }
      if (batch.writes.count() > 0) {
        db.write(writeOptions, batch.writes);
        writes.increment();
      }
      for (int i = 0; i < group.size(); i++) {
        if (!failed[i]) {
          changes.increment();
          group.get(i).done.complete(results[i]);
        }
      }
    } catch (RocksDBException | RuntimeException | Error e) {
      // Nobody of the group may wait forever, whatever went wrong.
      FsException error = fsError(e);
      for (Submitted s : group) {
        s.done.completeExceptionally(error);
      }
    } finally {
      batch.writes.close();
    }
  }

  static FsException fsError(Throwable e) {
    if (e instanceof FsException fs) {
      return fs;
    }
    if (e instanceof RocksDBException r) {
      return RocksErrors.toFs(r);
    }
    return new FsException(Errno.EIO, "key-value store: " + e);
  }
}
