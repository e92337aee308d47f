package dev.lunar.runtime.proc;

import java.util.Locale;

/** Where a process is in its life, as {@code /proc/<pid>/status} shows it. */
public enum ProcState {
  /** Ready to run guest code, waiting for a carrier. */
  RUNNABLE,
  /** Running guest code on a carrier. */
  RUNNING,
  /** Parked: in a receive, a sleep or blocking I/O. */
  WAITING,
  /** Ended; its exit reason is known. */
  EXITED;

  /** The name shown in status files: lower case. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
