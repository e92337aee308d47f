package dev.lunar.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes one request to a clone or ctl file ({@code /proc/new}, {@code /proc/<pid>/ctl}) and reads
 * the answer on the same descriptor. When the write fails, the same descriptor holds the reason
 * (docs/PROTOCOL.md), which becomes the error.
 */
final class Ask {
  private Ask() {}

  static String ask(Path file, String request) throws IOException, ClientException {
    try (var ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer line = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
      try {
        while (line.hasRemaining()) {
          // EAGAIN comes back as 0 bytes written, not as an exception: a refusal too.
          if (ch.write(line) == 0) {
            throw new IOException(file + ": Resource temporarily unavailable");
          }
        }
      } catch (IOException e) {
        String reason = readAll(ch);
        throw new ClientException(
            ClientCommand.FAILED, reason.isEmpty() ? Mounted.describe(e) : reason);
      }
      return readAll(ch);
    }
  }

  private static String readAll(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(4096);
    while (ch.read(buf) > 0 && buf.hasRemaining()) {}
    return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
  }
}
