package dev.lunar.fs.fuse;

import static dev.lunar.fs.fuse.LibFuse.MEMORY;

/**
 * {@code struct fuse_file_info} of libfuse 2.9 on LP64 Linux, read and written by address:
 *
 * <pre>
 *   0  int flags            open flags (O_ACCMODE, O_TRUNC, O_APPEND, O_NONBLOCK, …)
 *   8  unsigned long fh_old
 *  16  int writepage
 *  20  unsigned int direct_io:1, keep_cache:1, flush:1, nonseekable:1, flock_release:1, padding:27
 *  24  uint64_t fh
 *  32  uint64_t lock_owner
 * </pre>
 *
 * The bit-field word is at 20, after {@code writepage}: jnr-fuse's {@code FuseFileInfo} leaves out
 * {@code writepage} on Linux and maps the bits as whole padding bytes, which is why its {@code
 * direct_io} never reached the kernel. Checked with gcc against fuse_common.h 2.9.9: setting {@code
 * direct_io}, {@code keep_cache}, {@code flush}, {@code nonseekable} sets bits 0, 1, 2, 3 of byte
 * 20.
 */
final class FileInfo {
  static final int SIZE = 40;
  static final int DIRECT_IO = 1;
  static final int KEEP_CACHE = 1 << 1;
  static final int NONSEEKABLE = 1 << 3;

  // open(2) flags on Linux.
  static final int O_ACCMODE = 03;
  static final int O_WRONLY = 01;
  static final int O_RDWR = 02;
  static final int O_EXCL = 0200;
  static final int O_TRUNC = 01000;
  static final int O_APPEND = 02000;
  static final int O_NONBLOCK = 04000;

  private static final long FLAGS = 0;
  private static final long BITS = 20;
  private static final long FH = 24;

  private FileInfo() {}

  static int flags(long fi) {
    return MEMORY.getInt(fi + FLAGS);
  }

  static long fh(long fi) {
    return MEMORY.getLong(fi + FH);
  }

  static void fh(long fi, long fh) {
    MEMORY.putLong(fi + FH, fh);
  }

  /**
   * Sets {@link #DIRECT_IO}, {@link #KEEP_CACHE}, {@link #NONSEEKABLE} as given, clears the rest.
   */
  static void bits(long fi, int bits) {
    MEMORY.putInt(fi + BITS, bits);
  }
}
