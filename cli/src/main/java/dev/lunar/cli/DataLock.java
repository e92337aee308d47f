package dev.lunar.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A node's hold on its data directory: a lock on {@code DATA/lock}, which names the holder's pid.
 * Taken before anything else in the directory is touched, so that a second node on it is refused
 * before it replaces the running node's copy of RocksDB's library or opens the store, and the
 * refusal says who holds it. The kernel releases the lock however the holder ends, {@code kill -9}
 * included.
 */
final class DataLock implements AutoCloseable {
  private final FileChannel channel;

  private DataLock(FileChannel channel) {
    this.channel = channel;
  }

  /**
   * Takes the lock on {@code root}, making the directory if need be.
   *
   * @throws IOException with a one-line reason: another node holds it, or it cannot be made
   */
  static DataLock take(Path root) throws IOException {
    Files.createDirectories(root);
    Path file = root.resolve("lock");
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException inThisJvm) {
        lock = null;
      }
      if (lock == null) {
        String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
        throw new IOException(
            root
                + " is in use by another node"
                + (holder.matches("\\d{1,10}") ? " (pid " + holder + ")" : ""));
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
      return new DataLock(channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close(); // releases the lock; the file stays, naming the last holder
  }
}
