package dev.lunar.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that works on a running node through its mounted tree, as any script could: the mount
 * comes from {@code --mount} or {@code LUNAR_MOUNT}. Failures print one line and end with {@link
 * #FAILED}, {@link Lunar#BAD_INPUT} or {@link Mounted#NO_MOUNT}.
 */
abstract class ClientCommand implements Callable<Integer> {
  /** Exit code when the node refused or could not do what was asked. */
  static final int FAILED = 1;

  final Io io;

  @Option(
      names = "--mount",
      paramLabel = "DIR",
      description = "Where the node's tree is mounted (default: $LUNAR_MOUNT).")
  Path mount;

  @Spec CommandSpec spec;

  ClientCommand(Io io) {
    this.io = io;
  }

  /**
   * Checks the words given, before the mount is looked for or anything is written; bad usage throws
   * {@link #usage}. Nothing to check by default.
   */
  void check() {}

  abstract void run(Mounted tree) throws IOException, ClientException;

  /** Bad usage: one line and {@link Lunar#BAD_INPUT}, as picocli's own parse errors end. */
  final ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  @Override
  public final Integer call() {
    check();
    try {
      run(Mounted.find(mount, io.env));
      io.out.flush();
      return 0;
    } catch (ClientException e) {
      io.out.flush();
      io.err.println("lunar: " + e.getMessage());
      return e.exitCode();
    } catch (IOException e) {
      io.out.flush();
      io.err.println("lunar: " + Mounted.describe(e));
      return FAILED;
    }
  }
}
