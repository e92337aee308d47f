package dev.lunar.runtime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** Assembles WAT text with wabt's wat2wasm (installed by scripts/setup). */
  public static byte[] wat(String text) {
    try {
      Path dir = Files.createTempDirectory("wat");
      Path source = Files.writeString(dir.resolve("m.wat"), text);
      Path binary = dir.resolve("m.wasm");
      Process p =
          new ProcessBuilder("wat2wasm", "-o", binary.toString(), source.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalArgumentException("wat2wasm failed: " + output);
      }
      return Files.readAllBytes(binary);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
