package dev.lunar.runtime.proc;

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
}
