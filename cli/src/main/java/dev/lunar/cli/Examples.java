package dev.lunar.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The example guests bundled with Lunar, found by name on the class path. */
final class Examples {
  private Examples() {}

  /** The names of the bundled examples, without {@code .wasm}. */
  static List<String> names() {
    try (InputStream in = Examples.class.getResourceAsStream("/lunar/examples/INDEX")) {
      if (in == null) {
        return List.of();
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(l -> l.endsWith(".wasm"))
          .map(l -> l.substring(0, l.length() - 5))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bytes of example {@code name} ({@code hello} or {@code hello.wasm}), or null. */
  static byte[] find(String name) {
    String base = name.endsWith(".wasm") ? name.substring(0, name.length() - 5) : name;
    if (!base.matches("[A-Za-z0-9_-]+")) {
      return null;
    }
    try (InputStream in = Examples.class.getResourceAsStream("/lunar/examples/" + base + ".wasm")) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
