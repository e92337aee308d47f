package dev.lunar.fs.fuse;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Open files and directories by FUSE file handle ({@code fh}): a number handed to the kernel at
 * open and given back with every later request on that descriptor. Thread-safe.
 */
final class OpenFiles {
  /** An open file: {@code stream} if reads and writes are messages, not bytes at offsets. */
  record OpenFile(Inodes.Inode inode, Handle handle, boolean stream) {}

  private final Map<Long, Object> open = new ConcurrentHashMap<>();
  private final AtomicLong next = new AtomicLong(1);

  long add(Object file) {
    long fh = next.getAndIncrement();
    open.put(fh, file);
    return fh;
  }

  OpenFile file(long fh) throws FsException {
    if (open.get(fh) instanceof OpenFile f) {
      return f;
    }
    throw new FsException(Errno.EBADF, "no open file " + fh);
  }

  /** The open file {@code fh}, or null. */
  OpenFile fileOrNull(long fh) {
    return open.get(fh) instanceof OpenFile f ? f : null;
  }

  DirStream dir(long fh) throws FsException {
    if (open.get(fh) instanceof DirStream d) {
      return d;
    }
    throw new FsException(Errno.EBADF, "no open directory " + fh);
  }

  Object remove(long fh) {
    return open.remove(fh);
  }

  /** Removes and returns every open file, for an unmount. */
  List<OpenFile> removeAll() {
    List<OpenFile> files = new ArrayList<>();
    for (Long fh : List.copyOf(open.keySet())) {
      if (open.remove(fh) instanceof OpenFile f) {
        files.add(f);
      }
    }
    return files;
  }
}
