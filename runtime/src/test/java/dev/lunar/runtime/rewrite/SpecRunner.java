package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.runtime.Instance;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Runs the commands of one wast2json command list in two {@link SpecWorld}s, original and
 * rewritten, and records for each command whether each world met the expectation.
 */
final class SpecRunner {
  private final String file;
  private final Path dir;
  private final SpecWorld original;
  private final SpecWorld rewritten;
  private final ExecutorService validators;
  private final List<Future<String>> validations = new ArrayList<>();
  private final List<String> regressions = new ArrayList<>();
  private final Map<String, String> originalFailures = new LinkedHashMap<>();
  int commands;
  int originalPassed;
  int rewrittenPassed;
  int skipped;
  int modules;
  int rejected;

  SpecRunner(String file, Path dir, boolean compiled, ExecutorService validators) {
    this.file = file;
    this.dir = dir;
    this.original = new SpecWorld(false, compiled);
    this.rewritten = new SpecWorld(true, compiled);
    this.validators = validators;
  }

  /** A command's outcome in one world: whether it met the expectation, and what happened. */
  private record Result(boolean ok, String detail) {}

  private interface Check {
    Result in(SpecWorld world) throws Exception;
  }

  void run(JsonObject c) throws Exception {
    String type = c.get("type").getAsString();
    String key = file + ":" + c.get("line").getAsInt();
    switch (type) {
      case "module" -> module(c, key);
      case "register" -> both(key, type, w -> run(() -> w.register(str(c, "as"), str(c, "name"))));
      case "action" -> both(key, type, w -> action(w, c, r -> null));
      case "assert_return" -> assertReturn(c, key);
      case "assert_trap" -> both(key, type, w -> throwsIn(w, c, false));
      case "assert_exhaustion" -> both(key, type, w -> throwsIn(w, c, true));
      case "assert_invalid", "assert_malformed" -> rejected(c, key);
      case "assert_unlinkable", "assert_uninstantiable" -> {
        byte[] wasm = Files.readAllBytes(dir.resolve(str(c, "filename")));
        byte[] rewrittenWasm = ReductionRewriter.rewrite(wasm);
        commands++;
        record(key, type, failsIn(original, wasm), failsIn(rewritten, rewrittenWasm));
      }
      default -> skipped++;
    }
  }

  private void module(JsonObject c, String key) throws Exception {
    byte[] wasm = Files.readAllBytes(dir.resolve(str(c, "filename")));
    commands++;
    modules++;
    Result before = run(() -> original.instantiate(wasm, str(c, "name")));
    byte[] rewrittenWasm;
    try {
      rewrittenWasm = ReductionRewriter.rewrite(wasm);
    } catch (RewriteException e) {
      rewrittenWasm = null;
      record(key, "module", before, new Result(false, "rewrite: " + e.getMessage()));
      return;
    }
    byte[] validated = rewrittenWasm;
    validations.add(validators.submit(() -> validate(key, wasm, validated)));
    byte[] instantiated = rewrittenWasm;
    record(key, "module", before, run(() -> rewritten.instantiate(instantiated, str(c, "name"))));
  }

  /** wasm-validate on the rewritten module; a failure counts only if the original validates. */
  private static String validate(String key, byte[] wasm, byte[] rewrittenWasm) {
    String error = Wabt.validate(rewrittenWasm);
    if (error == null || Wabt.validate(wasm) != null) {
      return null;
    }
    return key + " rewritten module fails wasm-validate: " + error;
  }

  private void rejected(JsonObject c, String key) {
    if (!"binary".equals(str(c, "module_type"))) {
      skipped++; // text modules test the WAT parser, not Chicory or the rewriter
      return;
    }
    commands++;
    rejected++;
    byte[] wasm;
    try {
      wasm = Files.readAllBytes(dir.resolve(str(c, "filename")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    // Chicory checks some rules (export targets, import types) only when instantiating, so a
    // module counts as rejected if either parsing or instantiating it fails.
    Result before = run(() -> original.instantiateDetached(wasm));
    Result after;
    try {
      byte[] rewrittenWasm = ReductionRewriter.rewrite(wasm);
      Result r = run(() -> rewritten.instantiateDetached(rewrittenWasm));
      after = new Result(!r.ok(), "rewriter accepted it; instantiation: " + r.detail());
    } catch (RewriteException e) {
      after = new Result(true, e.getMessage());
    }
    record(key, str(c, "type"), new Result(!before.ok(), before.detail()), after);
  }

  private void assertReturn(JsonObject c, String key) throws Exception {
    JsonArray expected = c.getAsJsonArray("expected");
    if (SpecValues.unsupported(expected)
        || SpecValues.unsupported(action(c).getAsJsonArray("args"))) {
      skipped++;
      return;
    }
    both(
        key,
        "assert_return",
        w ->
            action(
                w, c, results -> SpecValues.matches(expected, results) ? null : "wrong results"));
  }

  private interface Verifier {
    String problem(long[] results);
  }

  private Result action(SpecWorld world, JsonObject c, Verifier verifier) {
    long[] results;
    try {
      results = perform(world, action(c));
    } catch (Throwable t) {
      return new Result(false, describe(t));
    }
    String problem = verifier.problem(results);
    return new Result(problem == null, problem == null ? "ok" : problem);
  }

  private Result throwsIn(SpecWorld world, JsonObject c, boolean exhaustion) {
    if (SpecValues.unsupported(action(c).getAsJsonArray("args"))) {
      return new Result(false, "unsupported argument");
    }
    try {
      perform(world, action(c));
      return new Result(false, "did not trap");
    } catch (Throwable t) {
      boolean overflow = SpecValues.isExhaustion(t);
      return new Result(overflow == exhaustion, describe(t));
    }
  }

  private static long[] perform(SpecWorld world, JsonObject action) {
    Instance instance = world.instance(str(action, "module"));
    String field = str(action, "field");
    if ("get".equals(str(action, "type"))) {
      return new long[] {instance.exports().global(field).getValue()};
    }
    long[] args = SpecValues.args(action.getAsJsonArray("args"));
    long[] results = instance.export(field).apply(args);
    return results == null ? new long[0] : results;
  }

  private static Result failsIn(SpecWorld world, byte[] wasm) {
    Result r = run(() -> world.instantiateDetached(wasm));
    return new Result(!r.ok(), r.detail());
  }

  private interface Body {
    void run() throws Exception;
  }

  private static Result run(Body body) {
    try {
      body.run();
      return new Result(true, "ok");
    } catch (Throwable t) {
      return new Result(false, describe(t));
    }
  }

  private void both(String key, String type, Check check) throws Exception {
    commands++;
    record(key, type, check.in(original), check.in(rewritten));
  }

  private void record(String key, String type, Result before, Result after) {
    if (before.ok()) {
      originalPassed++;
    } else {
      originalFailures.put(
          key, type + ": " + before.detail() + " (rewritten: " + after.detail() + ")");
    }
    if (after.ok()) {
      rewrittenPassed++;
    } else if (before.ok()) {
      regressions.add(
          key + " " + type + " passes on the original, fails rewritten: " + after.detail());
    }
  }

  private static String describe(Throwable t) {
    String message = t.getMessage() == null ? "" : t.getMessage();
    return t.getClass().getSimpleName() + " " + ReductionRewriter.oneLine(message);
  }

  private static JsonObject action(JsonObject c) {
    return c.getAsJsonObject("action");
  }

  private static String str(JsonObject o, String name) {
    return o.has(name) && !o.get(name).isJsonNull() ? o.get(name).getAsString() : null;
  }

  List<String> regressions() {
    return regressions;
  }

  List<Future<String>> validations() {
    return validations;
  }

  Map<String, String> originalFailures() {
    return originalFailures;
  }

  long yields() {
    return rewritten.yields;
  }
}
