package dev.lunar.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The live processes as {@code /proc/<pid>/status} shows them, and a table of them. */
final class ProcTable {
  private ProcTable() {}

  /** Status of every live process, in pid order; one that ends meanwhile is left out. */
  static List<Map<String, String>> read(Mounted tree) throws IOException {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(tree.path("proc"))) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
          pids.add(Long.parseLong(name));
        }
      }
    }
    pids.sort(null);
    List<Map<String, String>> out = new ArrayList<>();
    for (long pid : pids) {
      try {
        out.add(parse(Files.readString(tree.path("proc/" + pid + "/status"))));
      } catch (NoSuchFileException e) {
        // ended between the listing and the read
      }
    }
    return out;
  }

  static Map<String, String> parse(String status) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : status.split("\n")) {
      int colon = line.indexOf(": ");
      if (colon > 0) {
        fields.put(line.substring(0, colon), line.substring(colon + 2));
      }
    }
    return fields;
  }

  static final String HEADER_FORMAT = "%7s %7s  %-9s %-16s %-16s %12s %10s %9s %7s%n";

  static void header(PrintStream out, String extra) {
    out.printf(
        HEADER_FORMAT,
        "PID",
        "PARENT",
        "STATE",
        "NAME",
        "MODULE",
        extra,
        "MEMORY",
        "RESIDENT",
        "QUEUED");
  }

  /** A row; with {@code cut}, a name or module over 16 characters is cut to keep the columns. */
  static void row(PrintStream out, Map<String, String> p, String extra, boolean cut) {
    out.printf(
        HEADER_FORMAT,
        p.get("pid"),
        p.get("parent"),
        p.get("state"),
        cut(p.get("name"), cut),
        cut(p.get("module"), cut),
        extra,
        p.get("memory"),
        p.get("resident"),
        p.get("queued"));
  }

  private static String cut(String s, boolean cut) {
    return s == null ? "-" : cut && s.length() > 16 ? s.substring(0, 15) + "…" : s;
  }
}
