package dev.lunar.fs.fuse;

import static dev.lunar.fs.fuse.LibFuse.MEMORY;

import dev.lunar.fs.Dir;
import dev.lunar.fs.Errno;
import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Node;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Stat;
import dev.lunar.fs.fuse.Inodes.Inode;
import dev.lunar.fs.fuse.OpStats.Op;
import dev.lunar.fs.fuse.OpenFiles.OpenFile;
import java.nio.ByteBuffer;

/**
 * The other half of the handler table: requests on open files, each one call on a {@link Handle}.
 * open calls {@link File#open}, flush {@link Handle#flush} (so a file commits before close(2)
 * returns), release {@link Handle#close}; one write request is one {@link Handle#write}, so for a
 * stream one message.
 *
 * <p>Called on the {@link Receivers} threads; calls on one handle are serialized by locking its
 * {@link OpenFile}, as the Handle contract asks, and no lock is held while a read waits.
 */
final class FileRequests {
  // FOPEN_* of fuse_kernel.h (open_flags of struct fuse_open_out).
  private static final int FOPEN_DIRECT_IO = 1;
  private static final int FOPEN_KEEP_CACHE = 1 << 1;
  private static final int FOPEN_NONSEEKABLE = 1 << 2;
  private static final int FOPEN_STREAM = 1 << 4;
  private static final int FOPEN_NOFLUSH = 1 << 5;

  private final LibFuse.Api api;
  private final Inodes inodes;
  private final OpenFiles files;
  private final OpStats stats;
  private final Failures failures;
  private final Callers callers;
  private WaitingReads waits;

  FileRequests(
      LibFuse.Api api,
      Inodes inodes,
      OpenFiles files,
      OpStats stats,
      Failures failures,
      Callers callers) {
    this.api = api;
    this.inodes = inodes;
    this.files = files;
    this.stats = stats;
    this.failures = failures;
    this.callers = callers;
  }

  void waits(WaitingReads waits) {
    this.waits = waits;
  }

  void open(long req, long ino, long fi) {
    stats.count(Op.OPEN);
    try {
      Inode i = inodes.get(ino);
      if (!(i.node instanceof File file)) {
        throw new FsException(Errno.EISDIR, "is a directory");
      }
      OpenMode mode = mode(FileInfo.flags(fi));
      Stat st = file.stat();
      Stat.permit(st.mode(), mode);
      callers.checkOpen(req, st.mode(), mode);
      Handle h = file.open(mode);
      boolean stream = st.stream() || h.stream();
      try {
        if (mode.truncate() && mode.write() && !stream) {
          h.truncate(0); // a stream ignores O_TRUNC: `echo hi > mailbox` sends
        }
      } catch (FsException | RuntimeException e) {
        Failures.closeQuietly(h);
        throw e;
      }
      OpenFile f = new OpenFile(i, h, stream);
      long fh = files.add(f);
      if (mode.write() && !stream) {
        i.writer = f;
      }
      int flags = openFlags(i, st, stream) | (mode.write() && !stream ? 0 : FOPEN_NOFLUSH);
      if (Receivers.current().replyOpen(api, req, fh, flags) != 0) {
        forgetOpen(fh); // interrupted: the kernel will not release it
      }
    } catch (Throwable t) {
      failures.reply(req, Op.OPEN, t);
    }
  }

  void create(long req, long parent, long name, int mode, long fi) {
    stats.count(Op.CREATE);
    try {
      callers.checkChange(req);
      Inode p = inodes.get(parent);
      String n = LibFuse.string(name);
      Dir d = NodeRequests.dir(p);
      int flags = FileInfo.flags(fi);
      OpenMode openMode = mode(flags);
      Handle h = d.create(n, openMode, (flags & FileInfo.O_EXCL) != 0);
      try {
        Node node = createdNode(d, n, h, mode);
        Stat st = node.stat();
        boolean stream = st.stream() || h.stream();
        Inode c = inodes.remember(p, n, node);
        OpenFile f = new OpenFile(c, h, stream);
        long fh = files.add(f);
        if (openMode.write() && !stream) {
          c.writer = f;
        }
        FileInfo.fh(fi, fh);
        boolean direct = (openFlags(c, st, stream) & FOPEN_DIRECT_IO) != 0;
        FileInfo.bits(fi, (direct ? FileInfo.DIRECT_IO : 0) | (stream ? FileInfo.NONSEEKABLE : 0));
        long size = stream ? 0 : h.size();
        Worker w = Receivers.current();
        if (w.replyCreate(api, req, c.id, c.ino, st, size, Failures.seconds(node), fi) != 0) {
          inodes.forget(c.id, 1);
          forgetOpen(fh);
        }
      } catch (FsException | RuntimeException e) {
        Failures.closeQuietly(h);
        throw e;
      }
    } catch (Throwable t) {
      failures.reply(req, Op.CREATE, t);
    }
  }

  void read(long req, long ino, long size, long off, long fi) {
    stats.count(Op.READ);
    try {
      OpenFile f = files.file(FileInfo.fh(fi));
      Worker w = Receivers.current();
      ByteBuffer dst = w.data(size);
      boolean nonblock = (FileInfo.flags(fi) & FileInfo.O_NONBLOCK) != 0;
      int n = waits.read(req, f, dst, off, nonblock);
      w.replyData(api, req, n);
    } catch (Throwable t) {
      failures.reply(req, Op.READ, t);
    }
  }

  void write(long req, long ino, long buf, long size, long off, long fi) {
    stats.count(Op.WRITE);
    try {
      OpenFile f = files.file(FileInfo.fh(fi));
      if (size > FuseMount.MAX_WHOLE_WRITE && f.handle().wholeWrites()) {
        f.handle().refusedWhole();
        throw new FsException(
            Errno.EMSGSIZE,
            "a write through the mount is one message of at most "
                + FuseMount.MAX_WHOLE_WRITE
                + " bytes: the kernel may split a longer one");
      }
      boolean nonblock = (FileInfo.flags(fi) & FileInfo.O_NONBLOCK) != 0;
      int n = waits.write(req, f, MEMORY.newDirectByteBuffer(buf, (int) size), off, nonblock);
      api.fuse_reply_write(req, n);
    } catch (Throwable t) {
      failures.reply(req, Op.WRITE, t);
    }
  }

  /** poll(2), select(2), epoll: see {@link WaitingReads#poll}. */
  void poll(long req, long ino, long fi, long ph) {
    stats.count(Op.POLL);
    try {
      long fh = FileInfo.fh(fi);
      waits.poll(req, fh, files.file(fh), ph);
    } catch (Throwable t) {
      if (ph != 0) {
        api.fuse_pollhandle_destroy(ph);
      }
      failures.reply(req, Op.POLL, t);
    }
  }

  void flush(long req, long ino, long fi) {
    commit(req, fi, Op.FLUSH);
  }

  void fsync(long req, long ino, int datasync, long fi) {
    commit(req, fi, Op.FSYNC);
  }

  private void commit(long req, long fi, Op op) {
    stats.count(op);
    try {
      OpenFile f = files.file(FileInfo.fh(fi));
      synchronized (f) {
        f.handle().flush();
      }
      api.fuse_reply_err(req, 0);
    } catch (Throwable t) {
      failures.reply(req, op, t);
    }
  }

  /** After close(2) has returned: an error here reaches no one, so it is only logged. */
  void release(long req, long ino, long fi) {
    stats.count(Op.RELEASE);
    if (files.remove(FileInfo.fh(fi)) instanceof OpenFile f) {
      close(f);
    }
    api.fuse_reply_err(req, 0);
  }

  /** Closes an open file the kernel no longer knows of. */
  void close(OpenFile f) {
    end(f, false);
  }

  /**
   * Ends a file still open when the mount goes: its program never closed it, so what it wrote and
   * did not flush is dropped, not committed cut short (a flush, at each close(2), has committed
   * what it wrote before).
   */
  void abandon(OpenFile f) {
    end(f, true);
  }

  private void end(OpenFile f, boolean abandon) {
    if (f.inode().writer == f) {
      f.inode().writer = null;
    }
    synchronized (f) {
      failures.closeLogged(f.handle(), abandon);
    }
  }

  /** A truncate by setattr: through the open file it names, else on a handle opened for it. */
  void truncate(Inode i, long fi, long size) throws FsException {
    if (!(i.node instanceof File file)) {
      throw new FsException(Errno.EISDIR, "is a directory");
    }
    OpenFile f = fi == 0 ? null : files.fileOrNull(FileInfo.fh(fi));
    if (f != null) {
      synchronized (f) {
        if (!f.stream()) {
          f.handle().truncate(size);
        }
      }
      return;
    }
    Stat st = file.stat();
    if (st.stream()) {
      return;
    }
    Stat.permit(st.mode(), OpenMode.WRITE);
    try (Handle h = file.open(OpenMode.WRITE)) {
      if (!h.stream()) {
        h.truncate(size);
        h.flush();
      }
    }
  }

  private void forgetOpen(long fh) {
    if (files.remove(fh) instanceof OpenFile f) {
      if (f.inode().writer == f) {
        f.inode().writer = null;
      }
      Failures.closeQuietly(f.handle());
    }
  }

  /**
   * FOPEN flags: direct I/O unless the node may be cached, since a computed file's size at stat
   * time says nothing about a later read; for a cached node, its kept pages if it has the same size
   * and time as at the last open; no seeking and no position lock for a stream.
   */
  private static int openFlags(Inode i, Stat st, boolean stream) {
    if (stream) {
      return FOPEN_DIRECT_IO | FOPEN_NONSEEKABLE | FOPEN_STREAM;
    }
    if (Failures.seconds(i.node) == 0) {
      return FOPEN_DIRECT_IO;
    }
    long version = st.size() * 31 + st.modifiedMillis();
    long last = i.openedVersion;
    i.openedVersion = version;
    return last == version ? FOPEN_KEEP_CACHE : 0;
  }

  private static OpenMode mode(int flags) {
    int access = flags & FileInfo.O_ACCMODE;
    return new OpenMode(
        access != FileInfo.O_WRONLY,
        access == FileInfo.O_WRONLY || access == FileInfo.O_RDWR,
        (flags & FileInfo.O_TRUNC) != 0,
        (flags & FileInfo.O_APPEND) != 0);
  }

  /**
   * The node a created file is known by: the directory's own, or, for a directory that shows a file
   * only once it is committed (a module in /bin), a stand-in that shows the handle's size.
   */
  private static Node createdNode(Dir d, String name, Handle h, int mode) throws FsException {
    try {
      return d.lookup(name);
    } catch (FsException e) {
      if (e.errno() != Errno.ENOENT) {
        throw e;
      }
      return new Uncommitted(h, mode & 0777, System.currentTimeMillis());
    }
  }

  /** A created file its directory does not show yet: it shows what has been written. */
  private record Uncommitted(Handle handle, int mode, long createdMillis) implements File {
    @Override
    public Handle open(OpenMode mode) throws FsException {
      throw new FsException(Errno.ENOENT, "not committed yet");
    }

    @Override
    public Stat stat() {
      return Stat.file(0, mode, createdMillis);
    }
  }
}
