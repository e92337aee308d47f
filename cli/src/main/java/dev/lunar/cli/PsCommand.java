package dev.lunar.cli;

import java.io.IOException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lunar ps}: the live processes, one line each. */
@Command(
    name = "ps",
    mixinStandardHelpOptions = true,
    description =
        "List the node's live processes: pid, parent, state, registered name, module,"
            + " reductions, linear memory and the bytes of it written (resident), queued messages.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:listed",
      "1:the mount could not be read",
      "2:bad usage",
      "69:no mount found"
    })
final class PsCommand extends ClientCommand {
  @Option(
      names = "--no-header",
      description =
          "Leave out the header line, and print names and modules whole, not cut to 16"
              + " characters (for scripts).")
  boolean noHeader;

  PsCommand(Io io) {
    super(io);
  }

  @Override
  void run(Mounted tree) throws IOException {
    if (!noHeader) {
      ProcTable.header(io.out, "REDUCTIONS");
    }
    for (Map<String, String> p : ProcTable.read(tree)) {
      ProcTable.row(io.out, p, p.get("reductions"), !noHeader);
    }
  }
}
