package dev.lunar.runtime.tree;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.proc.Proc;
import java.util.stream.Collectors;

/** The text of {@code /proc/<pid>/status}: {@code key: value} lines. */
final class Status {
  private Status() {}

  static String of(Proc p) {
    ExitReason exit = p.exitReason();
    String links =
        p.links().stream().sorted().map(String::valueOf).collect(Collectors.joining(" "));
    return "pid: "
        + p.pid()
        + "\nname: "
        + orDash(p.name())
        + "\nmodule: "
        + p.module()
        + "\nparent: "
        + p.parent()
        + "\nstate: "
        + p.state().name().toLowerCase()
        + "\nstarted: "
        + p.started()
        + "\nreductions: "
        + p.reductions()
        + "\nmemory: "
        + p.memory()
        + "\nresident: "
        + p.resident()
        + "\nqueued: "
        + p.queued()
        + "\nlinks: "
        + links
        + "\ntrap-exits: "
        + (p.trapsExits() ? "on" : "off")
        + "\nexit: "
        + (exit == null ? "-" : exit.text())
        + "\n";
  }

  private static String orDash(String s) {
    return s == null ? "-" : s;
  }
}
