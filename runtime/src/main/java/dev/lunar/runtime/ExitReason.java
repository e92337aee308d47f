package dev.lunar.runtime;

/**
 * Why a process ended, as text ({@code normal}, {@code exit 3}, {@code trap: ...}, {@code stack
 * overflow}, …) and as the exit code a command line reports for it.
 *
 * @param text the reason as Lunar shows it everywhere: status files, exit files, the CLI
 * @param exitCode the code {@code lunar run} exits with
 */
public record ExitReason(String text, int exitCode) {
  /** Exit code for a process that crashed (trap, stack overflow): 128 + SIGABRT, as wasmtime. */
  public static final int CRASH_CODE = 134;

  public static final ExitReason NORMAL = new ExitReason("normal", 0);
  public static final ExitReason STACK_OVERFLOW = new ExitReason("stack overflow", CRASH_CODE);

  /** The guest called {@code proc_exit(code)} or returned {@code code} from main. */
  public static ExitReason exit(int code) {
    return code == 0 ? NORMAL : new ExitReason("exit " + code, code);
  }

  /** The guest trapped; {@code message} says on what. */
  public static ExitReason trap(String message) {
    return new ExitReason("trap: " + message, CRASH_CODE);
  }

  public boolean isNormal() {
    return exitCode == 0;
  }

  @Override
  public String toString() {
    return text;
  }
}
