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
import java.util.ArrayList;
import java.util.List;

/** {@code /proc/<pid>}: the files of one process, declared as a table. */
record PidDir(dev.lunar.runtime.proc.Node node, Proc caller, Proc target) implements Dir {

  /** The files of a process directory, in listing order. */
  enum Entry {
    CTL("ctl", 0666, true, false),
    ERRSTR("errstr", 0444, false, true),
    EXIT("exit", 0444, true, false),
    MAILBOX("mailbox", 0622, true, false),
    STATUS("status", 0444, false, false),
    TAGS("tags", 0755, false, false);

    final String name;
    final int mode;
    final boolean stream;
    final boolean ownerOnly;

    Entry(String name, int mode, boolean stream, boolean ownerOnly) {
      this.name = name;
      this.mode = mode;
      this.stream = stream;
      this.ownerOnly = ownerOnly;
    }
  }

  private boolean visible(Entry e) {
    return !e.ownerOnly || Caller.owns(caller, target);
  }

  @Override
  public Node lookup(String name) throws FsException {
    for (Entry e : Entry.values()) {
      if (e.name.equals(name) && visible(e)) {
        return e == Entry.TAGS ? new TagsDir(node, caller, target) : new PidFile(this, e);
      }
    }
    throw new FsException(Errno.ENOENT, "no /proc/" + target.pid() + "/" + name);
  }

  @Override
  public List<DirEntry> list(String cursor, int max) {
    List<DirEntry> out = new ArrayList<>();
    for (Entry e : Entry.values()) {
      if (visible(e) && (cursor == null || e.name.compareTo(cursor) > 0) && out.size() < max) {
        out.add(new DirEntry(e.name, e == Entry.TAGS, e.name));
      }
    }
    return out;
  }

  @Override
  public Stat stat() {
    return Stat.dir(target.started().toEpochMilli());
  }

  private record PidFile(PidDir dir, Entry entry) implements File {
    @Override
    public Handle open(OpenMode mode) throws FsException {
      Proc target = dir.target;
      Proc caller = dir.caller;
      return switch (entry) {
        case CTL -> new CtlHandle(dir.node, caller, target);
        case ERRSTR -> Text.snapshot(Text.bytes(lastError(target)));
        case EXIT -> new ExitHandle(caller, target);
        case MAILBOX -> MailboxHandle.open(dir.node, caller, target, null, mode);
        case STATUS -> Text.snapshot(Text.bytes(Status.of(target)));
        case TAGS -> throw new AssertionError("a directory");
      };
    }

    private static String lastError(Proc target) {
      String e = target.lastError();
      return e == null ? "" : e + "\n";
    }

    @Override
    public int mode() {
      return entry.mode; // without rendering the text to size it
    }

    @Override
    public Stat stat() {
      long size =
          switch (entry) {
            case STATUS -> Text.bytes(Status.of(dir.target)).length;
            case ERRSTR -> Text.bytes(lastError(dir.target)).length;
            default -> 0;
          };
      long time = dir.target.started().toEpochMilli();
      return entry.stream ? Stat.stream(entry.mode, time) : Stat.file(size, entry.mode, time);
    }
  }
}
