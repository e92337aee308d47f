package dev.lunar.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code lunar kill}: {@code echo kill > /proc/<pid>/ctl}. */
@Command(
    name = "kill",
    mixinStandardHelpOptions = true,
    description = "End a process wherever it is, with reason `killed` or the one given.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:killed", "1:no such process, or it had already ended", "69:no mount found"})
final class KillCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "PID", description = "The process to end.")
  long pid;

  @Parameters(index = "1..*", paramLabel = "REASON", description = "Exit reason (default killed).")
  List<String> reason = new ArrayList<>();

  KillCommand(Io io) {
    super(io);
  }

  @Override
  void run(Mounted tree) throws IOException, ClientException {
    var ctl = tree.path("proc/" + pid + "/ctl");
    if (!java.nio.file.Files.exists(ctl)) {
      throw new ClientException(FAILED, "no process " + pid);
    }
    Ask.ask(ctl, ("kill " + String.join(" ", reason)).strip() + "\n");
  }
}
