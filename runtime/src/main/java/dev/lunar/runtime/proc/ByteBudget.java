package dev.lunar.runtime.proc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes a node holds of one kind, against a limit: message bodies kept for later (in mailboxes, in
 * pending timers), where a send that would pass the limit fails as a send to a full mailbox does;
 * or guests' linear memory, where a write that would pass it ends the writer ({@link
 * SparseMemory}). Thread-safe.
 */
final class ByteBudget {
  private final AtomicLong held = new AtomicLong();
  private final long limit;

  ByteBudget(long limit) {
    this.limit = limit;
  }

  /** Takes {@code n} bytes; false, taking nothing, if that would pass the limit. */
  boolean take(long n) {
    if (held.addAndGet(n) > limit) {
      held.addAndGet(-n);
      return false;
    }
    return true;
  }

  /** Whether {@code n} bytes more would stay within the limit now; takes nothing. */
  boolean fits(long n) {
    return held.get() + n <= limit;
  }

  /** Takes {@code n} bytes even past the limit: for the runtime's own notices. */
  void force(long n) {
    held.addAndGet(n);
  }

  void give(long n) {
    held.addAndGet(-n);
  }

  long held() {
    return held.get();
  }

  long limit() {
    return limit;
  }
}
