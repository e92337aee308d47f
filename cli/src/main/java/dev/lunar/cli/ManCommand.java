package dev.lunar.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lunar man}: writes a man page (roff) for {@code lunar} and each subcommand. */
@Command(
    name = "man",
    mixinStandardHelpOptions = true,
    description = {
      "Write man pages for lunar and its subcommands (lunar.1, lunar-run.1, lunar-kv-get.1, …).",
      "Example: lunar man --dir ~/.local/share/man/man1 && man lunar-spawn"
    })
final class ManCommand implements Callable<Integer> {
  private final Io io;

  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      required = true,
      description = "Directory to write the pages into (created if missing).")
  Path dir;

  ManCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() throws IOException {
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    write(spec.root(), written);
    io.out.println("wrote " + written.size() + " pages to " + dir);
    return 0;
  }

  private void write(CommandSpec command, List<Path> written) throws IOException {
    String name = command.qualifiedName("-");
    Path file = dir.resolve(name + ".1");
    Files.writeString(file, page(command));
    written.add(file);
    for (CommandLine sub : command.subcommands().values()) {
      if (sub.getCommandSpec().parent() == command
          && !sub.getCommandSpec().name().equals("help")
          && written.stream()
              .noneMatch(p -> p.endsWith(sub.getCommandSpec().qualifiedName("-") + ".1"))) {
        write(sub.getCommandSpec(), written);
      }
    }
  }

  static String page(CommandSpec command) {
    var out = new StringBuilder();
    String name = command.qualifiedName("-");
    out.append(".TH ").append(name.toUpperCase()).append(" 1 \"\" \"Lunar\" \"Lunar Manual\"\n");
    out.append(".SH NAME\n").append(name).append(" \\- ");
    String[] description = command.usageMessage().description();
    out.append(description.length > 0 ? roff(firstSentence(description[0])) : "").append('\n');
    out.append(".SH SYNOPSIS\n.B ").append(command.qualifiedName(" ")).append('\n');
    StringBuilder synopsis = new StringBuilder();
    if (!command.options().isEmpty()) {
      synopsis.append("[OPTIONS]");
    }
    for (PositionalParamSpec p : command.positionalParameters()) {
      synopsis.append(' ').append(p.paramLabel());
    }
    if (!command.subcommands().isEmpty()) {
      synopsis.append(" COMMAND");
    }
    out.append(roff(synopsis.toString().strip())).append('\n');
    out.append(".SH DESCRIPTION\n");
    for (String line : description) {
      out.append(roff(line)).append("\n.PP\n");
    }
    if (!command.options().isEmpty()) {
      out.append(".SH OPTIONS\n");
      for (OptionSpec o : command.options()) {
        out.append(".TP\n.B ").append(roff(String.join(", ", o.names())));
        if (o.arity().max() > 0) {
          out.append(' ').append(roff(o.paramLabel()));
        }
        String text = String.join(" ", o.description());
        text = text.replace("${DEFAULT-VALUE}", String.valueOf(o.defaultValueString()));
        out.append('\n').append(roff(text)).append('\n');
      }
    }
    if (!command.subcommands().isEmpty()) {
      out.append(".SH COMMANDS\n");
      for (Map.Entry<String, CommandLine> e : command.subcommands().entrySet()) {
        String[] d = e.getValue().getCommandSpec().usageMessage().description();
        out.append(".TP\n.B ").append(e.getKey()).append('\n');
        out.append(roff(d.length > 0 ? firstSentence(d[0]) : "")).append('\n');
      }
    }
    Map<String, String> codes = command.usageMessage().exitCodeList();
    if (!codes.isEmpty()) {
      out.append(".SH EXIT STATUS\n");
      codes.forEach((code, meaning) ->
          out.append(".TP\n.B ")
              .append(roff(code.strip()))
              .append('\n')
              .append(roff(meaning))
              .append('\n'));
    }
    out.append(".SH SEE ALSO\n").append("docs/PROTOCOL.md in the Lunar sources\n");
    return out.toString();
  }

  /** The text up to its first colon or full stop: a man page's one-line summary. */
  private static String firstSentence(String text) {
    int end = text.length();
    for (String stop : new String[] {": ", ". ", ":", "."}) {
      int at = text.indexOf(stop);
      if (at > 0 && at < end && (at + stop.length() == text.length() || stop.length() == 2)) {
        end = at;
      }
    }
    return text.substring(0, end);
  }

  /** Escapes text for roff: backslashes, and a leading dot or quote. */
  private static String roff(String text) {
    String t = text.replace("\\", "\\e");
    return t.startsWith(".") || t.startsWith("'") ? "\\&" + t : t;
  }
}
