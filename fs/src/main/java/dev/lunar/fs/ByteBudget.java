package dev.lunar.fs;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes held of one kind, against a limit, so that no program, however greedy, runs the JVM out of
 * heap: a node's queued message bodies, its guests' linear memory, the values open in its store.
 * Whoever takes decides what a refusal means (a failed send, a trap, {@code ENOMEM}). Thread-safe.
 */
public final class ByteBudget {
  private final AtomicLong held = new AtomicLong();
  private final long limit;

  public ByteBudget(long limit) {
    this.limit = limit;
  }

  /** Takes {@code n} bytes; false, taking nothing, if that would pass the limit. */
  public boolean take(long n) {
    if (held.addAndGet(n) > limit) {
      held.addAndGet(-n);
      return false;
    }
    return true;
  }

  /** Whether {@code n} bytes more would stay within the limit now; takes nothing. */
  public boolean fits(long n) {
    return held.get() + n <= limit;
  }

  /** Takes {@code n} bytes even past the limit: for the runtime's own notices. */
  public void force(long n) {
    held.addAndGet(n);
  }

  public void give(long n) {
    held.addAndGet(-n);
  }

  public long held() {
    return held.get();
  }

  public long limit() {
    return limit;
  }
}
