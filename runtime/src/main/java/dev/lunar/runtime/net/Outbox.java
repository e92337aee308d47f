package dev.lunar.runtime.net;

import dev.lunar.runtime.Threads;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * The sending side of a connection: a write is queued and returns at once, and a writer thread
 * sends the queue in order, so a process that writes to a socket keeps its carrier (the common
 * case: the peer keeps up). Past {@link #LIMIT} bytes queued, {@link #offer} refuses and the writer
 * waits for room, which is how a slow peer slows it down.
 *
 * <p>Concurrency contract: every method may be called from any thread; one writer thread, started
 * on the first offer, does all the socket writes.
 */
final class Outbox {
  static final int LIMIT = 256 << 10;

  /** What the writer reports back to its connection. */
  interface Events {
    /** {@code bytes} are about to be written to the socket. */
    void sent(int bytes);

    void failed(IOException e);

    void drained();
  }

  private final String name;
  private final OutputStream out;
  private final Events events;
  private final Waiters senders = new Waiters();

  /** Bytes to send, and actions to run once the bytes before them are sent. */
  private final ArrayDeque<Object> queue = new ArrayDeque<>();

  private long queued;
  private boolean finishing;
  private boolean stopped;
  private Thread writer;

  Outbox(String name, OutputStream out, Events events) {
    this.name = name;
    this.out = out;
    this.events = events;
  }

  /** Queues {@code bytes} to be sent whole; false if the queue is full (nothing was queued). */
  boolean offer(byte[] bytes) {
    Thread wake;
    synchronized (this) {
      if (queued > 0 && queued + bytes.length > LIMIT) {
        return false;
      }
      queue.add(bytes);
      queued += bytes.length;
      if (writer == null) {
        writer = Threads.startIo(name, this::writeLoop);
        return true;
      }
      wake = writer;
    }
    LockSupport.unpark(wake);
    return true;
  }

  /**
   * Runs {@code action} on the writer thread once everything queued before it has been sent; never
   * if the box stops first.
   */
  void then(Runnable action) {
    Thread wake;
    synchronized (this) {
      if (stopped) {
        return;
      }
      queue.add(action);
      if (writer == null) {
        writer = Threads.startIo(name, this::writeLoop);
        return;
      }
      wake = writer;
    }
    LockSupport.unpark(wake);
  }

  /** Whether an offer of {@code length} bytes would be taken now, or the box has stopped. */
  synchronized boolean hasRoom(int length) {
    return stopped || queued == 0 || queued + length <= LIMIT;
  }

  Waiters senders() {
    return senders;
  }

  /** Sends what is queued, then reports {@link Events#drained} (at once if nothing is). */
  void finish() {
    Thread wake;
    synchronized (this) {
      finishing = true;
      wake = writer;
      if (wake == null) {
        stopped = true;
      }
    }
    if (wake == null) {
      events.drained();
    } else {
      LockSupport.unpark(wake);
    }
  }

  /** Drops what is queued; the writer ends. */
  void stop() {
    Thread wake;
    synchronized (this) {
      stopped = true;
      queue.clear();
      queued = 0;
      wake = writer;
    }
    if (wake != null) {
      LockSupport.unpark(wake);
    }
    senders.wake();
  }

  private void writeLoop() {
    while (true) {
      Object next;
      synchronized (this) {
        if (stopped) {
          return; // closed at once: nothing more to send
        }
        next = queue.poll();
        if (next == null && finishing) {
          stopped = true;
          break;
        }
      }
      if (next == null) {
        LockSupport.park(this);
        continue;
      }
      if (next instanceof Runnable action) {
        action.run();
        continue;
      }
      byte[] bytes = (byte[]) next;
      events.sent(bytes.length); // handed to the socket; a failure resets the connection
      try {
        out.write(bytes);
      } catch (IOException e) {
        stop();
        events.failed(e);
        return;
      }
      synchronized (this) {
        queued -= bytes.length;
      }
      senders.wake();
    }
    events.drained();
  }
}
