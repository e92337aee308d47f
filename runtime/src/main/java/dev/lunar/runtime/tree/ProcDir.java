package dev.lunar.runtime.tree;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Node;
import dev.lunar.runtime.proc.Proc;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /proc}: {@code new}, {@code self} (for a process) and a directory per pid. Listed in that
 * order, pids ascending, paged by pid, so 100k processes list without a copy of the table.
 */
record ProcDir(Tree tree, Proc caller) implements Dir {
  /** A top-level directory: its name and attributes never change (its listing may). */
  @Override
  public java.time.Duration cacheFor() {
    return dev.lunar.runtime.tree.Tree.STATIC;
  }

  @Override
  public Node lookup(String name) throws FsException {
    if (name.equals("new")) {
      return new CloneFile(tree, caller);
    }
    if (name.equals("self") && caller != null) {
      return new PidDir(tree.node, caller, caller);
    }
    long pid = Text.number(name);
    Proc target = pid > 0 ? tree.node.find(pid) : null;
    if (target == null) {
      throw new FsException(Errno.ENOENT, "no process " + name);
    }
    return new PidDir(tree.node, caller, target);
  }

  @Override
  public List<DirEntry> list(String cursor, int max) {
    List<DirEntry> out = new ArrayList<>();
    long after = 0;
    if (cursor == null) {
      out.add(new DirEntry("new", false, "new"));
    }
    if ((cursor == null || cursor.equals("new")) && caller != null) {
      out.add(new DirEntry("self", true, "self"));
    }
    if (cursor != null && !cursor.equals("new") && !cursor.equals("self")) {
      after = Long.parseLong(cursor);
    }
    for (long pid : tree.node.pidsAfter(after, Math.max(0, max - out.size()))) {
      out.add(new DirEntry(Long.toString(pid), true, Long.toString(pid)));
    }
    return out.size() > max ? out.subList(0, max) : out;
  }
}
