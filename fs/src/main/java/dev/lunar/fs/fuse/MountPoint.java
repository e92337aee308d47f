package dev.lunar.fs.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The host directory a tree is mounted on: the checks before a mount, clearing a stale mount left
 * by a killed process ({@code stat} fails with "Transport endpoint is not connected"), and
 * unmounting.
 */
final class MountPoint {
  private MountPoint() {}

  /** {@code dir} absolute, with its parent's symbolic links resolved, as mountinfo shows it. */
  static Path canonical(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    if (parent == null || abs.getFileName() == null) {
      return abs;
    }
    if (!Files.isDirectory(parent)) {
      throw new NoSuchFileException(parent.toString(), null, "no such directory");
    }
    return parent.toRealPath().resolve(abs.getFileName());
  }

  /**
   * Makes {@code dir} ready to mount on: an existing empty directory with nothing mounted on it. A
   * dead FUSE mount there is unmounted first; a live one is an error.
   */
  static void prepare(Path dir) throws IOException {
    String type = mountedType(dir);
    if (type != null) {
      if (!type.startsWith("fuse") || answers(dir)) {
        throw new FileSystemException(
            dir.toString(), null, "something is mounted there already (" + type + ")");
      }
      unmount(dir);
      if (mountedType(dir) != null) {
        throw new FileSystemException(
            dir.toString(), null, "a dead FUSE mount is there and could not be unmounted");
      }
    }
    if (!Files.exists(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "the mount point does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new FileSystemException(dir.toString(), null, "the mount point is not a directory");
    }
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        throw new DirectoryNotEmptyException(dir + ": the mount point is not empty");
      }
    }
  }

  /** The file system type mounted exactly at {@code dir} (the last mount there), or null. */
  static String mountedType(Path dir) throws IOException {
    String wanted = dir.toString();
    String type = null;
    // mountinfo: id parent major:minor root mountpoint options [optional…] - fstype source super
    for (String line :
        Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.ISO_8859_1)) {
      String[] f = line.split(" ");
      int dash = List.of(f).indexOf("-");
      if (f.length > 4 && dash > 0 && dash + 1 < f.length && unescape(f[4]).equals(wanted)) {
        type = f[dash + 1];
      }
    }
    return type;
  }

  /**
   * Whether the file system mounted at {@code dir} answers: a look-up of a name that is not there
   * always reaches it, where a stat of the directory itself may be answered from the kernel's cache
   * even after its process died.
   */
  private static boolean answers(Path dir) {
    try {
      Files.readAttributes(
          dir.resolve(".lunar-probe-" + System.nanoTime()), BasicFileAttributes.class);
      return true;
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException e) {
      return false; // ENOTCONN: its process is gone
    }
  }

  /**
   * Detaches whatever FUSE file system is mounted at {@code dir}, lazily: {@code fusermount -u -z},
   * or as root {@code umount -l} where fusermount is missing.
   */
  static void unmount(Path dir) throws IOException {
    String path = dir.toString();
    if (run(List.of("fusermount", "-u", "-z", "--", path)) != 0) {
      int rc = run(List.of("umount", "-l", "--", path));
      if (rc != 0) {
        throw new FileSystemException(path, null, "could not unmount (umount -l: exit " + rc + ")");
      }
    }
  }

  private static int run(List<String> command) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return 127; // not installed
    }
    try {
      p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return 124;
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command, e);
    }
  }

  /** mountinfo escapes space, tab, newline and backslash as \ooo; its bytes are UTF-8. */
  static String unescape(String s) {
    byte[] out = new byte[s.length()];
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        out[n++] = (byte) Integer.parseInt(s.substring(i + 1, i + 4), 8);
        i += 3;
      } else {
        out[n++] = (byte) c;
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  private static boolean isOctal(String s, int at) {
    if (at + 3 > s.length()) {
      return false;
    }
    for (int i = at; i < at + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}
