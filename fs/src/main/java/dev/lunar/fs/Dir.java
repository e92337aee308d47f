package dev.lunar.fs;

import java.util.List;

/**
 * A directory. One generator answers {@link #lookup} and {@link #list}, so the two never disagree.
 * Listings are paged by cursor, so a directory of a million names never builds them all. The
 * changing operations default to {@link Errno#EPERM}: most of the tree is made by the node, not by
 * callers.
 */
public interface Dir extends Node {
  /** The child called {@code name}; {@link Errno#ENOENT} if there is none. */
  Node lookup(String name) throws FsException;

  /**
   * At most {@code max} entries after {@code cursor} (from the start when null), in the directory's
   * own stable order.
   */
  List<DirEntry> list(String cursor, int max) throws FsException;

  /** Creates (or, unless {@code exclusive}, finds) a file and opens it. */
  default Handle create(String name, OpenMode mode, boolean exclusive) throws FsException {
    throw new FsException(Errno.EPERM, "cannot create files here");
  }

  default void mkdir(String name) throws FsException {
    throw new FsException(Errno.EPERM, "cannot create directories here");
  }

  default void unlink(String name) throws FsException {
    throw new FsException(Errno.EPERM, "cannot remove files here");
  }

  default void rmdir(String name) throws FsException {
    throw new FsException(Errno.EPERM, "cannot remove directories here");
  }

  /** Moves {@code from} to {@code to} within this directory. */
  default void rename(String from, String to) throws FsException {
    throw new FsException(Errno.EPERM, "cannot rename here");
  }

  @Override
  default Stat stat() throws FsException {
    return Stat.dir(0);
  }
}
