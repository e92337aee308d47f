package dev.lunar.runtime.proc;

import dev.lunar.runtime.ExitReason;

/** Thrown inside a process to end it with a given reason (also how a kill unwinds a process). */
public final class ProcessExit extends RuntimeException {
  private final transient ExitReason reason;

  public ProcessExit(ExitReason reason) {
    super(reason.text(), null, false, false);
    this.reason = reason;
  }

  public ExitReason reason() {
    return reason;
  }
}
