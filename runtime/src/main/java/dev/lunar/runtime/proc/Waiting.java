package dev.lunar.runtime.proc;

import java.lang.management.ManagementFactory;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import jdk.management.VirtualThreadSchedulerMXBean;

/**
 * What the virtual-thread scheduler holds waiting for a carrier, as a computing process asks at the
 * end of its slice (about 20 ns).
 *
 * <p>Two kinds of waiting thread: those submitted from outside the scheduler (woken by a platform
 * thread: the host, the JDK's timers and I/O pollers; new spawns from the host), which a carrier
 * reaches only once its own queue is empty; and those queued on a carrier, woken from it. The
 * second kind includes a token just handed over, which its carrier takes a few microseconds later,
 * so it is counted only when no process waits for a token: then no hand-over is under way, and a
 * thread queued on a carrier stays there until its process parks.
 *
 * <p>The scheduler's pool is found through the carrier the first caller runs on: a carrier is a
 * {@link ForkJoinWorkerThread}, whose name a mounted virtual thread's {@code toString} ends with.
 * Should that fail, every queued thread counts ({@link VirtualThreadSchedulerMXBean}), which only
 * makes processes make way more often.
 */
final class Waiting {
  private static final VirtualThreadSchedulerMXBean SCHEDULER =
      ManagementFactory.getPlatformMXBean(VirtualThreadSchedulerMXBean.class);

  private static volatile ForkJoinPool pool;
  private static volatile boolean looked;

  private Waiting() {}

  /**
   * Whether threads wait for a carrier that this process should make way for.
   *
   * @param handOvers whether processes wait for tokens, so hand-overs may be queued on carriers
   */
  static boolean forCarrier(boolean handOvers) {
    ForkJoinPool p = pool();
    if (p == null) {
      return SCHEDULER.getQueuedVirtualThreadCount() != 0;
    }
    return p.getQueuedSubmissionCount() != 0 || (!handOvers && p.getQueuedTaskCount() != 0);
  }

  private static ForkJoinPool pool() {
    ForkJoinPool p = pool;
    if (p != null || looked || !Thread.currentThread().isVirtual()) {
      return p;
    }
    synchronized (Waiting.class) {
      if (!looked) {
        pool = find();
        looked = true;
      }
      return pool;
    }
  }

  /** The pool of the carrier the calling virtual thread runs on, or null. */
  private static ForkJoinPool find() {
    String self = Thread.currentThread().toString(); // VirtualThread[#23,name]/runnable@carrier
    int at = self.lastIndexOf('@');
    if (at < 0) {
      return null;
    }
    String carrier = self.substring(at + 1);
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t instanceof ForkJoinWorkerThread worker && t.getName().equals(carrier)) {
        return worker.getPool();
      }
    }
    return null;
  }
}
