package dev.lunar.runtime.proc;

import dev.lunar.runtime.Threads;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * fires or is cancelled; a timer whose receiver ends is cancelled then, since its message would be
 * dropped anyway, so that it does not hold those bytes until it would have fired. Thread-safe.
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

  /** The pending timers' ids, by receiver. */
  private final Map<Long, Set<Long>> byReceiver = new ConcurrentHashMap<>();

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
    byReceiver.compute(
        to,
        (pid, ids) -> {
          Set<Long> set = ids != null ? ids : ConcurrentHashMap.newKeySet();
          set.add(id);
          return set;
        });
    entry.future =
        executor.schedule(
            () -> fire(id, to, message), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    if (node.get(to) == null) {
      cancel(to, id); // no such process, or it ended as this was set: its end cancelled the rest
    }
    return id;
  }

  /** Cancels every pending timer of {@code to}, a process that has ended. */
  void receiverEnded(long to) {
    Set<Long> ids = byReceiver.get(to);
    if (ids != null) {
      for (long id : List.copyOf(ids)) {
        cancel(to, id);
      }
    }
  }

  private void forget(long to, long id) {
    byReceiver.computeIfPresent(
        to,
        (pid, ids) -> {
          ids.remove(id);
          return ids.isEmpty() ? null : ids;
        });
  }

  private void fire(long id, long to, Message message) {
    Entry entry = pending.remove(id);
    if (entry == null) {
      return; // cancelled
    }
    forget(to, id);
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
    forget(to, id);
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
