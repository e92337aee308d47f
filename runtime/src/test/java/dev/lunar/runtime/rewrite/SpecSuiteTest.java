package dev.lunar.runtime.rewrite;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the WebAssembly spec testsuite against original and rewritten modules side by side: every
 * assertion Chicory passes on the original module must also pass on the rewritten one, and every
 * rewritten module must pass {@code wasm-validate}.
 */
class SpecSuiteTest {
  /**
   * Files of the suite not run, with the reason. Chicory's own runtime-tests run every other
   * top-level file here (their SIMD run lives in a separate module that Lunar does not use).
   */
  static final Map<String, String> EXCLUDED_FILES =
      Map.of(
          "simd_*.wast",
              "needs Chicory's separate SIMD module; excluded by Chicory's runtime-tests",
          "tokens.wast", "not in Chicory 1.7.5's list (newer than its suite); only stresses WAT");

  /** Files also run with the compiler; the whole suite with it would not fit in the time. */
  static final Set<String> COMPILER_SUBSET =
      Set.of("fac.wast", "call.wast", "call_indirect.wast", "loop.wast", "br_table.wast");

  /**
   * Commands (file:line) where Chicory fails the ORIGINAL module, with the reason. For these the
   * rewritten result is reported but not required. The test fails if this list goes stale.
   */
  static final Map<String, String> KNOWN_ORIGINAL_FAILURES = known();

  private static Map<String, String> known() {
    String multiMemory = "Chicory implements multi-memory, so this 2.0 rejection no longer applies";
    String constGlobal =
        "global.get of a defined global in a constant expression is valid since GC/extended-const";
    Map<String, String> known = new TreeMap<>();
    for (String[] entry :
        new String[][] {
          {"binary.wast", "877 897 916 935 974 993 1011 1029", multiMemory + " (memidx byte)"},
          {"memory.wast", "10 11", multiMemory},
          {"imports.wast", "491", multiMemory},
          {"data.wast", "85 89", constGlobal},
          {"elem.wast", "152 156", constGlobal},
          {"global.wast", "352 356", constGlobal},
        }) {
      for (String line : entry[1].split(" ")) {
        known.put(entry[0] + ":" + line, entry[2]);
      }
    }
    return known;
  }

  private static final ExecutorService VALIDATORS = Executors.newFixedThreadPool(2);
  private static final SpecTotals TOTALS = new SpecTotals();

  private static Path suite() {
    String shared = System.getProperty("lunar.shared");
    if (shared == null) {
      fail("system property lunar.shared is not set (surefire sets it to <root>/../shared)");
    }
    Path dir = Path.of(shared, "wasm-spec-testsuite");
    if (!Files.isDirectory(dir)) {
      fail("spec testsuite missing: " + dir + " (run scripts/setup)");
    }
    return dir;
  }

  private static List<String> files() throws IOException {
    try (Stream<Path> list = Files.list(suite())) {
      return list.map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".wast"))
          .filter(f -> !f.startsWith("simd_") && !EXCLUDED_FILES.containsKey(f))
          .sorted()
          .toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> interpreter() throws IOException {
    return files().stream().map(f -> DynamicTest.dynamicTest(f, () -> runFile(f, false)));
  }

  @TestFactory
  Stream<DynamicTest> compiler() throws IOException {
    return files().stream()
        .filter(COMPILER_SUBSET::contains)
        .map(f -> DynamicTest.dynamicTest(f + " (compiled)", () -> runFile(f, true)));
  }

  @AfterAll
  static void report() {
    VALIDATORS.shutdown();
    System.out.println(TOTALS.summary());
  }

  private static void runFile(String file, boolean compiled) throws Exception {
    long start = System.nanoTime();
    Path dir = Files.createTempDirectory("spec");
    try {
      String base = file.substring(0, file.length() - ".wast".length());
      Path json = dir.resolve(base + ".json");
      String error =
          Wabt.run(List.of("wast2json", suite().resolve(file).toString(), "-o", json.toString()));
      if (error != null) {
        fail(error);
      }
      JsonArray commands =
          JsonParser.parseString(Files.readString(json))
              .getAsJsonObject()
              .getAsJsonArray("commands");
      SpecRunner runner = new SpecRunner(file, dir, compiled, VALIDATORS);
      // An 8 MiB stack keeps the exhaustion tests quick: on surefire's 64 MiB main stack,
      // skip-stack-guard-page.wast alone takes minutes to overflow the interpreter.
      Throwable[] failure = new Throwable[1];
      Thread thread =
          new Thread(
              null,
              () -> {
                try {
                  for (JsonElement c : commands) {
                    runner.run(c.getAsJsonObject());
                  }
                } catch (Throwable t) {
                  failure[0] = t;
                }
              },
              file,
              8L << 20);
      thread.start();
      thread.join();
      if (failure[0] != null) {
        throw new AssertionError(file + ": " + failure[0], failure[0]);
      }
      List<String> problems = new ArrayList<>(runner.regressions());
      for (Future<String> v : runner.validations()) {
        String invalid = v.get();
        if (invalid != null) {
          problems.add(invalid);
        }
      }
      Map<String, String> originalFailures = new TreeMap<>(runner.originalFailures());
      TOTALS.add(file, runner, compiled, System.nanoTime() - start);
      for (var e : originalFailures.entrySet()) {
        if (!KNOWN_ORIGINAL_FAILURES.containsKey(e.getKey())) {
          problems.add(
              "original fails, not in KNOWN_ORIGINAL_FAILURES: " + e.getKey() + " " + e.getValue());
        }
      }
      for (String known : KNOWN_ORIGINAL_FAILURES.keySet()) {
        if (known.startsWith(file + ":") && !originalFailures.containsKey(known) && !compiled) {
          problems.add("stale KNOWN_ORIGINAL_FAILURES entry: " + known);
        }
      }
      assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
