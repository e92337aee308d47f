package dev.lunar.runtime.net;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Node;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Stat;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.tree.Text;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /net/tcp/<port>}: {@code listen}, {@code status}, and a directory per open connection
 * accepted on the port, listed after them by id.
 */
record PortDir(Net net, Proc caller, int port) implements Dir {
  @Override
  public Node lookup(String name) throws FsException {
    switch (name) {
      case "listen" -> {
        return new File() {
          @Override
          public Handle open(OpenMode mode) throws FsException {
            if (mode.write()) {
              throw new FsException(Errno.EACCES, "listen is read-only: a read takes a connection");
            }
            return new ListenHandle(net, caller, net.acquire(port));
          }

          @Override
          public Stat stat() {
            return Stat.stream(0444, 0);
          }
        };
      }
      case "status" -> {
        return new File() {
          @Override
          public Handle open(OpenMode mode) {
            return NetText.snapshot(status());
          }

          @Override
          public Stat stat() {
            return Stat.file(Text.bytes(status()).length, 0444, 0);
          }
        };
      }
      default -> {
        long id = Text.number(name);
        Connection c = id == 0 ? null : net.connection(port, id);
        if (c == null) {
          throw new FsException(
              Errno.ENOENT, "no connection " + name + " on port " + port + " (or it has closed)");
        }
        return new ConnDir(net, caller, c);
      }
    }
  }

  @Override
  public List<DirEntry> list(String cursor, int max) {
    List<DirEntry> out = new ArrayList<>();
    long after = 0;
    if (cursor == null) {
      out.add(new DirEntry("listen", false, "listen"));
    }
    if (cursor == null || cursor.equals("listen")) {
      out.add(new DirEntry("status", false, "status"));
    } else if (!cursor.equals("status")) {
      after = Long.parseLong(cursor);
    }
    for (Connection c : net.connectionsAfter(port, after, Math.max(0, max - out.size()))) {
      out.add(new DirEntry(Long.toString(c.id), true, Long.toString(c.id)));
    }
    return out.size() > max ? out.subList(0, max) : out;
  }

  private String status() {
    Listener l = net.listener(port);
    NetConfig config = net.config();
    return "port: "
        + port
        + "\naddress: "
        + config.address().getHostAddress()
        + "\nlistening: "
        + (l != null && l.isOpen() ? "yes" : "no")
        + "\nconnections: "
        + net.openCount(port)
        + "\nmax-connections: "
        + config.maxConnections()
        + "\nidle-timeout-ms: "
        + config.idleTimeout().toMillis()
        + "\npending: "
        + (l == null ? 0 : l.pendingCount())
        + "\naccepted: "
        + (l == null ? 0 : l.accepted.get())
        + "\nrefused: "
        + (l == null ? 0 : l.refused.get())
        + "\n";
  }

  /**
   * {@code listen}: holds the port while open; a read takes the next connection and gives its id.
   */
  private static final class ListenHandle implements Handle {
    private final Net net;
    private final Proc caller;
    private final Listener listener;
    private byte[] answer = new byte[0];
    private int answered;
    private Thread waiter;
    private boolean closed;

    ListenHandle(Net net, Proc caller, Listener listener) {
      this.net = net;
      this.caller = caller;
      this.listener = listener;
    }

    @Override
    public boolean stream() {
      return true;
    }

    @Override
    public int read(ByteBuffer dst, long offset, boolean block) throws FsException {
      if (answered == answer.length) {
        Connection c = listener.claim();
        if (c == null && !block) {
          throw new FsException(Errno.EAGAIN, "no connection waiting on port " + listener.port);
        }
        while (c == null) {
          if (!listener.isOpen()) {
            throw new FsException(Errno.EPIPE, "port " + listener.port + " is no longer bound");
          }
          NetText.waiting(
              caller,
              () -> {
                listener.waiters().await(() -> listener.hasPending() || !listener.isOpen());
                return null;
              });
          c = listener.claim();
        }
        answer = Text.bytes(c.id + "\n");
        answered = 0;
      }
      int n = Math.min(dst.remaining(), answer.length - answered);
      dst.put(answer, answered, n);
      answered += n;
      return n;
    }

    @Override
    public boolean readable(Thread waiter) {
      if (answered < answer.length || listener.hasPending() || !listener.isOpen()) {
        return true;
      }
      if (this.waiter != waiter) {
        listener.waiters().remove(this.waiter);
        this.waiter = waiter;
        listener.waiters().add(waiter);
      }
      return listener.hasPending();
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        listener.waiters().remove(waiter);
        net.release(listener);
      }
    }
  }
}
