package dev.lunar.bench;

import java.lang.management.ManagementFactory;

/** Heap occupancy after a forced collection, for per-process memory figures. */
final class Heap {
  private Heap() {}

  /** Bytes of heap in use after several full collections (one is not always enough with G1). */
  static long usedAfterGc() throws InterruptedException {
    var bean = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return bean.getHeapMemoryUsage().getUsed();
  }

  static long max() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
  }
}
