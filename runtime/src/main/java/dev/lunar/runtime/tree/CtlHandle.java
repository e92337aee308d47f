package dev.lunar.runtime.tree;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.proc.Message;
import dev.lunar.runtime.proc.NoProcException;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.RegistryException;
import dev.lunar.runtime.proc.SendException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code /proc/<pid>/ctl}: each line written is a command on that process. Lines are split into
 * words and the verb looked up in {@link Verb}, which checks the number of arguments; every line is
 * checked before any is carried out. A read gives the answer of the last command.
 */
final class CtlHandle implements Handle {
  /** The commands: name, and how many arguments each takes. */
  enum Verb {
    KILL("kill", 0, Integer.MAX_VALUE),
    LINK("link", 1, 1),
    UNLINK("unlink", 1, 1),
    MONITOR("monitor", 1, 1),
    DEMONITOR("demonitor", 1, 1),
    TRAP_EXITS("trap-exits", 1, 1),
    REGISTER("register", 1, 1),
    UNREGISTER("unregister", 0, 0),
    AFTER("after", 2, Integer.MAX_VALUE),
    CANCEL("cancel", 1, 1);

    final String word;
    final int min;
    final int max;

    Verb(String word, int min, int max) {
      this.word = word;
      this.min = min;
      this.max = max;
    }

    static Verb of(String word) {
      for (Verb v : values()) {
        if (v.word.equals(word)) {
          return v;
        }
      }
      return null;
    }
  }

  private record Command(Verb verb, List<String> args, long number) {}

  private final Node node;
  private final Proc caller;
  private final Proc target;
  private final Answer answer = new Answer();

  CtlHandle(Node node, Proc caller, Proc target) {
    this.node = node;
    this.caller = caller;
    this.target = target;
  }

  @Override
  public boolean stream() {
    return true;
  }

  @Override
  public boolean wholeWrites() {
    return true;
  }

  @Override
  public int read(ByteBuffer dst, long offset, boolean block) {
    return answer.read(dst);
  }

  @Override
  public int write(ByteBuffer src, long offset) throws FsException {
    int n = src.remaining();
    String text = Text.string(src);
    try {
      List<Command> commands = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (!line.isBlank()) {
          commands.add(parse(line.strip()));
        }
      }
      if (target.exitReason() != null) {
        throw new FsException(Errno.ESRCH, "process " + target.pid() + " has ended");
      }
      String last = "";
      for (Command c : commands) {
        last = run(c);
      }
      answer.set(last);
      return n;
    } catch (FsException e) {
      answer.set(e.reason() + "\n");
      throw e;
    }
  }

  private static Command parse(String line) throws FsException {
    List<String> words = Arrays.asList(line.split("\\s+"));
    Verb verb = Verb.of(words.get(0));
    if (verb == null) {
      throw Text.invalid("ctl: unknown command '" + words.get(0) + "'");
    }
    List<String> args = words.subList(1, words.size());
    if (args.size() < verb.min || args.size() > verb.max) {
      throw Text.invalid("ctl: " + verb.word + ": wrong number of arguments");
    }
    long number = 0;
    switch (verb) {
      case LINK, UNLINK, MONITOR, DEMONITOR -> number = pid(verb, args.get(0));
      case AFTER, CANCEL -> number = count(verb, args.get(0));
      case TRAP_EXITS -> {
        if (!args.get(0).equals("on") && !args.get(0).equals("off")) {
          throw Text.invalid("ctl: trap-exits: on or off, not '" + args.get(0) + "'");
        }
      }
      case KILL -> {
        if (String.join(" ", args).equals(ExitReason.NORMAL.text())) {
          throw Text.invalid(
              "ctl: kill: a process killed does not end normally; give another reason");
        }
      }
      default -> {}
    }
    if (verb == Verb.AFTER
        && !args.get(1).equals("-")
        && !TagsDir.TAG.matcher(args.get(1)).matches()) {
      throw Text.invalid("ctl: after: bad tag '" + args.get(1) + "'");
    }
    return new Command(verb, args, number);
  }

  private static long pid(Verb verb, String word) throws FsException {
    long pid = Text.number(word);
    if (pid <= 0) {
      throw Text.invalid("ctl: " + verb.word + ": '" + word + "' is not a pid");
    }
    return pid;
  }

  private static long count(Verb verb, String word) throws FsException {
    try {
      long n = Long.parseLong(word);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw Text.invalid("ctl: " + verb.word + ": '" + word + "' is not a number");
  }

  private String run(Command c) throws FsException {
    long self = target.pid();
    try {
      switch (c.verb) {
        case KILL -> {
          String reason = c.args.isEmpty() ? "killed" : String.join(" ", c.args);
          node.kill(self, ExitReason.killed(reason));
          if (Caller.owns(caller, target)) {
            caller.checkKilled();
          }
        }
        case LINK -> node.link(self, c.number);
        case UNLINK -> node.unlink(self, c.number);
        case MONITOR -> node.monitor(self, c.number);
        case DEMONITOR -> node.demonitor(self, c.number);
        case TRAP_EXITS -> target.trapExits(c.args.get(0).equals("on"));
        case REGISTER -> register(c.args.get(0));
        case UNREGISTER -> {
          String name = target.name();
          if (name != null) {
            node.unregister(name);
          }
        }
        case AFTER -> {
          String tag = c.args.get(1).equals("-") ? "" : c.args.get(1);
          String body = String.join(" ", c.args.subList(2, c.args.size()));
          var m = new Message(Caller.pid(caller), tag, Text.bytes(body));
          return node.sendAfter(c.number, self, m) + "\n";
        }
        case CANCEL -> {
          return node.cancelTimer(self, c.number) ? "1\n" : "0\n";
        }
      }
      return "";
    } catch (NoProcException e) {
      throw new FsException(Errno.ESRCH, "noproc " + e.what());
    } catch (SendException e) {
      throw MailboxHandle.refused(e);
    }
  }

  private void register(String name) throws FsException, NoProcException {
    if (!node.validName(name)) {
      throw Text.invalid("ctl: register: bad name '" + name + "'");
    }
    try {
      node.register(name, target.pid());
    } catch (RegistryException e) {
      throw new FsException(Errno.EEXIST, e.getMessage());
    }
  }
}
