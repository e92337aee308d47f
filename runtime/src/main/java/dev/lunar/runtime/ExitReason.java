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

  /** Exit code for a process killed, directly or through a link: 128 + SIGKILL. */
  public static final int KILLED_CODE = 137;

  /** Exit code for a process that used up its reductions: 128 + SIGXCPU. */
  public static final int CPU_LIMIT_CODE = 152;

  public static final ExitReason NORMAL = new ExitReason("normal", 0);
  public static final ExitReason STACK_OVERFLOW = new ExitReason("stack overflow", CRASH_CODE);
  public static final ExitReason KILLED = new ExitReason("killed", KILLED_CODE);
  public static final ExitReason REDUCTIONS_EXHAUSTED =
      new ExitReason("reductions exhausted", CPU_LIMIT_CODE);

  /** Ended by an exit signal: {@code killed}, {@code linked 7: trap: ...}, or a given reason. */
  public static ExitReason killed(String text) {
    return text.equals(KILLED.text) ? KILLED : new ExitReason(text, KILLED_CODE);
  }

  /** Ended because linked process {@code pid} ended with {@code reason}. */
  public static ExitReason linked(long pid, ExitReason reason) {
    return new ExitReason("linked " + pid + ": " + reason.text, KILLED_CODE);
  }

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
