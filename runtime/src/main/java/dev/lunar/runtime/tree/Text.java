package dev.lunar.runtime.tree;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Paths;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Small helpers for files whose content is text, here and in {@code /net}. */
public final class Text {
  private Text() {}

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A command line written to a file (a spawn line, a ctl command), which must be UTF-8: bytes that
   * are not would decode to U+FFFD, and reach a guest's arguments altered.
   */
  public static String string(ByteBuffer src) throws FsException {
    return Paths.utf8(src, "a command line");
  }

  /**
   * A positive number as written in a path (a pid, a connection id): 1 to 18 digits, no sign, no
   * leading zero; 0 if {@code name} is not one.
   */
  public static long number(String name) {
    if (name.isEmpty() || name.length() > 18 || name.charAt(0) == '0') {
      return 0;
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) < '0' || name.charAt(i) > '9') {
        return 0;
      }
    }
    return Long.parseLong(name);
  }

  /** Copies what fits of {@code data} from {@code offset}; returns the count. */
  static int copy(byte[] data, long offset, ByteBuffer dst) {
    if (offset >= data.length) {
      return 0;
    }
    int n = (int) Math.min(dst.remaining(), data.length - offset);
    dst.put(data, (int) offset, n);
    return n;
  }

  /** A read-only handle on fixed bytes: a snapshot taken at open. */
  static Handle snapshot(byte[] data) {
    return Handle.of(data);
  }

  static FsException invalid(String reason) {
    return new FsException(Errno.EINVAL, reason);
  }
}
