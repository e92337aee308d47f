package dev.lunar.runtime.tree;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Small helpers for files whose content is text. */
final class Text {
  private Text() {}

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String string(ByteBuffer src) {
    byte[] b = new byte[src.remaining()];
    src.get(b);
    return new String(b, StandardCharsets.UTF_8);
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
