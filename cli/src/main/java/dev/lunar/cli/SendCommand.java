package dev.lunar.cli;

import dev.lunar.fs.fuse.FuseMount;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lunar send}: one message to a pid or a registered name, in one write. */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = {
      "Send one message to a process, by pid or registered name.",
      "The message is the TEXT words joined by spaces, or all of standard input when there are"
          + " none (no newline is added)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:queued",
      "1:refused: no such process or name, mailbox full, message too big",
      "2:bad usage, or an empty message",
      "69:no mount found"
    })
final class SendCommand extends ClientCommand {
  @Option(names = "--tag", paramLabel = "TAG", description = "Send through tags/TAG.")
  String tag;

  @Parameters(index = "0", paramLabel = "TARGET", description = "A pid or a registered name.")
  String target;

  @Parameters(index = "1..*", paramLabel = "TEXT", description = "The message.")
  List<String> text = new ArrayList<>();

  SendCommand(Io io) {
    super(io);
  }

  @Override
  void run(Mounted tree) throws IOException, ClientException {
    String dir = target.chars().allMatch(Character::isDigit) ? "proc/" : "names/";
    Path file = tree.path(dir + target + (tag == null ? "/mailbox" : "/tags/" + tag));
    byte[] body =
        text.isEmpty()
            ? io.in.readAllBytes()
            : String.join(" ", text).getBytes(StandardCharsets.UTF_8);
    if (body.length == 0) {
      // The kernel passes no write of 0 bytes on, so the node would never see it.
      throw new ClientException(
          Lunar.BAD_INPUT, "an empty message cannot be sent through the mount");
    }
    if (body.length > MAX_HOST_MESSAGE) {
      throw new ClientException(
          FAILED,
          "a message from the host is at most "
              + MAX_HOST_MESSAGE
              + " bytes (one write through the mount); this one is "
              + body.length);
    }
    try (var ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(body));
    }
  }

  /** What one write(2) through the mount delivers as one message (docs/FUSE.md). */
  static final int MAX_HOST_MESSAGE = FuseMount.MAX_WHOLE_WRITE;
}
