package dev.lunar.runtime.net;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Node;
import dev.lunar.runtime.proc.Proc;
import java.util.ArrayList;
import java.util.List;

/** {@code /net}: one directory per protocol; TCP is the only one. */
record NetDir(Net net, Proc caller) implements Dir {
  /** A top-level directory: its name and attributes never change (its listing may). */
  @Override
  public java.time.Duration cacheFor() {
    return dev.lunar.runtime.tree.Tree.STATIC;
  }

  @Override
  public Node lookup(String name) throws FsException {
    if (name.equals("tcp")) {
      return new TcpDir(net, caller);
    }
    throw new FsException(Errno.ENOENT, "no /net/" + name + ": TCP is the only protocol");
  }

  @Override
  public List<DirEntry> list(String cursor, int max) {
    return cursor == null && max > 0 ? List.of(new DirEntry("tcp", true, "tcp")) : List.of();
  }

  /**
   * {@code /net/tcp}: a directory per port. Any port 1-65535 can be looked up (opening its {@code
   * listen} binds it); only bound ports are listed, in ascending order.
   */
  record TcpDir(Net net, Proc caller) implements Dir {
    @Override
    public Node lookup(String name) throws FsException {
      int port = NetText.parsePort(name);
      if (port == 0) {
        throw new FsException(Errno.ENOENT, "no port " + name + ": ports are 1-65535");
      }
      return new PortDir(net, caller, port);
    }

    @Override
    public List<DirEntry> list(String cursor, int max) {
      int after = cursor == null ? 0 : Integer.parseInt(cursor);
      List<DirEntry> out = new ArrayList<>();
      for (int port : net.portsAfter(after, max)) {
        out.add(new DirEntry(Integer.toString(port), true, Integer.toString(port)));
      }
      return out;
    }
  }
}
