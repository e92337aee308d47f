package dev.lunar.runtime.tree;

import dev.lunar.fs.FsException;
import dev.lunar.fs.Grant;
import dev.lunar.runtime.ByteSize;
import dev.lunar.runtime.proc.ChildSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A spawn line, as written to {@code /proc/new}: {@code [OPTIONS] MODULE [ARGS...]} with the words
 * of {@code lunar run}. Parsing checks everything that does not depend on the caller; {@link
 * Spawner} checks the rest.
 *
 * @param grants the child's grants; null to inherit the caller's
 * @param dirs {@code PATH[:GUEST]} as the caller sees PATH; null to inherit the caller's
 */
record SpawnLine(
    List<Grant> grants,
    List<String> dirs,
    Map<String, String> env,
    long maxMemory,
    long maxReductions,
    String name,
    boolean link,
    boolean monitor,
    boolean trapExits,
    long supervisor,
    ChildSpec.Restart restart,
    String module,
    List<String> args) {

  static SpawnLine parse(String line) throws FsException {
    List<String> words = words(line);
    List<Grant> grants = null;
    List<String> dirs = null;
    Map<String, String> env = new LinkedHashMap<>();
    long maxMemory = 0;
    long maxReductions = 0;
    String name = null;
    boolean link = false;
    boolean monitor = false;
    boolean trapExits = false;
    long supervisor = 0;
    ChildSpec.Restart restart = null;
    int i = 0;
    for (; i < words.size() && words.get(i).startsWith("--"); i++) {
      String word = words.get(i);
      if (word.equals("--")) {
        i++;
        break;
      }
      String option = word;
      String value = null;
      int eq = word.indexOf('=');
      if (eq > 0) {
        option = word.substring(0, eq);
        value = word.substring(eq + 1);
      }
      switch (option) {
        case "--link" -> link = flag(option, value);
        case "--monitor" -> monitor = flag(option, value);
        case "--trap-exits" -> trapExits = flag(option, value);
        default -> {
          if (value == null) {
            if (i + 1 >= words.size()) {
              throw Text.invalid("spawn: " + option + " needs a value");
            }
            value = words.get(++i);
          }
          switch (option) {
            case "--grant" -> {
              grants = grants == null ? new ArrayList<>() : grants;
              if (!value.equals("none")) {
                grants.add(grant(value));
              }
            }
            case "--dir" -> {
              dirs = dirs == null ? new ArrayList<>() : dirs;
              dirs.add(value);
            }
            case "--env" -> {
              int at = value.indexOf('=');
              if (at <= 0) {
                throw Text.invalid("spawn: --env " + value + ": expected K=V");
              }
              env.put(value.substring(0, at), value.substring(at + 1));
            }
            case "--max-memory" -> maxMemory = size(value);
            case "--max-reductions" -> maxReductions = number(option, value);
            case "--name" -> name = value;
            case "--supervisor" -> supervisor = number(option, value);
            case "--restart" -> restart = restart(value);
            default -> throw Text.invalid("spawn: unknown option " + option);
          }
        }
      }
    }
    if (i >= words.size()) {
      throw Text.invalid("spawn: no module named");
    }
    if (restart != null && supervisor == 0) {
      throw Text.invalid("spawn: --restart needs --supervisor");
    }
    if (supervisor != 0 && (link || monitor)) {
      throw Text.invalid("spawn: --link and --monitor do not go with --supervisor");
    }
    if (supervisor != 0 && restart == null) {
      restart = ChildSpec.Restart.PERMANENT;
    }
    return new SpawnLine(
        grants,
        dirs,
        env,
        maxMemory,
        maxReductions,
        name,
        link,
        monitor,
        trapExits,
        supervisor,
        restart,
        words.get(i),
        List.copyOf(words.subList(i + 1, words.size())));
  }

  private static boolean flag(String option, String value) throws FsException {
    if (value != null) {
      throw Text.invalid("spawn: " + option + " takes no value");
    }
    return true;
  }

  private static Grant grant(String text) throws FsException {
    try {
      return Grant.parse(text);
    } catch (IllegalArgumentException e) {
      throw Text.invalid("spawn: --grant " + text + ": " + e.getMessage());
    }
  }

  private static long size(String text) throws FsException {
    try {
      long bytes = ByteSize.parse(text);
      if (bytes < 65536) {
        throw new IllegalArgumentException("at least 64K (one wasm page)");
      }
      if (bytes > 4L << 30) {
        throw new IllegalArgumentException(
            "at most 4G (all a 32-bit wasm memory can address; Chicory grows one to 2G - 64K)");
      }
      return bytes;
    } catch (IllegalArgumentException e) {
      throw Text.invalid("spawn: --max-memory " + text + ": " + e.getMessage());
    }
  }

  private static long number(String option, String text) throws FsException {
    try {
      long n = Long.parseLong(text);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw Text.invalid("spawn: " + option + " " + text + ": not a positive number");
  }

  private static ChildSpec.Restart restart(String text) throws FsException {
    try {
      return ChildSpec.Restart.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Text.invalid("spawn: --restart " + text + ": permanent, transient or temporary");
    }
  }

  /** Splits at blanks; {@code '...'} and {@code "..."} quote, {@code \} escapes one character. */
  static List<String> words(String line) throws FsException {
    List<String> out = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
          word.append(line.charAt(++i));
        } else {
          word.append(c);
        }
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (word != null) {
          out.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '\\' && i + 1 < line.length()) {
          word.append(line.charAt(++i));
        } else {
          word.append(c);
        }
      }
    }
    if (quote != 0) {
      throw Text.invalid("spawn: unclosed " + quote);
    }
    if (word != null) {
      out.add(word.toString());
    }
    return out;
  }
}
