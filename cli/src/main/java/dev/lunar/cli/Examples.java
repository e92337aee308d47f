package dev.lunar.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The example guests bundled with Lunar, found by name on the class path. */
final class Examples {
  private Examples() {}

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
