package dev.lunar.runtime.proc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of message bodies a node holds for later (in mailboxes, in pending timers), against a
 * limit: a send that would pass it fails, as a send to a full mailbox does. Thread-safe.
 */
final class QueuedBytes {
  private final AtomicLong held = new AtomicLong();
  private final long limit;

  QueuedBytes(long limit) {
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
