package dev.lunar.cli;

import dev.lunar.fs.Grant;
import dev.lunar.fs.Grants;
import dev.lunar.runtime.ByteSize;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleException;
import dev.lunar.runtime.ModuleLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options {@code lunar run} and {@code lunar serve} share, parsed one way: the module, {@code
 * --env}, {@code --dir}, {@code --grant} and sizes. Each failure names the option and the value.
 */
final class GuestOptions {
  private GuestOptions() {}

  /**
   * A {@code .wasm} file, or the name of a bundled example; a name with a {@code /} or ending in
   * {@code .wasm} is a file only (a missing {@code spin.wasm} is not the example {@code spin}).
   */
  static LoadedModule load(ModuleLoader loader, String module) throws ModuleException {
    Path file = Path.of(module);
    if (Files.exists(file) || module.contains("/") || module.endsWith(".wasm")) {
      return loader.load(file);
    }
    byte[] example = Examples.find(module);
    if (example == null) {
      throw new ModuleException("no such file (nor a bundled example of that name)");
    }
    return loader.load(module, example);
  }

  /** {@code --grant} values; {@code none} adds nothing; no values at all give {@code whenNone}. */
  static Grants grants(List<String> values, Grants whenNone) throws ModuleException {
    if (values.isEmpty()) {
      return whenNone;
    }
    List<Grant> out = new ArrayList<>();
    for (String g : values) {
      if (!g.equals("none")) {
        try {
          out.add(Grant.parse(g));
        } catch (IllegalArgumentException e) {
          throw new ModuleException("--grant " + g + ": " + e.getMessage());
        }
      }
    }
    return new Grants(out);
  }

  /** {@code --env K=V} values, in order. */
  static Map<String, String> env(List<String> values) throws ModuleException {
    Map<String, String> result = new LinkedHashMap<>();
    for (String entry : values) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new ModuleException("--env " + entry + ": expected K=V");
      }
      result.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    return result;
  }

  /** {@code --dir HOST[:GUEST]} values, by guest path. */
  static Map<String, Path> dirs(List<String> values) {
    Map<String, Path> result = new LinkedHashMap<>();
    for (String entry : values) {
      int colon = entry.indexOf(':');
      String host = colon < 0 ? entry : entry.substring(0, colon);
      String guest = colon < 0 ? entry : entry.substring(colon + 1);
      result.put(guest, Path.of(host));
    }
    return result;
  }

  /** A size such as {@code 64K} or {@code 8M}. */
  static long size(String option, String text) throws ModuleException {
    try {
      return ByteSize.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ModuleException(option + " " + text + ": " + e.getMessage());
    }
  }

  /** A linear-memory limit: a size of at least one wasm page, at most wasm32's 4G. */
  static long memory(String option, String text) throws ModuleException {
    long bytes = size(option, text);
    if (bytes < 65536) {
      throw new ModuleException(option + " " + text + ": at least 64K (one wasm page)");
    }
    if (bytes > 4L << 30) {
      throw new ModuleException(option + " " + text + ": at most 4G (all a wasm32 memory can be)");
    }
    return bytes;
  }
}
