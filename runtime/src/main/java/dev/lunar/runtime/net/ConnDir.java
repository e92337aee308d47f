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

/** {@code /net/tcp/<port>/<id>}: the files of one connection, declared as a table. */
record ConnDir(Net net, Proc caller, Connection conn) implements Dir {
  /** The files of a connection directory, in listing order. */
  enum Entry {
    CTL("ctl", 0222),
    DATA("data", 0666),
    STATUS("status", 0444);

    final String name;
    final int mode;

    Entry(String name, int mode) {
      this.name = name;
      this.mode = mode;
    }
  }

  @Override
  public Node lookup(String name) throws FsException {
    for (Entry e : Entry.values()) {
      if (e.name.equals(name)) {
        return new ConnFile(this, e);
      }
    }
    throw new FsException(Errno.ENOENT, "no " + name + " in connection " + conn.id);
  }

  @Override
  public List<DirEntry> list(String cursor, int max) {
    List<DirEntry> out = new ArrayList<>();
    for (Entry e : Entry.values()) {
      if ((cursor == null || e.name.compareTo(cursor) > 0) && out.size() < max) {
        out.add(new DirEntry(e.name, false, e.name));
      }
    }
    return out;
  }

  @Override
  public Stat stat() {
    return Stat.dir(conn.opened.toEpochMilli());
  }

  private record ConnFile(ConnDir dir, Entry entry) implements File {
    @Override
    public Handle open(OpenMode mode) throws FsException {
      Connection c = dir.conn;
      return switch (entry) {
        case CTL -> new CtlHandle(c);
        case DATA -> new DataHandle(dir.caller, c);
        case STATUS -> NetText.snapshot(c.status());
      };
    }

    @Override
    public Stat stat() {
      long time = dir.conn.opened.toEpochMilli();
      return entry == Entry.STATUS
          ? Stat.file(Text.bytes(dir.conn.status()).length, entry.mode, time)
          : Stat.stream(entry.mode, time);
    }
  }

  /** Holds the connection open until closed (see {@link Connection#released}). */
  private abstract static class Holding implements Handle {
    final Connection conn;
    private boolean closed;

    Holding(Connection conn) throws FsException {
      String why = conn.closedReason();
      if (why != null) {
        throw new FsException(Errno.ENOENT, "connection " + conn.id + " has closed: " + why);
      }
      this.conn = conn;
      conn.opened();
    }

    @Override
    public boolean stream() {
      return true;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        released();
        conn.released();
      }
    }

    void released() {}
  }

  /**
   * {@code data}: a read gives the bytes received so far (waiting for some), 0 once the peer has
   * closed and everything was read; a write sends.
   */
  private static final class DataHandle extends Holding {
    private final Proc caller;
    private Thread waiter;
    private Thread writeWaiter;

    DataHandle(Proc caller, Connection conn) throws FsException {
      super(conn);
      this.caller = caller;
    }

    @Override
    public int read(ByteBuffer dst, long offset, boolean block) throws FsException {
      while (true) {
        int n = conn.take(dst);
        if (n >= 0) {
          return n;
        }
        if (!block) {
          throw new FsException(Errno.EAGAIN, "nothing received on connection " + conn.id);
        }
        NetText.waiting(
            caller,
            () -> {
              conn.readers().await(conn::readable);
              return null;
            });
      }
    }

    @Override
    public int write(ByteBuffer src, long offset) throws FsException {
      return write(src, offset, true);
    }

    @Override
    public int write(ByteBuffer src, long offset, boolean block) throws FsException {
      byte[] bytes = new byte[src.remaining()];
      src.duplicate().get(bytes); // src moves only once the bytes are queued
      while (!conn.send(bytes)) {
        if (!block) {
          throw new FsException(
              Errno.EAGAIN,
              "connection " + conn.id + " has too much queued to send: the peer is slow to read");
        }
        NetText.waiting(
            caller,
            () -> {
              conn.senders().await(() -> conn.canSend(bytes.length));
              return null;
            });
      }
      src.position(src.limit());
      return bytes.length;
    }

    @Override
    public boolean writesWait() {
      return true;
    }

    @Override
    public boolean writable(Thread waiter, int length) {
      if (conn.canSend(length)) {
        return true;
      }
      if (writeWaiter != waiter) {
        conn.senders().remove(writeWaiter);
        writeWaiter = waiter;
        conn.senders().add(waiter);
      }
      return conn.canSend(length);
    }

    @Override
    public boolean writable(Thread waiter) {
      return writable(waiter, Outbox.LIMIT / 2);
    }

    @Override
    public boolean readable(Thread waiter) {
      if (conn.readable()) {
        return true;
      }
      if (this.waiter != waiter) {
        conn.readers().remove(this.waiter);
        this.waiter = waiter;
        conn.readers().add(waiter);
      }
      return conn.readable();
    }

    @Override
    void released() {
      conn.readers().remove(waiter);
      conn.senders().remove(writeWaiter);
    }
  }

  /** {@code ctl}: {@code close} hangs up; {@code shutdown} sends an end of file, reads go on. */
  private static final class CtlHandle extends Holding {
    CtlHandle(Connection conn) throws FsException {
      super(conn);
    }

    @Override
    public int write(ByteBuffer src, long offset) throws FsException {
      int n = src.remaining();
      List<String> verbs = new ArrayList<>();
      for (String line : Text.string(src).split("\n")) {
        String verb = line.strip();
        if (verb.isEmpty()) {
          continue;
        }
        if (!verb.equals("close") && !verb.equals("shutdown")) {
          throw new FsException(
              Errno.EINVAL, "ctl: unknown command '" + verb + "' (close or shutdown)");
        }
        verbs.add(verb);
      }
      for (String verb : verbs) {
        if (verb.equals("close")) {
          conn.hangUp("hung up");
        } else {
          conn.shutdownOutput();
        }
      }
      return n;
    }
  }
}
