package dev.lunar.runtime.net;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.runtime.tree.Tree;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node's TCP network, seen by processes as {@code /net} (docs/PROTOCOL.md, "The network"). A port
 * is bound while something holds it: a process with its {@code listen} file open, or the host
 * through {@link #announce}. Accepted connections are numbered across the node and live on after
 * their port is let go.
 *
 * <p>Concurrency contract: every public method may be called from any thread.
 */
public final class Net implements AutoCloseable {
  private final NetConfig config;
  private final Object lock = new Object();
  private final Map<Integer, Listener> listeners = new ConcurrentSkipListMap<>();
  private final NavigableMap<Long, Connection> connections = new ConcurrentSkipListMap<>();
  private final Map<Integer, AtomicInteger> openPerPort = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(1);
  private volatile boolean closed;

  public Net(NetConfig config) {
    this.config = config;
  }

  /** A network for {@code tree}'s node, seen by its processes as {@code /net}. */
  public static Net install(Tree tree, NetConfig config) {
    Net net = new Net(config);
    tree.mount("net", caller -> new NetDir(net, caller));
    return net;
  }

  public NetConfig config() {
    return config;
  }

  /**
   * Binds {@code port} (0: any free port) and holds it until the result is closed, so processes can
   * take its connections from {@code /net/tcp/<port>/listen} and the port stays bound while they
   * come and go.
   *
   * @throws IOException if the port cannot be bound, with the reason
   */
  public Announcement announce(int port) throws IOException {
    try {
      Listener l = acquire(port);
      return new Announcement(this, l);
    } catch (FsException e) {
      throw new IOException(e.reason());
    }
  }

  /** A port held by the host; {@link #close} lets it go. */
  public static final class Announcement implements AutoCloseable {
    private final Net net;
    private final Listener listener;
    private boolean released;

    private Announcement(Net net, Listener listener) {
      this.net = net;
      this.listener = listener;
    }

    /** The bound port: the one asked for, or the one chosen for port 0. */
    public int port() {
      return listener.port;
    }

    /** Lets the port go, and closes every connection it accepted. */
    @Override
    public synchronized void close() {
      if (!released) {
        released = true;
        net.release(listener);
        net.closeConnections(listener.port, "shutdown");
      }
    }
  }

  // ---- listeners ----

  /** Takes a hold on {@code port}, binding it if no one holds it yet. */
  Listener acquire(int port) throws FsException {
    synchronized (lock) {
      if (closed) {
        throw new FsException(Errno.EPIPE, "the node's network is shut down");
      }
      Listener l = port == 0 ? null : listeners.get(port);
      if (l == null) {
        l = bind(port);
        listeners.put(l.port, l);
        l.start();
      }
      l.holders++;
      return l;
    }
  }

  private Listener bind(int port) throws FsException {
    ServerSocket server = null;
    try {
      server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(config.address(), port), 128);
      return new Listener(this, server);
    } catch (IOException e) {
      try {
        if (server != null) {
          server.close();
        }
      } catch (IOException ignored) {
        // reporting the first failure
      }
      String where = "port " + port + " on " + config.address().getHostAddress();
      if (e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")) {
        throw new FsException(Errno.EADDRINUSE, where + " is in use");
      }
      throw new FsException(Errno.EACCES, "cannot bind " + where + ": " + e.getMessage());
    }
  }

  /** Lets go of a hold; the last one closes the listener. */
  void release(Listener l) {
    synchronized (lock) {
      if (--l.holders > 0) {
        return;
      }
      listeners.remove(l.port, l);
    }
    l.close();
  }

  /** The listener bound on {@code port}, or null. */
  Listener listener(int port) {
    return listeners.get(port);
  }

  /** Bound ports above {@code after}, ascending. */
  List<Integer> portsAfter(int after, int max) {
    return listeners.keySet().stream().filter(p -> p > after).limit(max).toList();
  }

  // ---- connections ----

  /** A new connection on {@code l}, or null (the socket closed) if its port is full. */
  Connection admit(Listener l, Socket socket) {
    AtomicInteger open = openPerPort.computeIfAbsent(l.port, p -> new AtomicInteger());
    if (closed || open.incrementAndGet() > config.maxConnections()) {
      open.decrementAndGet();
      // Counted before the close, so whoever sees the hang-up also sees the count.
      l.refused.incrementAndGet();
      try {
        socket.close();
      } catch (IOException e) {
        // refused either way
      }
      return null;
    }
    Connection c;
    try {
      c = new Connection(this, nextId.getAndIncrement(), l.port, socket);
    } catch (IOException e) {
      open.decrementAndGet();
      l.refused.incrementAndGet();
      try {
        socket.close();
      } catch (IOException ignored) {
        // it failed already
      }
      return null;
    }
    connections.put(c.id, c);
    return c;
  }

  /** Called once by each connection as it closes. */
  void closed(Connection c) {
    if (connections.remove(c.id, c)) {
      openPerPort.get(c.port).decrementAndGet();
    }
  }

  /** The open connection {@code id} on {@code port}, or null. */
  Connection connection(int port, long id) {
    Connection c = connections.get(id);
    return c != null && c.port == port ? c : null;
  }

  /** Open connections of {@code port} with ids above {@code after}, ascending. */
  List<Connection> connectionsAfter(int port, long after, int max) {
    return connections.tailMap(after, false).values().stream()
        .filter(c -> c.port == port)
        .limit(max)
        .toList();
  }

  int openCount(int port) {
    AtomicInteger open = openPerPort.get(port);
    return open == null ? 0 : open.get();
  }

  private void closeConnections(int port, String reason) {
    for (Connection c : List.copyOf(connections.values())) {
      if (port == 0 || c.port == port) {
        c.close(reason);
      }
    }
  }

  /** Closes every port and connection. */
  @Override
  public void close() {
    List<Listener> all;
    synchronized (lock) {
      closed = true;
      all = List.copyOf(listeners.values());
      listeners.clear();
    }
    all.forEach(Listener::close);
    closeConnections(0, "shutdown");
  }
}
