package dev.lunar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The official WASI preview1 testsuite (../shared/wasi-testsuite), run case by case through the
 * same code path as {@code lunar run}: each case becomes a {@code lunar run} command line.
 *
 * <p>Cases that cannot pass yet are listed in docs/WASI.md with the reason, and in {@link
 * #KNOWN_FAILURES}; such a case is skipped, and reported if it starts passing.
 */
class WasiTestsuiteTest {
  /** Case name → reason; keep in step with docs/WASI.md. */
  /**
   * Cases that assume descriptor 3 is not open, true of a plain WASI runtime only: Lunar's tree
   * preopens follow the --dir ones. They run with --no-tree.
   */
  private static final Set<String> NO_TREE = Set.of("sock_shutdown-invalid_fd");

  static final Map<String, String> KNOWN_FAILURES =
      Map.of(
          "pwrite-with-append",
          "Chicory's path_open turns O_TRUNC|O_APPEND into NIO's TRUNCATE_EXISTING + APPEND,"
              + " which NIO refuses, so open() fails");

  @TempDir Path tmp;

  @TestFactory
  Stream<DynamicTest> officialCases() throws IOException {
    Path suite = Path.of(System.getProperty("lunar.shared"), "wasi-testsuite", "tests");
    assertTrue(Files.isDirectory(suite), "the WASI testsuite is missing at " + suite);
    List<Path> cases;
    try (var files = Files.walk(suite)) {
      cases = files.filter(f -> f.toString().endsWith(".wasm")).sorted().toList();
    }
    assertTrue(cases.size() >= 20, "expected the whole suite, found " + cases.size());
    return cases.stream()
        .map(wasm -> {
          String name = suite.relativize(wasm).toString();
          return DynamicTest.dynamicTest(name, wasm.toUri(), () -> runCase(name, wasm));
        });
  }

  private void runCase(String name, Path wasm) throws IOException {
    String base = wasm.getFileName().toString().replaceFirst("\\.wasm$", "");
    String knownFailure = KNOWN_FAILURES.get(base);
    if (knownFailure == null) {
      check(name, base, wasm);
      return;
    }
    try {
      check(name, base, wasm);
    } catch (AssertionFailedError expected) {
      throw new TestAbortedException("known failure: " + knownFailure);
    }
    fail(name + " passes now: remove it from KNOWN_FAILURES and docs/WASI.md");
  }

  private void check(String name, String base, Path wasm) throws IOException {
    Path specFile = wasm.resolveSibling(base + ".json");
    JsonObject spec =
        Files.exists(specFile)
            ? JsonParser.parseString(Files.readString(specFile)).getAsJsonObject()
            : new JsonObject();

    List<String> command = new ArrayList<>(List.of("run"));
    if (NO_TREE.contains(base)) {
      command.add("--no-tree");
    }
    if (spec.has("env")) {
      for (var e : spec.getAsJsonObject("env").entrySet()) {
        command.addAll(List.of("--env", e.getKey() + "=" + e.getValue().getAsString()));
      }
    }
    if (spec.has("root") && !spec.get("root").isJsonNull()) {
      // Work on a copy: some cases write into their root.
      Path root =
          copyTree(
              wasm.resolveSibling(spec.get("root").getAsString()),
              Files.createTempDirectory(tmp, base));
      command.addAll(List.of("--dir", root + ":/"));
    }
    command.add("--data");
    command.add(tmp.resolve("data").toString());
    command.add(wasm.toString());
    if (spec.has("args")) {
      spec.getAsJsonArray("args").forEach(a -> command.add(a.getAsString()));
    }

    Run run = Run.of("", Map.of(), command.toArray(String[]::new));
    assertEquals(intOr(spec, "exit_code", 0), run.code(), () -> name + " exit code; " + run);
    assertEquals(stringOr(spec, "stdout"), run.out(), name + " stdout");
    assertEquals(stringOr(spec, "stderr"), run.err(), name + " stderr");
  }

  private static int intOr(JsonObject spec, String key, int fallback) {
    return spec.has(key) ? spec.get(key).getAsInt() : fallback;
  }

  private static String stringOr(JsonObject spec, String key) {
    return spec.has(key) ? spec.get(key).getAsString() : "";
  }

  private static Path copyTree(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (source.equals(from)) {
          continue;
        } else if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
    return to;
  }
}
