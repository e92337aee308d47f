package dev.lunar.runtime;

import java.util.Locale;

/**
 * Parses sizes as people write them: {@code 65536}, {@code 64K}, {@code 64M}, {@code 1G}, {@code
 * 64MiB}.
 */
public final class ByteSize {
  private ByteSize() {}

  /**
   * The number of bytes {@code text} names; suffixes K, M and G (optionally followed by {@code iB}
   * or {@code B}) are powers of 1024.
   *
   * @throws IllegalArgumentException with a one-line reason if it is not a size
   */
  public static long parse(String text) {
    String s = text.trim().toUpperCase(Locale.ROOT);
    if (s.endsWith("IB")) {
      s = s.substring(0, s.length() - 2);
    } else if (s.endsWith("B")) {
      s = s.substring(0, s.length() - 1);
    }
    int shift = 0;
    if (!s.isEmpty()) {
      switch (s.charAt(s.length() - 1)) {
        case 'K' -> shift = 10;
        case 'M' -> shift = 20;
        case 'G' -> shift = 30;
        default -> shift = 0;
      }
    }
    if (shift > 0) {
      s = s.substring(0, s.length() - 1);
    }
    try {
      long n = Long.parseLong(s);
      if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
        throw new IllegalArgumentException("size out of range: " + text);
      }
      return n << shift;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a size: " + text + " (try 64M, 512K, 1G)");
    }
  }
}
