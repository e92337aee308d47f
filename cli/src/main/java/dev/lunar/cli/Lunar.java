package dev.lunar.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.UnmatchedArgumentException;

/** The {@code lunar} command: entry point of the launcher script and of every subcommand. */
@Command(
    name = "lunar",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "An Erlang-inspired WebAssembly platform where every service is a file.",
    subcommands = {
      RunCommand.class,
      NodeCommand.class,
      ServeCommand.class,
      PsCommand.class,
      SpawnCommand.class,
      SendCommand.class,
      KillCommand.class,
      KvCommand.class,
      TopCommand.class,
      ManCommand.class,
      CommandLine.HelpCommand.class,
      AutoComplete.GenerateCompletion.class
    })
public final class Lunar {
  /** Exit code for bad input: a missing or invalid module, a bad option. */
  static final int BAD_INPUT = 2;

  /** Exit code for a failure inside Lunar itself (sysexits' EX_SOFTWARE). */
  static final int INTERNAL_ERROR = 70;

  public static void main(String[] args) {
    System.exit(
        execute(
            args,
            System.in,
            new Io.Raw(new FileOutputStream(FileDescriptor.out)),
            new Io.Raw(new FileOutputStream(FileDescriptor.err)),
            System.getenv()));
  }

  /**
   * Runs one {@code lunar} command line against the given streams and environment, returning its
   * exit code. Tests call this directly; {@link #main} hands it the real ones.
   */
  public static int execute(
      String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
    for (int i = 0; i < args.length; i++) {
      // What the JVM made of bytes that are not UTF-8: passed on, the guest would get altered text.
      if (args[i].indexOf('\uFFFD') >= 0) {
        err.println("lunar: argument " + (i + 1) + " is not valid UTF-8");
        return BAD_INPUT;
      }
    }
    var io = new Io(in, out, err, env);
    CommandLine cli = new CommandLine(new Lunar(), new IoFactory(io));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    // What follows `run MODULE` goes to the guest, even words that look like options.
    cli.setStopAtPositional(true);
    // A message, a reason, a key or a value is only text: `lunar send 7 --tag t hi` takes --tag
    // as an option wherever it is, and `--` ends the options, so `lunar send 7 -- -v` sends "-v".
    var kv = cli.getSubcommands().get("kv").getSubcommands();
    List<CommandLine> textTaking =
        List.of(
            cli.getSubcommands().get("send"),
            cli.getSubcommands().get("kill"),
            kv.get("put"),
            kv.get("get"),
            kv.get("rm"),
            kv.get("ls"));
    textTaking.forEach(c -> c.setStopAtPositional(false));
    // A spawn line's own options (--link, --grant …) are words of the line, not of `lunar spawn`.
    cli.getSubcommands().get("spawn").setUnmatchedOptionsArePositionalParams(true);
    // Bad usage is one line, as every other bad input is: the usage is a --help away.
    cli.setParameterExceptionHandler((e, words) -> {
      String name = e.getCommandLine().getCommandSpec().qualifiedName();
      String hint =
          e instanceof UnmatchedArgumentException && textTaking.contains(e.getCommandLine())
              ? "; text that starts with - goes after --"
              : "";
      err.println(name + ": " + e.getMessage() + hint + " (see " + name + " --help)");
      return BAD_INPUT;
    });
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      err.println("lunar: internal error: " + e);
      if (io.debug()) {
        e.printStackTrace(err);
      }
      return INTERNAL_ERROR;
    });
    return cli.execute(args);
  }
}
