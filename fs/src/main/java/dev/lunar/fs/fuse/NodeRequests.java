package dev.lunar.fs.fuse;

import static dev.lunar.fs.fuse.LibFuse.MEMORY;

import dev.lunar.fs.Dir;
import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Node;
import dev.lunar.fs.Stat;
import dev.lunar.fs.fuse.Inodes.Inode;
import dev.lunar.fs.fuse.OpStats.Op;
import dev.lunar.fs.fuse.OpenFiles.OpenFile;
import ru.serce.jnrfuse.struct.FileStat;

/**
 * Half of the handler table: requests on names, attributes and directories, each translated into
 * calls on a {@link Dir} or a node's {@link Stat}; {@link FileRequests} has the other half. No
 * platform logic lives here, and {@link Failures} turns every exception into its errno.
 *
 * <p>Called by libfuse on the {@link Receivers} threads, any number at once; every method answers
 * its request exactly once and never throws into native code.
 */
final class NodeRequests {
  // to_set bits of setattr.
  private static final int SET_MODE = 1;
  private static final int SET_UID = 1 << 1;
  private static final int SET_GID = 1 << 2;
  private static final int SET_SIZE = 1 << 3;

  private final LibFuse.Api api;
  private final Inodes inodes;
  private final OpenFiles files;
  private final OpStats stats;
  private final Failures failures;
  private final FileRequests fileRequests;
  private final long uid;
  private final long gid;
  private final Callers callers;

  NodeRequests(
      LibFuse.Api api,
      Inodes inodes,
      OpenFiles files,
      OpStats stats,
      Failures failures,
      FileRequests fileRequests,
      long uid,
      long gid,
      Callers callers) {
    this.api = api;
    this.inodes = inodes;
    this.files = files;
    this.stats = stats;
    this.failures = failures;
    this.fileRequests = fileRequests;
    this.uid = uid;
    this.gid = gid;
    this.callers = callers;
  }

  void lookup(long req, long parent, long name) {
    stats.count(Op.LOOKUP);
    try {
      Inode p = inodes.get(parent);
      String n = LibFuse.string(name);
      replyEntry(req, p, n, dir(p).lookup(n));
    } catch (Throwable t) {
      failures.reply(req, Op.LOOKUP, t);
    }
  }

  void forget(long req, long ino, long nlookup) {
    stats.count(Op.FORGET);
    inodes.forget(ino, nlookup);
    api.fuse_reply_none(req);
  }

  void forgetMulti(long req, long count, long forgets) {
    stats.count(Op.FORGET);
    for (long i = 0; i < count; i++) { // struct fuse_forget_data: u64 ino, u64 nlookup
      inodes.forget(MEMORY.getLong(forgets + 16 * i), MEMORY.getLong(forgets + 16 * i + 8));
    }
    api.fuse_reply_none(req);
  }

  void getattr(long req, long ino, long fi) {
    stats.count(Op.GETATTR);
    try {
      replyAttr(req, inodes.get(ino), fi);
    } catch (Throwable t) {
      failures.reply(req, Op.GETATTR, t);
    }
  }

  /**
   * chmod and chown are refused ({@code EPERM}) unless they ask for what is already there, since
   * modes and owners are the tree's; times are accepted and ignored (the tree keeps its own), so
   * {@code touch} works; a size truncates.
   */
  void setattr(long req, long ino, long attr, int toSet, long fi) {
    stats.count(Op.SETATTR);
    try {
      callers.checkChange(req);
      Inode i = inodes.get(ino);
      Stat st = i.node.stat();
      FileStat a = Worker.statAt(attr);
      if ((toSet & SET_MODE) != 0 && (a.st_mode.intValue() & 07777) != Callers.shown(st.mode())) {
        throw new FsException(Errno.EPERM, "modes are set by the tree, not by chmod");
      }
      if (((toSet & SET_UID) != 0 && a.st_uid.longValue() != uid)
          || ((toSet & SET_GID) != 0 && a.st_gid.longValue() != gid)) {
        throw new FsException(Errno.EPERM, "owners are the mounting user's, not set by chown");
      }
      if ((toSet & SET_SIZE) != 0) {
        fileRequests.truncate(i, fi, a.st_size.longValue());
      }
      replyAttr(req, i, fi);
    } catch (Throwable t) {
      failures.reply(req, Op.SETATTR, t);
    }
  }

  void mkdir(long req, long parent, long name, int mode) {
    stats.count(Op.MKDIR);
    try {
      callers.checkChange(req);
      Inode p = inodes.get(parent);
      String n = LibFuse.string(name);
      Dir d = dir(p);
      d.mkdir(n);
      replyEntry(req, p, n, d.lookup(n));
    } catch (Throwable t) {
      failures.reply(req, Op.MKDIR, t);
    }
  }

  void unlink(long req, long parent, long name) {
    remove(req, parent, name, Op.UNLINK);
  }

  void rmdir(long req, long parent, long name) {
    remove(req, parent, name, Op.RMDIR);
  }

  private void remove(long req, long parent, long name, Op op) {
    stats.count(op);
    try {
      callers.checkChange(req);
      String n = LibFuse.string(name);
      Dir d = dir(inodes.get(parent));
      if (op == Op.UNLINK) {
        d.unlink(n);
      } else {
        d.rmdir(n);
      }
      inodes.removed(parent, n);
      api.fuse_reply_err(req, 0);
    } catch (Throwable t) {
      failures.reply(req, op, t);
    }
  }

  /** Within one directory only; across directories {@code EXDEV}, so {@code mv} copies instead. */
  void rename(long req, long parent, long name, long newParent, long newName) {
    stats.count(Op.RENAME);
    try {
      callers.checkChange(req);
      if (parent != newParent) {
        throw new FsException(Errno.EXDEV, "renames stay within one directory");
      }
      String from = LibFuse.string(name);
      String to = LibFuse.string(newName);
      Dir d = dir(inodes.get(parent));
      d.rename(from, to);
      Node moved;
      try {
        moved = d.lookup(to);
      } catch (FsException e) {
        moved = null;
      }
      inodes.renamed(parent, from, to, moved);
      api.fuse_reply_err(req, 0);
    } catch (Throwable t) {
      failures.reply(req, Op.RENAME, t);
    }
  }

  void opendir(long req, long ino, long fi) {
    stats.count(Op.OPENDIR);
    try {
      Inode i = inodes.get(ino);
      long fh = files.add(new DirStream(dir(i), i.ino, i.parentIno));
      if (Receivers.current().replyOpen(api, req, fh, 0) != 0) {
        files.remove(fh);
      }
    } catch (Throwable t) {
      failures.reply(req, Op.OPENDIR, t);
    }
  }

  void readdir(long req, long ino, long size, long off, long fi) {
    stats.count(Op.READDIR);
    try {
      DirStream d = files.dir(FileInfo.fh(fi));
      Worker w = Receivers.current();
      int n = d.fill(off, w.dataAddress(), (int) Math.min(size, Worker.DATA_SIZE));
      w.replyData(api, req, n);
    } catch (Throwable t) {
      failures.reply(req, Op.READDIR, t);
    }
  }

  void releasedir(long req, long ino, long fi) {
    stats.count(Op.RELEASEDIR);
    files.remove(FileInfo.fh(fi));
    api.fuse_reply_err(req, 0);
  }

  private void replyEntry(long req, Inode parent, String name, Node child) throws FsException {
    Stat st = child.stat();
    Inode c = inodes.remember(parent, name, child);
    Worker w = Receivers.current();
    if (w.replyEntry(api, req, c.id, c.ino, st, size(c, st, 0), Failures.seconds(child)) != 0) {
      inodes.forget(c.id, 1); // interrupted: the kernel did not take the reference
    }
  }

  private void replyAttr(long req, Inode i, long fi) throws FsException {
    Node node = i.node;
    Stat st = node.stat();
    Receivers.current().replyAttr(api, req, i.ino, st, size(i, st, fi), Failures.seconds(node));
  }

  /**
   * The size to show: the open file's, when asked through one (a snapshot taken at open), or while
   * a writer has the file open (what it wrote is not committed yet, but the kernel must not be told
   * the file shrank back); else the tree's.
   */
  private long size(Inode i, Stat st, long fi) throws FsException {
    OpenFile f = fi == 0 || i.dir ? i.writer : files.fileOrNull(FileInfo.fh(fi));
    if (f == null || f.stream()) {
      return st.size();
    }
    synchronized (f) {
      return f.handle().size();
    }
  }

  static Dir dir(Inode i) throws FsException {
    if (i.node instanceof Dir d) {
      return d;
    }
    throw new FsException(Errno.ENOTDIR, "not a directory");
  }
}
