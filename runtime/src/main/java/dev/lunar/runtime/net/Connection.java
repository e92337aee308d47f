package dev.lunar.runtime.net;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.runtime.Threads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * from the socket into a bounded buffer, from which {@code data} reads take them; writes go
 * straight to the socket. It closes on {@code ctl close}, when the last process that had its files
 * open closes them, after {@link NetConfig#idleTimeout} without traffic, or on a socket error; the
 * peer closing its side is an end of file for readers, after the bytes already received.
 *
 * <p>Concurrency contract: every method may be called from any thread. Writes are serialised, so
 * one {@code write} call reaches the peer whole, never interleaved with another's.
 */
final class Connection {
  final long id;
  final int port;
  final String remote;
  final Instant opened = Instant.now();
  private final Net net;
  private final Socket socket;
  private final long idleNanos;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition space = lock.newCondition();
  private final byte[] buffer;
  private int head;
  private int size;
  private boolean endOfInput;

  private final ReentrantLock writing = new ReentrantLock();
  private final Waiters readers = new Waiters();
  private final AtomicInteger handles = new AtomicInteger();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private volatile long lastActive = System.nanoTime();
  private volatile String closed;

  Connection(Net net, long id, int port, Socket socket) {
    this.net = net;
    this.id = id;
    this.port = port;
    this.socket = socket;
    this.remote = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
    this.idleNanos = net.config().idleTimeout().toNanos();
    this.buffer = new byte[net.config().receiveBuffer()];
  }

  void start() {
    Threads.startIo("lunar-net-conn-" + id, this::readLoop);
  }

  // ---- the reader thread ----

  private void readLoop() {
    byte[] chunk = new byte[Math.min(16 << 10, buffer.length)];
    try {
      socket.setTcpNoDelay(true);
      int timeout = (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(idleNanos));
      socket.setSoTimeout(idleNanos == 0 ? 0 : Math.max(1, timeout));
      InputStream in = socket.getInputStream();
      while (closed == null) {
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
          continue;
        }
        if (n < 0) {
          endOfInput();
          return;
        }
        append(chunk, n);
      }
    } catch (IOException e) {
      close(closed == null ? "reset: " + e.getMessage() : closed);
    } catch (InterruptedException e) {
      close("shutdown");
    }
  }

  /** Waits until the buffer has room and returns it; 0 if it waited a whole idle timeout. */
  private int awaitRoom() throws InterruptedException {
    lock.lock();
    try {
      if (size == buffer.length && closed == null) {
        if (idleNanos == 0) {
          space.await();
        } else if (space.awaitNanos(idleNanos) <= 0 && size == buffer.length) {
          return 0;
        }
      }
      return buffer.length - size;
    } finally {
      lock.unlock();
    }
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

  private void endOfInput() {
    lock.lock();
    try {
      endOfInput = true;
    } finally {
      lock.unlock();
    }
    readers.wake();
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

  /** Sends all of {@code bytes}; may wait while the peer is slow to take them. */
  void send(byte[] bytes) throws FsException {
    String why = closed;
    if (why != null) {
      throw new FsException(Errno.EPIPE, "connection " + id + " is closed: " + why);
    }
    writing.lock();
    try {
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      sent.addAndGet(bytes.length);
      lastActive = System.nanoTime();
    } catch (IOException e) {
      why = closed != null ? closed : "reset: " + e.getMessage();
      close(why);
      throw new FsException(Errno.EPIPE, "connection " + id + " is closed: " + why);
    } finally {
      writing.unlock();
    }
  }

  /** Sends a FIN: the peer reads an end of file, and may still send. */
  void shutdownOutput() throws FsException {
    try {
      socket.shutdownOutput();
    } catch (IOException e) {
      throw new FsException(Errno.EPIPE, "connection " + id + ": " + e.getMessage());
    }
  }

  // ---- life ----

  /** A process opened its {@code data} or {@code ctl}. */
  void opened() {
    handles.incrementAndGet();
  }

  /** A process closed one; the last one closes the connection. */
  void released() {
    if (handles.decrementAndGet() == 0) {
      close("closed");
    }
  }

  /** Closes the connection for {@code reason}; later calls change nothing. */
  void close(String reason) {
    lock.lock();
    try {
      if (closed != null) {
        return;
      }
      closed = reason;
      space.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
    net.closed(this);
    readers.wake();
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
