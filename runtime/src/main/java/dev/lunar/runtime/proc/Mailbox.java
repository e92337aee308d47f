package dev.lunar.runtime.proc;

import dev.lunar.fs.ByteBudget;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

/**
 * A process's mailbox: many senders, one receiver.
 *
 * <p>Concurrency contract: {@link #offer} may be called from any thread; {@link #receive} and
 * {@link #size} only from the owner's thread, which parks while it waits. Messages from one sender
 * arrive in the order sent. A selective receive moves the messages it skips to a private save
 * queue, kept in arrival order and searched first next time, as Erlang does.
 *
 * <p>It holds at most {@code capacity} messages and {@code maxBytes} bytes of bodies, and its
 * bodies count against the node's {@link ByteBudget} too. {@link #close} (when its process has
 * ended) drops what is queued and refuses what comes after, so an ended process, kept a while for
 * inspection, keeps no messages alive.
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

  /** Bytes of the bodies queued; {@link #CLOSED} or less once closed. */
  private final AtomicLong bytes = new AtomicLong();

  private static final long CLOSED = Long.MIN_VALUE / 2;
  private final long maxBytes;
  private final ByteBudget pool;
  private final Thread owner;
  private final Alarms alarms;
  private volatile boolean parked;

  Mailbox(Thread owner, int capacity, long maxBytes, ByteBudget pool, Alarms alarms) {
    this.owner = owner;
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.pool = pool;
    this.alarms = alarms;
  }

  /** What became of an offer. */
  enum Offer {
    QUEUED,
    /** The mailbox holds its most messages. */
    FULL,
    /** The mailbox holds its most bytes. */
    FULL_BYTES,
    /** The node holds its most bytes of queued messages. */
    NODE_FULL,
    /** The mailbox's process has ended. */
    CLOSED
  }

  /** Queues {@code message}, unless a limit stops it or the mailbox is closed. Any thread. */
  Offer offer(Message message) {
    int size = message.body().length;
    if (count.incrementAndGet() > capacity) {
      count.decrementAndGet();
      return Offer.FULL;
    }
    if (!pool.take(size)) {
      count.decrementAndGet();
      return Offer.NODE_FULL;
    }
    // After the pool: close() gives back to the pool every byte counted here before it.
    long held = bytes.addAndGet(size);
    if (held < 0) {
      pool.give(size); // closed: its bytes stay below zero
      count.decrementAndGet();
      return Offer.CLOSED;
    }
    if (held > maxBytes) {
      bytes.addAndGet(-size);
      pool.give(size);
      count.decrementAndGet();
      return Offer.FULL_BYTES;
    }
    enqueue(message);
    return Offer.QUEUED;
  }

  /** Queues {@code message} past every limit: for the runtime's own notices. Any thread. */
  void force(Message message) {
    int size = message.body().length;
    pool.force(size);
    if (bytes.addAndGet(size) < 0) {
      pool.give(size); // closed
      return;
    }
    count.incrementAndGet();
    enqueue(message);
  }

  /**
   * Drops every message queued, giving their bytes back to the node, and refuses later offers. Once
   * only, after the owner's last receive.
   */
  void close() {
    long held = bytes.getAndSet(CLOSED);
    if (held > 0) {
      pool.give(held);
    }
    queue = null;
    saved.clear();
    count.set(0);
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
    int size = found.body().length;
    bytes.addAndGet(-size);
    pool.give(size);
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
