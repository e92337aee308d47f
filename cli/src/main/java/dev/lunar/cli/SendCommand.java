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
import java.util.regex.Pattern;
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
          + " none (no newline is added).",
      "Options may come before or after TARGET; `--` ends them, so a message that starts with"
          + " `-` goes after it: `lunar send 7 -- -v`."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:queued",
      "1:refused: no such process or name (or not a valid name or tag), mailbox full, message"
          + " too big (the reason is printed)",
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
    boolean pid = !target.isEmpty() && target.chars().allMatch(c -> c >= '0' && c <= '9');
    // Checked as the node checks them, so that neither leads elsewhere in the tree (`../kv/b`).
    if (!pid && !NAME.matcher(target).matches()) {
      throw new ClientException(FAILED, "no process has the name '" + target + "': " + NAME_RULE);
    }
    if (tag != null && !NAME.matcher(tag).matches()) {
      throw new ClientException(FAILED, "'" + tag + "' cannot be a tag: " + NAME_RULE);
    }
    String dir = pid ? "proc/" : "names/";
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
    int written;
    try (var ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      written = ch.write(ByteBuffer.wrap(body));
    }
    // A full mailbox fails the write with EAGAIN, which a FileChannel does not throw: it takes it
    // for "would block" and reports 0 bytes written. One write is one message, so anything short
    // of the whole body is a refusal, never something to write again. (The host has no errstr to
    // read the node's words from: EAGAIN says this much.)
    if (written == 0) {
      throw new ClientException(
          FAILED,
          "mailbox of "
              + target
              + " is full (or the whole node's queue is): the message was not sent");
    }
    if (written < body.length) {
      throw new ClientException(
          FAILED, "the mount took " + written + " of the message's " + body.length + " bytes");
    }
  }

  /** A registered name or a tag, as the node takes them (docs/PROTOCOL.md). */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

  private static final String NAME_RULE =
      "names and tags are 1 to 64 of A-Z a-z 0-9 _ . - and do not start with . or -";

  /** What one write(2) through the mount delivers as one message (docs/FUSE.md). */
  static final int MAX_HOST_MESSAGE = FuseMount.MAX_WHOLE_WRITE;
}
