package dev.lunar.runtime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test guests: the bundled examples, and modules written inline in WAT. */
public final class TestModules {
  private TestModules() {}

  /** The bytes of a bundled example, e.g. {@code hello}. */
  public static byte[] example(String name) {
    try (InputStream in =
        TestModules.class.getResourceAsStream("/lunar/examples/" + name + ".wasm")) {
      if (in == null) {
        throw new IllegalArgumentException("no example " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A guest set-up with no stdin, stdout into {@code out} and stderr discarded. */
  public static GuestSpec spec(OutputStream out, String... args) {
    return new GuestSpec(
        List.of(args),
        Map.of(),
        Map.of(),
        new ByteArrayInputStream(new byte[0]),
        out,
        OutputStream.nullOutputStream());
  }

  /**
   * Assembles WAT text with wabt's wat2wasm (installed by scripts/setup); {@code flags} are extra
   * wat2wasm options, such as proposals beyond its defaults.
   */
  public static byte[] wat(String text, String... flags) {
    try {
      Path dir = Files.createTempDirectory("wat");
      Path source = dir.resolve("m.wat");
      Path binary = dir.resolve("m.wasm");
      try {
        Files.writeString(source, text);
        List<String> command = new ArrayList<>(List.of("wat2wasm", "-o", binary.toString()));
        command.addAll(List.of(flags));
        command.add(source.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
          throw new IllegalArgumentException("wat2wasm failed: " + output);
        }
        return Files.readAllBytes(binary);
      } finally {
        Files.deleteIfExists(source);
        Files.deleteIfExists(binary);
        Files.delete(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
