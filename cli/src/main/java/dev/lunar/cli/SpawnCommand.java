package dev.lunar.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code lunar spawn}: writes a spawn line to {@code /proc/new} and prints the new pid. */
@Command(
    name = "spawn",
    mixinStandardHelpOptions = true,
    description = {
      "Spawn a process on the running node: the words are a spawn line, as `lunar run` takes"
          + " (docs/PROTOCOL.md), e.g. `lunar spawn --name counter counter`.",
      "Prints the new pid."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:spawned",
      "1:the node refused the spawn line (the reason is printed)",
      "2:bad usage",
      "69:no mount found"
    })
final class SpawnCommand extends ClientCommand {
  @Parameters(
      arity = "1..*",
      paramLabel = "WORD",
      description = "[OPTIONS] MODULE [ARGS...] as in a spawn line.")
  List<String> words = new ArrayList<>();

  SpawnCommand(Io io) {
    super(io);
  }

  @Override
  void run(Mounted tree) throws IOException, ClientException {
    io.out.println(Ask.ask(tree.path("proc/new"), line(words) + "\n"));
  }

  /** Joins words into one spawn line, quoting those the line would otherwise split. */
  static String line(List<String> words) {
    var out = new StringBuilder();
    for (String w : words) {
      if (!out.isEmpty()) {
        out.append(' ');
      }
      if (!w.isEmpty()
          && w.chars().noneMatch(c -> c == ' ' || c == '\'' || c == '"' || c == '\\')) {
        out.append(w);
      } else {
        out.append('"');
        for (char c : w.toCharArray()) {
          if (c == '"' || c == '\\') {
            out.append('\\');
          }
          out.append(c);
        }
        out.append('"');
      }
    }
    return out.toString();
  }
}
