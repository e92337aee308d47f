package dev.lunar.runtime.proc;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.wasi.WasiExitException;
import dev.lunar.runtime.ExitReason;

/** Turns however a process body ended into an {@link ExitReason}. */
public final class ExitReasons {
  private ExitReasons() {}

  /**
   * The reason for a body that threw {@code t}.
   *
   * @param killReason the pending kill, if any: an interrupt then means the kill arrived
   */
  public static ExitReason of(Throwable t, ExitReason killReason) {
    // Chicory may wrap what a host function throws: look through the causes.
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ProcessExit exit) {
        return exit.reason();
      }
      if (c instanceof WasiExitException exit) {
        return ExitReason.exit(exit.exitCode());
      }
      if (c instanceof StackOverflowError) {
        return ExitReason.STACK_OVERFLOW;
      }
      if (killReason != null
          && (c instanceof InterruptedException || c instanceof ChicoryInterruptedException)) {
        return killReason;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    if (t instanceof OutOfMemoryError) {
      return ExitReason.trap("out of memory");
    }
    if (t instanceof com.dylibso.chicory.wasm.ChicoryException
        || t instanceof ArithmeticException
        || t instanceof IndexOutOfBoundsException) {
      return ExitReason.trap(oneLine(t));
    }
    return ExitReason.trap(t.toString().lines().findFirst().orElse(""));
  }

  /** The first line of an exception's message, or its class name when it has none. */
  public static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
