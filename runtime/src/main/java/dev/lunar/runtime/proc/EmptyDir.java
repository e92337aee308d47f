package dev.lunar.runtime.proc;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Node;
import java.util.List;

/** The tree of a node nobody gave one: nothing in it. */
enum EmptyDir implements Dir {
  INSTANCE;

  @Override
  public Node lookup(String name) throws FsException {
    throw new FsException(Errno.ENOENT, "no " + name);
  }

  @Override
  public List<DirEntry> list(String cursor, int max) {
    return List.of();
  }
}
