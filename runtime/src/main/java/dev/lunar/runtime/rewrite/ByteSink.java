package dev.lunar.runtime.rewrite;

import java.util.Arrays;

/** A growable byte array with LEB128 writers; unsynchronised, unlike ByteArrayOutputStream. */
final class ByteSink {
  private byte[] buf;
  private int size;

  ByteSink(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  void reset() {
    size = 0;
  }

  int size() {
    return size;
  }

  private void ensure(int extra) {
    if (size + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
    }
  }

  void u8(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  void bytes(byte[] src, int off, int len) {
    ensure(len);
    System.arraycopy(src, off, buf, size, len);
    size += len;
  }

  void sink(ByteSink other) {
    bytes(other.buf, 0, other.size);
  }

  /** Writes {@code value} as unsigned LEB128 in its shortest form. */
  void u32(long value) {
    long x = value & 0xFFFFFFFFL;
    while (x >= 0x80) {
      u8((int) ((x & 0x7F) | 0x80));
      x >>>= 7;
    }
    u8((int) x);
  }

  /** Writes {@code value} as signed LEB128 in its shortest form. */
  void s32(int value) {
    long x = value;
    while (true) {
      int b = (int) (x & 0x7F);
      x >>= 7;
      if ((x == 0 && (b & 0x40) == 0) || (x == -1 && (b & 0x40) != 0)) {
        u8(b);
        return;
      }
      u8(b | 0x80);
    }
  }

  /** Writes a section: id, size, contents. */
  void section(int id, ByteSink contents) {
    u8(id);
    u32(contents.size);
    sink(contents);
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }
}
