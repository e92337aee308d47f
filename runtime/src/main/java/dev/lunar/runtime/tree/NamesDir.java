package dev.lunar.runtime.tree;

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
import java.util.List;

/** {@code /names}: the registry. Each name is a directory reaching the process that holds it. */
record NamesDir(dev.lunar.runtime.proc.Node node, Proc caller) implements Dir {
  /** A top-level directory: its name and attributes never change (its listing may). */
  @Override
  public java.time.Duration cacheFor() {
    return dev.lunar.runtime.tree.Tree.STATIC;
  }

  @Override
  public Node lookup(String name) throws FsException {
    long pid = node.whereis(name);
    Proc target = pid == 0 ? null : node.get(pid);
    if (target == null) {
      throw new FsException(Errno.ENOENT, "no process named " + name);
    }
    return new NameDir(node, caller, target);
  }

  @Override
  public List<DirEntry> list(String cursor, int max) {
    return node.namesAfter(cursor, max).stream().map(n -> new DirEntry(n, true, n)).toList();
  }

  /** {@code /names/<name>}: {@code mailbox}, {@code tags/} and {@code pid}. */
  private record NameDir(dev.lunar.runtime.proc.Node node, Proc caller, Proc target)
      implements Dir {
    private static final List<String> NAMES = List.of("mailbox", "pid", "tags");

    @Override
    public Node lookup(String name) throws FsException {
      return switch (name) {
        case "mailbox" -> mailbox();
        case "pid" -> pid();
        case "tags" -> new TagsDir(node, caller, target);
        default -> throw new FsException(Errno.ENOENT, "no " + name + " under a name");
      };
    }

    private File mailbox() {
      return new File() {
        @Override
        public Handle open(OpenMode mode) throws FsException {
          return MailboxHandle.open(node, caller, target, null, mode);
        }

        @Override
        public Stat stat() {
          return Stat.stream(0222, target.started().toEpochMilli());
        }
      };
    }

    private File pid() {
      byte[] text = Text.bytes(target.pid() + "\n");
      return new File() {
        @Override
        public Handle open(OpenMode mode) {
          return Text.snapshot(text);
        }

        @Override
        public Stat stat() {
          return Stat.file(text.length, 0444, target.started().toEpochMilli());
        }
      };
    }

    @Override
    public List<DirEntry> list(String cursor, int max) {
      return NAMES.stream()
          .filter(n -> cursor == null || n.compareTo(cursor) > 0)
          .limit(max)
          .map(n -> new DirEntry(n, n.equals("tags"), n))
          .toList();
    }
  }
}
