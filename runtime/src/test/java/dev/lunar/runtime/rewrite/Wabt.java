package dev.lunar.runtime.rewrite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs wabt's command-line tools (installed by scripts/setup) for the rewriter tests. */
final class Wabt {
  private Wabt() {}

  /**
   * Runs {@code wasm-validate} on a binary: {@code null} if valid, else its diagnostics. {@code
   * flags} enable proposals beyond wabt's defaults.
   */
  static String validate(byte[] wasm, String... flags) {
    try {
      Path file = Files.createTempFile("rewritten", ".wasm");
      try {
        Files.write(file, wasm);
        List<String> command = new ArrayList<>(List.of("wasm-validate"));
        command.addAll(List.of(flags));
        command.add(file.toString());
        return run(command);
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a command; returns {@code null} on success, else its combined output. */
  static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes());
      return p.waitFor() == 0 ? null : command.get(0) + ": " + output.strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
