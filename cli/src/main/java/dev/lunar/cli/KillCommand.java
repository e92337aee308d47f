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
    description = {
      "End a process wherever it is, with reason `killed` or the one given.",
      "The REASON words are joined by spaces; they are one line of text (no newline or other"
          + " control character).",
      "Options may come before or after PID; `--` ends them, so a reason that starts with `-`"
          + " goes after it."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:killed",
      "1:refused: no such process, it had already ended, or the node refused the reason (it is"
          + " printed)",
      "2:bad usage: a PID that is not a number, a REASON with a control character",
      "69:no mount found"
    })
final class KillCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "PID", description = "The process to end.")
  long pid;

  @Parameters(index = "1..*", paramLabel = "REASON", description = "Exit reason (default killed).")
  List<String> reason = new ArrayList<>();

  KillCommand(Io io) {
    super(io);
  }

  @Override
  void check() {
    // The reason goes into a ctl line: a newline in it would end that line and start another
    // command (`kill a` then `link 99999`), so it is refused before anything is written.
    for (String word : reason) {
      if (word.chars().anyMatch(Character::isISOControl)) {
        throw usage("REASON must be one line of text, with no newline or other control character");
      }
    }
  }

  @Override
  void run(Mounted tree) throws IOException, ClientException {
    var ctl = tree.path("proc/" + pid + "/ctl");
    if (!java.nio.file.Files.exists(ctl)) {
      throw new ClientException(FAILED, "no process " + pid);
    }
    // A refusal (the node says no to the reason, say) is read back on the same descriptor and
    // printed: exit 1.
    Ask.ask(ctl, ("kill " + String.join(" ", reason)).strip() + "\n");
  }
}
