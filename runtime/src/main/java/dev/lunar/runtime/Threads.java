package dev.lunar.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

/**
 * The one place in Lunar that creates threads. Processes and requests run on virtual threads; the
 * only platform threads Lunar makes are the housekeeping threads built here. Nothing else in the
 * code base calls {@code new Thread} or a thread builder.
 */
public final class Threads {
  private static final ThreadFactory PROCESSES =
      Thread.ofVirtual().name("lunar-proc-", 1).factory();

  private Threads() {}

  /** A new, unstarted virtual thread for a process. */
  public static Thread newProcessThread(Runnable body) {
    return PROCESSES.newThread(body);
  }

  /** Starts {@code body} on a new virtual thread. */
  public static Thread startProcess(Runnable body) {
    Thread thread = newProcessThread(body);
    thread.start();
    return thread;
  }

  /**
   * Starts {@code body} on a new virtual thread named {@code name}: socket I/O done for the node
   * (accept loops, connection readers), which parks cheaply while it waits.
   */
  public static Thread startIo(String name, Runnable body) {
    return Thread.ofVirtual().name(name).start(body);
  }

  /** An executor that runs each task on a new virtual thread: request handlers of a server. */
  public static ExecutorService newIoExecutor(String name) {
    return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name, 1).factory());
  }

  /** Starts a daemon platform thread for a node's own housekeeping. */
  public static Thread startPlatform(String name, Runnable body) {
    return Thread.ofPlatform().name(name).daemon(true).start(body);
  }

  /** An executor running each task on a new virtual thread: for servers' requests. */
  public static ExecutorService newRequestExecutor(String name) {
    return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name, 1).factory());
  }

  /** Makes daemon platform threads named {@code name}: for libraries that take a factory. */
  public static ThreadFactory platformFactory(String name) {
    return Thread.ofPlatform().name(name).daemon(true).factory();
  }

  /** Runs {@code task} when the JVM shuts down (SIGTERM, Ctrl-C, {@code System.exit}). */
  public static void onShutdown(String name, Runnable task) {
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name(name).unstarted(task));
  }

  /** A single daemon thread that fires a node's timers; timer tasks must be short. */
  public static ScheduledExecutorService newTimerThread(String name) {
    var executor =
        new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name(name).daemon(true).factory());
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /** How many carrier threads run virtual threads: the most processes that run at once. */
  public static int carriers() {
    String configured = System.getProperty("jdk.virtualThreadScheduler.parallelism");
    return configured != null
        ? Integer.parseInt(configured)
        : Runtime.getRuntime().availableProcessors();
  }
}
