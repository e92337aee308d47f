package dev.lunar.fs.fuse;

import static dev.lunar.fs.fuse.LibFuse.MEMORY;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.FsException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An open directory. The kernel continues a listing from a number (the offset of the last entry it
 * kept); the tree from a cursor. Entry k of a listing has offset k ({@code .} is 1, {@code ..} 2),
 * and the cursors of the last page sent are remembered by offset, so listing a directory of a
 * million names holds one page, never all of them. An offset from further back (a {@code seekdir})
 * is found again by listing from the start.
 *
 * <p>The kernel sends one readdir at a time per open directory; the lock only makes the page
 * visible to the next request's thread.
 */
final class DirStream {
  /** {@code struct fuse_dirent}: u64 ino, u64 off, u32 namelen, u32 type, name, padded to 8. */
  private static final int NAME_OFFSET = 24;

  private static final int DT_DIR = 4;
  private static final int DT_REG = 8;

  private final Dir dir;
  private final long ino;
  private final long parentIno;
  private Map<Long, String> cursors = Map.of();

  DirStream(Dir dir, long ino, long parentIno) {
    this.dir = dir;
    this.ino = ino;
    this.parentIno = parentIno;
  }

  /**
   * Writes the entries after offset {@code off} that fit in {@code capacity} bytes at {@code buf}.
   */
  synchronized int fill(long off, long buf, int capacity) throws FsException {
    int used = 0;
    if (off == 0) {
      int n = put(buf, used, capacity, ino, 1, ".", true);
      if (n == 0) {
        return used;
      }
      used += n;
      off = 1;
    }
    if (off == 1) {
      int n = put(buf, used, capacity, parentIno, 2, "..", true);
      if (n == 0) {
        return used;
      }
      used += n;
      off = 2;
    }
    String cursor = cursorAt(off);
    Map<Long, String> page = new HashMap<>();
    page.put(off, cursor);
    int max = Math.max(1, capacity / 32); // the smallest entry is 32 bytes
    while (true) {
      List<DirEntry> entries = dir.list(cursor, max);
      if (entries.isEmpty()) {
        break;
      }
      for (DirEntry e : entries) {
        int n =
            put(buf, used, capacity, Inodes.childIno(ino, e.name()), off + 1, e.name(), e.dir());
        if (n == 0) {
          cursors = page;
          return used;
        }
        used += n;
        off++;
        cursor = e.cursor();
        page.put(off, cursor);
      }
    }
    cursors = page;
    return used;
  }

  /** The cursor after entry {@code off}: from the last page, or by listing again from the start. */
  private String cursorAt(long off) throws FsException {
    if (cursors.containsKey(off)) {
      return cursors.get(off);
    }
    String cursor = null;
    for (long k = 2; k < off; ) {
      List<DirEntry> entries = dir.list(cursor, (int) Math.min(1024, off - k));
      if (entries.isEmpty()) {
        break;
      }
      for (DirEntry e : entries) {
        cursor = e.cursor();
        k++;
      }
    }
    return cursor;
  }

  /** Writes one entry at {@code buf + used}; returns its size, or 0 if it does not fit. */
  private static int put(
      long buf, int used, int capacity, long ino, long off, String name, boolean dir) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    int size = (NAME_OFFSET + bytes.length + 7) & ~7;
    if (used + size > capacity) {
      return 0;
    }
    long at = buf + used;
    MEMORY.putLong(at, ino);
    MEMORY.putLong(at + 8, off);
    MEMORY.putInt(at + 16, bytes.length);
    MEMORY.putInt(at + 20, dir ? DT_DIR : DT_REG);
    MEMORY.putByteArray(at + NAME_OFFSET, bytes, 0, bytes.length);
    MEMORY.setMemory(at + NAME_OFFSET + bytes.length, size - NAME_OFFSET - bytes.length, (byte) 0);
    return size;
  }
}
