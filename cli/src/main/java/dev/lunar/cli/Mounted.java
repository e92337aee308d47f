package dev.lunar.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The mounted tree a client command works on: found by {@code --mount}, else {@code LUNAR_MOUNT},
 * and checked to be a live Lunar mount before anything is done.
 */
final class Mounted {
  /** Exit code when no mount is found (sysexits' EX_UNAVAILABLE). */
  static final int NO_MOUNT = 69;

  private final Path root;

  private Mounted(Path root) {
    this.root = root;
  }

  static Mounted find(Path option, Map<String, String> env) throws ClientException {
    String fromEnv = env.get("LUNAR_MOUNT");
    if (option == null && (fromEnv == null || fromEnv.isEmpty())) {
      throw new ClientException(
          NO_MOUNT, "no mount given: use --mount DIR or set LUNAR_MOUNT (see `lunar node`)");
    }
    Path root = option != null ? option : Path.of(fromEnv);
    if (!Files.isRegularFile(root.resolve("proc/new"))) {
      throw new ClientException(
          NO_MOUNT, root + " is not a live Lunar mount (no proc/new): is `lunar node` running?");
    }
    return new Mounted(root);
  }

  Path path(String relative) {
    return root.resolve(relative);
  }

  /** One line for an I/O failure on the mount: the path and what the system said. */
  static String describe(IOException e) {
    if (e instanceof FileSystemException fse) {
      String why =
          switch (fse) {
            case NoSuchFileException x -> "No such file or directory";
            case AccessDeniedException x -> "Permission denied";
            case FileAlreadyExistsException x -> "File exists";
            case DirectoryNotEmptyException x -> "Directory not empty";
            case NotDirectoryException x -> "Not a directory";
            default -> fse.getReason() != null ? fse.getReason() : fse.getClass().getSimpleName();
          };
      return fse.getFile() + ": " + why;
    }
    return e.getMessage();
  }
}
