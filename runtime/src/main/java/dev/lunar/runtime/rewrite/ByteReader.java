package dev.lunar.runtime.rewrite;

/**
 * A cursor over a slice of a wasm binary. Every read checks its bounds so that a truncated input
 * ends in a {@link RewriteException} rather than an index error.
 */
final class ByteReader {
  private final byte[] bytes;
  private int pos;
  private final int end;

  ByteReader(byte[] bytes, int pos, int end) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  int pos() {
    return pos;
  }

  int end() {
    return end;
  }

  boolean hasMore() {
    return pos < end;
  }

  int u8() throws RewriteException {
    if (pos >= end) {
      throw new RewriteException("unexpected end of module at offset " + pos);
    }
    return bytes[pos++] & 0xFF;
  }

  /** Reads an unsigned LEB128 value of at most 32 bits. */
  int u32() throws RewriteException {
    long result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = u8();
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (result > 0xFFFFFFFFL) {
          throw new RewriteException("LEB128 value too large at offset " + pos);
        }
        return (int) result;
      }
    }
    throw new RewriteException("LEB128 value too long at offset " + pos);
  }

  /** Skips a signed or unsigned LEB128 value of any width; only its extent matters here. */
  void skipLeb() throws RewriteException {
    while ((u8() & 0x80) != 0) {
      // continuation bit set: keep going
    }
  }

  void skip(int n) throws RewriteException {
    if (n < 0 || end - pos < n) {
      throw new RewriteException("unexpected end of module at offset " + pos);
    }
    pos += n;
  }

  /**
   * Skips a value type or reference type. The GC encodings {@code (ref ht)} / {@code (ref null ht)}
   * carry a heap type after the first byte; every other type is a single byte.
   */
  void skipValType() throws RewriteException {
    int b = u8();
    if (b == 0x63 || b == 0x64) {
      skipLeb();
    }
  }
}
