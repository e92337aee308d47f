package dev.lunar.bench;

import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleException;
import dev.lunar.runtime.ModuleLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Loads benchmark guests from the class path and gives them a silent WASI set-up. */
final class Guests {
  private Guests() {}

  /** An example guest ({@code lunar/examples/NAME.wasm}) or a bench guest ({@code lunar/bench}). */
  static byte[] bytes(String name) {
    for (String dir : List.of("/lunar/bench/", "/lunar/examples/")) {
      try (InputStream in = Guests.class.getResourceAsStream(dir + name + ".wasm")) {
        if (in != null) {
          return in.readAllBytes();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalArgumentException("no guest " + name + " on the class path");
  }

  static LoadedModule load(ModuleLoader loader, String name) throws ModuleException {
    return loader.load(name, bytes(name));
  }

  /**
   * Arguments only; output is thrown away so that printing is not what we time. One spec may be
   * shared by any number of processes: its streams hold no per-process state.
   */
  static GuestSpec spec(String... args) {
    return spec(OutputStream.nullOutputStream(), args);
  }

  /** As {@link #spec(String...)}, with standard output going to {@code stdout}. */
  static GuestSpec spec(OutputStream stdout, String... args) {
    return new GuestSpec(
        List.of(args),
        Map.of(),
        Map.of(),
        new ByteArrayInputStream(new byte[0]),
        stdout,
        OutputStream.nullOutputStream());
  }
}
