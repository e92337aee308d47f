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
import java.util.regex.Pattern;

/**
 * {@code /proc/<pid>/tags}: the mailbox seen through one tag per file. Any valid tag can be opened;
 * none is listed.
 */
record TagsDir(dev.lunar.runtime.proc.Node node, Proc caller, Proc target) implements Dir {
  static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

  @Override
  public Node lookup(String name) throws FsException {
    if (!TAG.matcher(name).matches()) {
      throw new FsException(
          Errno.EINVAL, "bad tag '" + name + "': use 1-64 of A-Z a-z 0-9 _ . - (not . or - first)");
    }
    return new File() {
      @Override
      public Handle open(OpenMode mode) throws FsException {
        return MailboxHandle.open(node, caller, target, name, mode);
      }

      @Override
      public Stat stat() {
        return Stat.stream(0622, target.started().toEpochMilli());
      }
    };
  }

  @Override
  public List<DirEntry> list(String cursor, int max) {
    return List.of();
  }
}
