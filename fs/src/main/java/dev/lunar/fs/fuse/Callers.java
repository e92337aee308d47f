package dev.lunar.fs.fuse;

import static dev.lunar.fs.fuse.LibFuse.MEMORY;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.OpenMode;

/**
 * Who may do what through the mount. The tree is the mounting user's: it and root may do all the
 * tree's modes allow. Other users reach the mount only with {@code allow_other}, and then may only
 * read (files readable by others, as {@code ls -l} shows: the adapter shows no write bit for group
 * or others); every change, an open for writing included, is refused to them ({@code EACCES}).
 * Otherwise, through {@code /proc/new}, they could spawn guests with the mounting user's files.
 */
final class Callers {
  private final LibFuse.Api api;
  private final long uid;
  private final boolean others;

  /**
   * @param uid the mounting user
   * @param others whether other users can reach the mount at all ({@code allow_other})
   */
  Callers(LibFuse.Api api, long uid, boolean others) {
    this.api = api;
    this.uid = uid;
    this.others = others;
  }

  /**
   * The permission bits the mount shows for a node of the tree's {@code mode}: without write bits
   * for group and others, since only the mounting user (and root) may write.
   */
  static int shown(int mode) {
    return mode & 07755;
  }

  /**
   * Refuses a change to the tree (create, mkdir, unlink, rmdir, rename, setattr) by another user.
   */
  void checkChange(long req) throws FsException {
    if (others && !owner(req)) {
      throw notYours();
    }
  }

  /** Refuses an open by another user that writes, or that reads a file others may not read. */
  void checkOpen(long req, int mode, OpenMode open) throws FsException {
    if (!others || owner(req)) {
      return;
    }
    if (open.write()) {
      throw notYours();
    }
    if ((mode & 0004) == 0) {
      throw new FsException(
          Errno.EACCES, "not readable by other users (mode " + Integer.toOctalString(mode) + ")");
    }
  }

  private FsException notYours() {
    return new FsException(
        Errno.EACCES, "the mount is uid " + uid + "'s: other users may only read it");
  }

  /** Whether the request comes from the mounting user or root ({@code struct fuse_ctx}'s uid). */
  private boolean owner(long req) {
    long caller = Integer.toUnsignedLong(MEMORY.getInt(api.fuse_req_ctx(req)));
    return caller == uid || caller == 0;
  }
}
