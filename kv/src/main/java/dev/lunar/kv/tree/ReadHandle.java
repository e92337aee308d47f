package dev.lunar.kv.tree;

import dev.lunar.fs.Handle;
import java.nio.ByteBuffer;

/** Reads a value as it was when the key was opened. */
final class ReadHandle implements Handle {
  private final byte[] value;

  ReadHandle(byte[] value) {
    this.value = value;
  }

  @Override
  public int read(ByteBuffer dst, long offset, boolean block) {
    if (offset >= value.length) {
      return 0;
    }
    int n = (int) Math.min(dst.remaining(), value.length - offset);
    dst.put(value, (int) offset, n);
    return n;
  }

  @Override
  public long size() {
    return value.length;
  }
}
