package dev.lunar.runtime.net;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.runtime.Threads;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One accepted TCP connection: what {@code /net/tcp/<port>/<id>} shows. A reader thread moves bytes
 * from the socket into a bounded buffer, from which {@code data} reads take them; writes are queued
 * in an {@link Outbox} and sent in order. It closes on {@code ctl close} and when the last process
 * that had its files open closes them (both after sending what is queued), after {@link
 * NetConfig#idleTimeout} without traffic, or on a socket error (both at once). The peer closing its
 * side is an end of file for readers, after the bytes already received.
 *
 * <p>Concurrency contract: every method may be called from any thread. One write call reaches the
 * peer whole, never interleaved with another's.
 */
final class Connection implements Outbox.Events {
  final long id;
  final int port;
  final String remote;
  final Instant opened = Instant.now();
  private final Net net;
  private final Socket socket;
  private final long idleNanos;
  private final Outbox outbox;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition space = lock.newCondition();
  private final byte[] buffer;
  private int head;
  private int size;
  private boolean endOfInput;

  private final Waiters readers = new Waiters();
  private final AtomicInteger handles = new AtomicInteger();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private volatile long lastActive = System.nanoTime();
  private volatile String closed;
  private volatile boolean outputShut;

  Connection(Net net, long id, int port, Socket socket) throws IOException {
    this.net = net;
    this.id = id;
    this.port = port;
    this.socket = socket;
    this.remote = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
    this.idleNanos = net.config().idleTimeout().toNanos();
    this.buffer = new byte[net.config().receiveBuffer()];
    this.outbox = new Outbox("lunar-net-send-" + id, socket.getOutputStream(), this);
    socket.setTcpNoDelay(true);
    int timeout = (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(idleNanos));
    socket.setSoTimeout(idleNanos == 0 ? 0 : Math.max(1, timeout));
  }

  void start() {
    Threads.startIo("lunar-net-recv-" + id, this::readLoop);
  }

  // ---- the reader thread ----

  private void readLoop() {
    byte[] chunk = new byte[Math.min(16 << 10, buffer.length)];
    try {
      InputStream in = socket.getInputStream();
      while (!socket.isClosed()) {
        int room = awaitRoom();
        if (room == 0) {
          closeIfIdle();
          continue;
        }
        int n;
        try {
          n = in.read(chunk, 0, Math.min(room, chunk.length));
        } catch (SocketTimeoutException e) {
          closeIfIdle();
          if (!socket.isClosed()) { // bytes sent meanwhile: wait what is left since the last one
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, untilIdle() / 1_000_000));
          }
          continue;
        }
        if (n < 0) {
          endOfInput();
          return;
        }
        append(chunk, n);
      }
    } catch (IOException e) {
      close("reset: " + e.getMessage());
    } catch (InterruptedException e) {
      close("shutdown");
    }
  }

  /** Waits until the buffer has room and returns it; 0 if it waited a whole idle timeout. */
  private int awaitRoom() throws InterruptedException {
    lock.lock();
    try {
      if (size == buffer.length && !socket.isClosed()) {
        if (idleNanos == 0) {
          space.await();
        } else if (space.awaitNanos(untilIdle()) <= 0 && size == buffer.length) {
          return 0;
        }
      }
      return buffer.length - size;
    } finally {
      lock.unlock();
    }
  }

  /**
   * How long until the connection will have moved nothing for the idle timeout, counted from its
   * last byte either way (at least a millisecond): waiting a whole timeout from each wait's start
   * instead let a connection that had been busy at first live up to twice the timeout.
   */
  private long untilIdle() {
    return Math.max(1_000_000, lastActive + idleNanos - System.nanoTime());
  }

  private void closeIfIdle() {
    if (idleNanos > 0 && System.nanoTime() - lastActive >= idleNanos) {
      close("idle timeout");
    }
  }

  private void append(byte[] chunk, int n) {
    lock.lock();
    try {
      int tail = (head + size) % buffer.length;
      int first = Math.min(n, buffer.length - tail);
      System.arraycopy(chunk, 0, buffer, tail, first);
      System.arraycopy(chunk, first, buffer, 0, n - first);
      size += n;
    } finally {
      lock.unlock();
    }
    received.addAndGet(n);
    lastActive = System.nanoTime();
    readers.wake();
  }

  /** The peer closed its side: readers get the end, and the idle timeout still applies. */
  private void endOfInput() throws InterruptedException {
    lock.lock();
    try {
      endOfInput = true;
    } finally {
      lock.unlock();
    }
    readers.wake();
    while (!socket.isClosed()) {
      lock.lock();
      try {
        if (socket.isClosed()) {
          break;
        }
        if (idleNanos == 0) {
          space.await();
        } else {
          space.awaitNanos(untilIdle());
        }
      } finally {
        lock.unlock();
      }
      closeIfIdle();
    }
  }

  // ---- the data file ----

  /**
   * Takes what fits of the received bytes into {@code dst}: the count, 0 at the end of input (the
   * peer closed, or the connection did), or -1 when nothing is there yet.
   */
  int take(ByteBuffer dst) {
    lock.lock();
    try {
      if (size == 0) {
        return endOfInput || closed != null ? 0 : -1;
      }
      int n = Math.min(size, dst.remaining());
      int first = Math.min(n, buffer.length - head);
      dst.put(buffer, head, first);
      dst.put(buffer, 0, n - first);
      head = (head + n) % buffer.length;
      size -= n;
      space.signal();
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** Whether a read would not wait: bytes are there, or the input has ended. */
  boolean readable() {
    lock.lock();
    try {
      return size > 0 || endOfInput || closed != null;
    } finally {
      lock.unlock();
    }
  }

  Waiters readers() {
    return readers;
  }

  /**
   * Queues all of {@code bytes} to be sent; false if too much is queued already (then wait on
   * {@link #senders} for {@link #canSend}).
   */
  boolean send(byte[] bytes) throws FsException {
    String why = closed;
    if (why != null) {
      throw new FsException(Errno.EPIPE, "connection " + id + " is closed: " + why);
    }
    if (outputShut) {
      throw new FsException(Errno.EPIPE, "connection " + id + ": its sending side is shut down");
    }
    return outbox.offer(bytes);
  }

  boolean canSend(int length) {
    return closed != null || outbox.hasRoom(length);
  }

  Waiters senders() {
    return outbox.senders();
  }

  /**
   * Sends a FIN once what was written before has been sent: the peer reads those bytes, then an end
   * of file, and may still send. Later writes fail with {@code EPIPE}.
   */
  void shutdownOutput() throws FsException {
    String why = closed;
    if (why != null) {
      throw new FsException(Errno.EPIPE, "connection " + id + " is closed: " + why);
    }
    outputShut = true;
    outbox.then(() -> {
      try {
        socket.shutdownOutput();
      } catch (IOException e) {
        // closed meanwhile: the peer gets its end of file from the close
      }
    });
  }

  @Override
  public void sent(int bytes) {
    sent.addAndGet(bytes);
    lastActive = System.nanoTime();
  }

  @Override
  public void failed(IOException e) {
    close("reset: " + e.getMessage());
  }

  @Override
  public void drained() {
    closeSocket();
  }

  // ---- life ----

  /** A process opened its {@code data} or {@code ctl}. */
  void opened() {
    handles.incrementAndGet();
  }

  /** A process closed one; the last one hangs up. */
  void released() {
    if (handles.decrementAndGet() == 0) {
      hangUp("closed");
    }
  }

  /** Closes for {@code reason} once what is queued has been sent. */
  void hangUp(String reason) {
    if (markClosed(reason)) {
      outbox.finish();
    }
  }

  /** Closes for {@code reason} now, dropping what is queued. Later calls change nothing. */
  void close(String reason) {
    markClosed(reason);
    outbox.stop();
    closeSocket();
  }

  /** Refuses further reads and writes; false if that had happened already. */
  private boolean markClosed(String reason) {
    lock.lock();
    try {
      if (closed != null) {
        return false;
      }
      closed = reason;
    } finally {
      lock.unlock();
    }
    net.closed(this);
    readers.wake();
    outbox.senders().wake();
    return true;
  }

  private void closeSocket() {
    try {
      socket.close();
    } catch (IOException e) {
      // closed either way
    }
    lock.lock();
    try {
      space.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Why it closed, or null while open. */
  String closedReason() {
    return closed;
  }

  String status() {
    String state;
    lock.lock();
    try {
      state = closed != null ? "closed" : endOfInput ? "half-closed" : "open";
    } finally {
      lock.unlock();
    }
    long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActive);
    return "id: "
        + id
        + "\nport: "
        + port
        + "\nremote: "
        + remote
        + "\nstate: "
        + state
        + "\nreason: "
        + (closed == null ? "-" : closed)
        + "\nopened: "
        + opened
        + "\nreceived: "
        + received.get()
        + "\nsent: "
        + sent.get()
        + "\nidle-ms: "
        + idleMillis
        + "\n";
  }
}
