package dev.lunar.runtime.net;

import dev.lunar.runtime.Threads;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bound TCP port: its accept loop queues each new connection until a process reads it from {@code
 * listen}. Beyond the port's connection limit a new connection is closed at once.
 *
 * <p>Concurrency contract: {@link #claim} and the counters may be used from any thread; holders are
 * counted by {@link Net}, which closes the listener when the last one lets go.
 */
final class Listener {
  final int port;
  private final Net net;
  private final ServerSocket server;
  private final ConcurrentLinkedQueue<Connection> pending = new ConcurrentLinkedQueue<>();
  private final Waiters waiters = new Waiters();
  final AtomicLong accepted = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  private Thread acceptor;

  /** Processes and host announcements holding the port; guarded by {@link Net}'s lock. */
  int holders;

  Listener(Net net, ServerSocket server) {
    this.net = net;
    this.server = server;
    this.port = server.getLocalPort();
  }

  void start() {
    acceptor = Threads.startIo("lunar-net-accept-" + port, this::acceptLoop);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Connection c = net.admit(this, socket);
      if (c == null) {
        continue; // refused, and counted, by admit
      }
      accepted.incrementAndGet();
      pending.add(c);
      c.start();
      waiters.wake();
      if (server.isClosed() && pending.remove(c)) {
        c.close("no one listening");
      }
    }
  }

  /** The oldest connection no process has taken yet, now taken; null if none. */
  Connection claim() {
    return pending.poll();
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  int pendingCount() {
    return pending.size();
  }

  Waiters waiters() {
    return waiters;
  }

  boolean isOpen() {
    return !server.isClosed();
  }

  /**
   * Stops accepting; connections no process took are closed, the others stay. Returns once the port
   * is unbound: a socket closed while another thread waits in its accept is released only as that
   * thread leaves.
   */
  void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    if (acceptor != null && acceptor != Thread.currentThread()) {
      try {
        acceptor.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Connection c;
    while ((c = pending.poll()) != null) {
      c.close("no one listening");
    }
    waiters.wake();
  }
}
