package dev.lunar.runtime;

import com.dylibso.chicory.compiler.Cache;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Compiled module bytecode on disk, one file per module digest. Safe for concurrent use by threads
 * and by several Lunar processes sharing a data directory: entries are written to a temporary file
 * and published by an atomic rename, so a reader never sees half an entry.
 */
final class DiskCache implements Cache {
  private final Path dir;

  DiskCache(Path dir) {
    this.dir = dir;
  }

  @Override
  public byte[] get(String key) throws IOException {
    try {
      return Files.readAllBytes(file(key));
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public void putIfAbsent(String key, byte[] data) throws IOException {
    Path target = file(key);
    if (Files.exists(target)) {
      return;
    }
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "entry", ".tmp");
    try {
      Files.write(tmp, data);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
      // Another writer won the race, or the file system cannot rename atomically: no entry.
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Keys look like {@code sha-256:BASE64}; base64 may hold '/', which a file name may not. */
  private Path file(String key) {
    return dir.resolve(key.replace('/', '_').replace(':', '-') + ".jar");
  }
}
