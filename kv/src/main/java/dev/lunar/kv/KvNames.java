package dev.lunar.kv;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * The limits every {@link KvStore} enforces, and the order keys are listed in.
 *
 * <ul>
 *   <li>A key is a file name: 1 to {@value #MAX_KEY_BYTES} bytes of UTF-8, any character but {@code
 *       /} and NUL, and not {@code .} or {@code ..}.
 *   <li>A bucket name is 1 to {@value #MAX_BUCKET_CHARS} of {@code A-Z a-z 0-9 _ . -}, not starting
 *       with {@code .}: buckets appear in {@code --grant} paths, where {@code :} and {@code *} mean
 *       something.
 *   <li>A value is at most {@value #MAX_VALUE_BYTES} bytes (64 MiB).
 * </ul>
 *
 * Beyond them: {@link Errno#ENAMETOOLONG} for a long name, {@link Errno#EFBIG} for a big value,
 * {@link Errno#EINVAL} for a bad character, each with a one-line reason.
 */
public final class KvNames {
  public static final int MAX_KEY_BYTES = 255;
  public static final int MAX_BUCKET_CHARS = 64;
  public static final int MAX_VALUE_BYTES = 64 << 20;

  /** Byte order of the UTF-8 encoding (which is code point order), the order keys list in. */
  public static final Comparator<String> ORDER = KvNames::compare;

  private KvNames() {}

  /** Checks a key name; returns its UTF-8 bytes. */
  public static byte[] key(String key) throws FsException {
    if (key.isEmpty() || key.equals(".") || key.equals("..")) {
      throw new FsException(Errno.EINVAL, "a key cannot be empty, . or ..");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '/' || c == 0) {
        throw new FsException(Errno.EINVAL, "a key cannot hold / or NUL: " + printable(key));
      }
      if (Character.isSurrogate(c)) {
        boolean paired =
            Character.isHighSurrogate(c)
                && i + 1 < key.length()
                && Character.isLowSurrogate(key.charAt(i + 1));
        if (!paired) {
          throw new FsException(Errno.EINVAL, "a key must be valid UTF-8: " + printable(key));
        }
        i++;
      }
    }
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_KEY_BYTES) {
      throw new FsException(
          Errno.ENAMETOOLONG,
          "a key is at most " + MAX_KEY_BYTES + " bytes of UTF-8, not " + bytes.length);
    }
    return bytes;
  }

  /** Checks a bucket name; returns its bytes. */
  public static byte[] bucket(String bucket) throws FsException {
    if (bucket.length() > MAX_BUCKET_CHARS) {
      throw new FsException(
          Errno.ENAMETOOLONG, "a bucket name is at most " + MAX_BUCKET_CHARS + " characters");
    }
    boolean ok = !bucket.isEmpty() && bucket.charAt(0) != '.';
    for (int i = 0; ok && i < bucket.length(); i++) {
      char c = bucket.charAt(i);
      ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '.'
              || c == '-';
    }
    if (!ok) {
      throw new FsException(
          Errno.EINVAL,
          "a bucket name is A-Z a-z 0-9 _ . - and does not start with '.': " + printable(bucket));
    }
    return bucket.getBytes(StandardCharsets.US_ASCII);
  }

  /** Checks a value's size. */
  public static void value(long size) throws FsException {
    if (size > MAX_VALUE_BYTES) {
      throw new FsException(
          Errno.EFBIG, "a value is at most " + MAX_VALUE_BYTES + " bytes (64 MiB), not " + size);
    }
  }

  /** Whether {@code bucket} could name a bucket, without saying why not. */
  public static boolean isBucket(String bucket) {
    try {
      bucket(bucket);
      return true;
    } catch (FsException e) {
      return false;
    }
  }

  /** Compares by code point, which is the byte order of UTF-8 (unlike {@link String#compareTo}). */
  public static int compare(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        // Surrogates (0xD800-0xDFFF) stand for code points above 0xFFFF: after every other char.
        boolean sx = Character.isSurrogate(x);
        boolean sy = Character.isSurrogate(y);
        if (sx != sy) {
          return sx ? 1 : -1;
        }
        return x - y;
      }
    }
    return a.length() - b.length();
  }

  /** A name fit for a one-line reason: control characters escaped, long names cut. */
  static String printable(String name) {
    StringBuilder out = new StringBuilder("'");
    for (int i = 0; i < name.length() && out.length() < 80; i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (out.length() >= 80) {
      out.append("...");
    }
    return out.append('\'').toString();
  }
}
