package dev.lunar.runtime.proc;

import dev.lunar.runtime.Threads;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node's message timers, fired by one platform thread. A timer is pending while its id is in
 * {@link #pending}: firing and cancelling both remove it, and whichever does so first wins. A timer
 * whose receiver has gone, or whose mailbox is full, drops its message, since no sender is left to
 * tell. A pending timer's body counts in the node's queued bytes, from when it is set until it
 * fires or is cancelled. Thread-safe.
 */
final class Timers implements AutoCloseable {
  private static final class Entry {
    final long to;
    final int bytes;
    volatile ScheduledFuture<?> future;

    Entry(long to, int bytes) {
      this.to = to;
      this.bytes = bytes;
    }
  }

  private final Node node;
  private final ScheduledExecutorService executor = Threads.newTimerThread("lunar-timers");
  private final Map<Long, Entry> pending = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(1);

  Timers(Node node) {
    this.node = node;
  }

  long sendAfter(long delayMillis, long to, Message message) throws SendException {
    if (!node.queued().take(message.body().length)) {
      throw node.nodeFull();
    }
    long id = nextId.getAndIncrement();
    var entry = new Entry(to, message.body().length);
    pending.put(id, entry);
    entry.future =
        executor.schedule(
            () -> fire(id, to, message), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    return id;
  }

  private void fire(long id, long to, Message message) {
    Entry entry = pending.remove(id);
    if (entry == null) {
      return; // cancelled
    }
    node.queued().give(entry.bytes);
    try {
      node.send(to, message);
    } catch (SendException e) {
      // The receiver has gone or is full, and no sender is left to tell: the message is dropped.
    }
  }

  boolean cancel(long to, long id) {
    Entry entry = pending.get(id);
    if (entry == null || entry.to != to || !pending.remove(id, entry)) {
      return false;
    }
    node.queued().give(entry.bytes);
    ScheduledFuture<?> future = entry.future;
    if (future != null) {
      future.cancel(false);
    }
    return true;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
