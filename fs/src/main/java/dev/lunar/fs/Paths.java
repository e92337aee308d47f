package dev.lunar.fs;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Tree paths: absolute, {@code /}-separated, with {@code .} and {@code ..} resolved by name. */
public final class Paths {
  /** Longest name in the tree. */
  public static final int MAX_NAME = 255;

  private Paths() {}

  /**
   * A name or path as given in bytes, which must be UTF-8: a name the tree could hold is, and
   * decoding bytes that are not would give U+FFFD for them, so that different names met.
   */
  public static String utf8(byte[] bytes) throws FsException {
    return utf8(ByteBuffer.wrap(bytes), "a name");
  }

  /**
   * The rest of {@code src} as text, which must be UTF-8 ({@code EINVAL}: "{@code what} must be
   * valid UTF-8"): bytes that are not would decode to U+FFFD, altered.
   */
  public static String utf8(ByteBuffer src, String what) throws FsException {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(src).toString();
    } catch (CharacterCodingException e) {
      throw new FsException(Errno.EINVAL, what + " must be valid UTF-8");
    }
  }

  /**
   * The segments of {@code path} resolved against {@code base} (both absolute or {@code path}
   * relative): {@code ..} at the top stays at the top, as in Unix.
   */
  public static List<String> resolve(List<String> base, String path) throws FsException {
    List<String> out = new ArrayList<>(path.startsWith("/") ? List.of() : base);
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
        continue;
      }
      if (part.length() > MAX_NAME) {
        throw new FsException(Errno.ENAMETOOLONG, "name longer than " + MAX_NAME + " bytes");
      }
      out.add(part);
    }
    return out;
  }

  /** The segments of an absolute path. */
  public static List<String> split(String path) {
    try {
      return resolve(List.of(), path);
    } catch (FsException e) {
      throw new IllegalArgumentException(e.reason(), e);
    }
  }

  public static String join(List<String> segments) {
    return "/" + String.join("/", segments);
  }
}
