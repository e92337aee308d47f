package dev.lunar.fs;

/**
 * The errors the tree answers with, and their numbers in WASI preview1 and on Linux, so the WASI
 * layer and the FUSE adapter translate with a table look-up and hold no logic of their own.
 */
public enum Errno {
  EPERM(63, 1),
  ENOENT(44, 2),
  ESRCH(71, 3),
  EINTR(27, 4),
  EIO(29, 5),
  EBADF(8, 9),
  EAGAIN(6, 11),
  ENOMEM(48, 12),
  EACCES(2, 13),
  EEXIST(20, 17),
  EXDEV(75, 18),
  ENOTDIR(54, 20),
  EISDIR(31, 21),
  EINVAL(28, 22),
  EFBIG(22, 27),
  ENOSPC(51, 28),
  ESPIPE(70, 29),
  EROFS(69, 30),
  ENAMETOOLONG(37, 36),
  ENOSYS(52, 38),
  ENOTEMPTY(55, 39),
  EMSGSIZE(35, 90),
  ENOTSUP(58, 95),
  EPIPE(64, 32),
  EADDRINUSE(3, 98);

  private final int wasi;
  private final int linux;

  Errno(int wasi, int linux) {
    this.wasi = wasi;
    this.linux = linux;
  }

  /** The number in WASI preview1's {@code errno} enumeration. */
  public int wasi() {
    return wasi;
  }

  /** The number on Linux, as FUSE wants it (negated there). */
  public int linux() {
    return linux;
  }
}
