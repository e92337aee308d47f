package dev.lunar.runtime;

import java.util.concurrent.ThreadFactory;

/**
 * The one place in Lunar that creates threads. Processes run on virtual threads; nothing else in
 * the code base calls {@code new Thread} or a thread builder.
 */
public final class Threads {
  private static final ThreadFactory PROCESSES =
      Thread.ofVirtual().name("lunar-proc-", 1).factory();

  private Threads() {}

  /** Starts {@code body} on a new virtual thread named after the process it runs. */
  public static Thread startProcess(Runnable body) {
    Thread thread = PROCESSES.newThread(body);
    thread.start();
    return thread;
  }
}
