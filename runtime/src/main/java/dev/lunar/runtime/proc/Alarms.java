package dev.lunar.runtime.proc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;

/**
 * The deadlines of a node's sleeping processes, so that computing processes can wake them.
 *
 * <p>A process that sleeps (a receive with a timeout, a poll on a clock) parks with a timeout, and
 * the JDK wakes it from a platform thread of its own. When every core runs a carrier that computes,
 * that thread first waits for the kernel to give it a core (milliseconds on a loaded machine), and
 * the thread it wakes is then queued behind work the carriers hand each other. So each sleep is
 * also noted here, and a process ending its slice wakes every sleeper that is due ({@link
 * #wakeDue}): from its carrier, where the sleeper is queued to run next. Whichever wake-up comes
 * first counts; the other is a spurious unpark, which every park loop allows for.
 *
 * <p>Only sleeps up to {@link #MAX_NANOS} are noted. The JDK's timer alone wakes a longer one at
 * most a kernel tick late (about 4.5 ms here, measured with no alarms at all: `Bench wake`), under
 * half a percent of it, and an idle process sleeping for an hour then costs no entry here.
 *
 * <p>Concurrency contract: any thread may call any method.
 */
final class Alarms {
  record Alarm(long deadline, long seq, Thread thread) {}

  /** The longest sleep noted here: one second. */
  static final long MAX_NANOS = 1_000_000_000L;

  private static final Comparator<Alarm> ORDER =
      Comparator.comparingLong(Alarm::deadline).thenComparingLong(Alarm::seq);

  private final TreeSet<Alarm> pending = new TreeSet<>(ORDER);
  private long seq;
  private volatile boolean any;
  private volatile long next; // the first deadline, when any

  /**
   * Parks the calling thread for at most {@code nanos}; like {@link LockSupport#parkNanos(Object,
   * long)}, it may return early, and the caller checks why it woke.
   */
  void parkNanos(Object blocker, long nanos) {
    if (nanos > MAX_NANOS) {
      LockSupport.parkNanos(blocker, nanos);
      return;
    }
    Alarm alarm = add(System.nanoTime() + nanos);
    try {
      LockSupport.parkNanos(blocker, nanos);
    } finally {
      remove(alarm);
    }
  }

  /** Unparks every sleeper whose deadline is at or before {@code now} (a {@code nanoTime}). */
  void wakeDue(long now) {
    if (!any || now - next < 0) {
      return;
    }
    List<Thread> due = new ArrayList<>();
    synchronized (this) {
      while (!pending.isEmpty() && now - pending.first().deadline() >= 0) {
        due.add(pending.pollFirst().thread());
      }
      publish();
    }
    for (Thread thread : due) {
      LockSupport.unpark(thread);
    }
  }

  /** How many sleepers are noted. */
  synchronized int size() {
    return pending.size();
  }

  synchronized Alarm add(long deadline) {
    Alarm alarm = new Alarm(deadline, seq++, Thread.currentThread());
    pending.add(alarm);
    publish();
    return alarm;
  }

  synchronized void remove(Alarm alarm) {
    if (pending.remove(alarm)) {
      publish();
    }
  }

  private void publish() {
    if (pending.isEmpty()) {
      any = false;
    } else {
      next = pending.first().deadline();
      any = true;
    }
  }
}
