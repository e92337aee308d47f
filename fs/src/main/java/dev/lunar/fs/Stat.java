package dev.lunar.fs;

/**
 * What {@code stat} says about a node.
 *
 * @param dir a directory, else a file
 * @param size bytes a read from offset 0 would give now; 0 for streams and directories
 * @param mode permission bits, e.g. {@code 0644}; grants narrow them further
 * @param modifiedMillis last change, milliseconds since the epoch
 * @param stream reads and writes are messages, not bytes at offsets: no seeking, no caching
 */
public record Stat(boolean dir, long size, int mode, long modifiedMillis, boolean stream) {
  public static Stat dir(long modifiedMillis) {
    return new Stat(true, 0, 0755, modifiedMillis, false);
  }

  public static Stat file(long size, int mode, long modifiedMillis) {
    return new Stat(false, size, mode, modifiedMillis, false);
  }

  public static Stat stream(int mode, long modifiedMillis) {
    return new Stat(false, 0, mode, modifiedMillis, true);
  }

  /**
   * Refuses an open that permission bits {@code mode} do not allow: the tree's modes hold even for
   * root, as in {@code /proc}: no write bit, no writing.
   */
  public static void permit(int mode, OpenMode open) throws FsException {
    String octal = Integer.toOctalString(mode);
    if (open.write() && (mode & 0222) == 0) {
      throw new FsException(Errno.EACCES, "read-only (mode " + octal + ")");
    }
    if (open.read() && (mode & 0444) == 0) {
      throw new FsException(Errno.EACCES, "write-only (mode " + octal + ")");
    }
  }

  /** The same, with the write bits cleared (a read-only grant) or the read bits (write-only). */
  Stat narrowed(Access access) {
    int m = mode;
    if (!access.write()) {
      m &= ~0222;
    }
    if (!access.read() && !dir) {
      m &= ~0444;
    }
    return new Stat(dir, size, m, modifiedMillis, stream);
  }
}
