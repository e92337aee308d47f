package dev.lunar.runtime.proc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

/**
 * A process's mailbox: many senders, one receiver.
 *
 * <p>Concurrency contract: {@link #offer} may be called from any thread; {@link #receive} and
 * {@link #size} only from the owner's thread, which parks while it waits. Messages from one sender
 * arrive in the order sent. A selective receive moves the messages it skips to a private save
 * queue, kept in arrival order and searched first next time, as Erlang does.
 */
final class Mailbox {
  private static final int CHUNK = 16;

  private static final VarHandle QUEUE;

  static {
    try {
      QUEUE =
          MethodHandles.lookup()
              .findVarHandle(Mailbox.class, "queue", MpscUnboundedXaddArrayQueue.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Made at the first send: a JCTools queue is a few hundred padded bytes, and many never get one.
   */
  private volatile MpscUnboundedXaddArrayQueue<Message> queue;

  private final ArrayDeque<Message> saved = new ArrayDeque<>(0);
  private final AtomicInteger count = new AtomicInteger();
  private final int capacity;
  private final Thread owner;
  private final Alarms alarms;
  private volatile boolean parked;

  Mailbox(Thread owner, int capacity, Alarms alarms) {
    this.owner = owner;
    this.capacity = capacity;
    this.alarms = alarms;
  }

  /** Queues {@code message}; false if the mailbox is full. Any thread. */
  boolean offer(Message message) {
    if (count.incrementAndGet() > capacity) {
      count.decrementAndGet();
      return false;
    }
    enqueue(message);
    return true;
  }

  /** Queues {@code message} even past capacity: for the runtime's own notices. Any thread. */
  void force(Message message) {
    count.incrementAndGet();
    enqueue(message);
  }

  private void enqueue(Message message) {
    var q = queue;
    if (q == null) {
      q = new MpscUnboundedXaddArrayQueue<>(CHUNK);
      if (!QUEUE.compareAndSet(this, null, q)) {
        q = queue;
      }
    }
    q.offer(message);
    if (parked) {
      LockSupport.unpark(owner);
    }
  }

  /** Queued messages, approximately when called from another thread. */
  int size() {
    return count.get();
  }

  /**
   * Takes the oldest message whose tag is {@code tag} (any message when {@code tag} is null),
   * waiting at most {@code timeoutNanos} (forever when negative). Owner thread only.
   *
   * @return the message, or null on timeout
   * @throws InterruptedException when the process is killed while waiting
   */
  Message receive(String tag, long timeoutNanos) throws InterruptedException {
    long deadline = timeoutNanos < 0 ? 0 : System.nanoTime() + timeoutNanos;
    Message found = takeSaved(tag);
    while (found == null) {
      Message next = poll();
      if (next != null) {
        if (tag == null || tag.equals(next.tag())) {
          found = next;
        } else {
          saved.addLast(next);
        }
        continue;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      long left = timeoutNanos < 0 ? Long.MAX_VALUE : deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      parked = true;
      // Re-check after publishing `parked`, so an offer in between is not missed.
      var q = queue;
      if (q == null || q.isEmpty()) {
        if (timeoutNanos < 0) {
          LockSupport.park(this);
        } else {
          alarms.parkNanos(this, left);
        }
      }
      parked = false;
    }
    count.decrementAndGet();
    return found;
  }

  /**
   * Whether a message tagged {@code tag} (any when null) is waiting. Owner thread only: it moves
   * what has arrived to the save queue, which keeps arrival order.
   */
  boolean has(String tag) {
    Message next;
    while ((next = poll()) != null) {
      saved.addLast(next);
    }
    if (tag == null) {
      return !saved.isEmpty();
    }
    for (Message m : saved) {
      if (tag.equals(m.tag())) {
        return true;
      }
    }
    return false;
  }

  /** While on, every arrival unparks the owner: for a {@code poll} over several sources. */
  void watch(boolean on) {
    parked = on;
  }

  private Message takeSaved(String tag) {
    for (Iterator<Message> it = saved.iterator(); it.hasNext(); ) {
      Message m = it.next();
      if (tag == null || tag.equals(m.tag())) {
        it.remove();
        return m;
      }
    }
    return null;
  }

  private Message poll() {
    var q = queue;
    return q == null ? null : q.relaxedPoll();
  }
}
