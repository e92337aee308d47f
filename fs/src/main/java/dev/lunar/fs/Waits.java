package dev.lunar.fs;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Waiting on another thread from below the tree. A Lunar process runs only while it holds one of a
 * few run tokens, so a process that parks on another thread's work (the key-value store's commit,
 * an {@code fsync} away) while holding its token keeps every other process off that core. Code
 * below the tree waits through {@link #until}, and a process binds {@link #WAITER} to give its
 * token up meanwhile: the idea of {@link java.util.concurrent.ForkJoinPool#managedBlock}, for our
 * scheduler. Unbound (the host's threads), {@link #until} simply waits.
 */
public final class Waits {
  private Waits() {}

  /** A wait that parks the calling thread. */
  @FunctionalInterface
  public interface Wait {
    void call() throws InterruptedException;
  }

  /** Runs a {@link Wait} with whatever the calling thread holds given up meanwhile. */
  @FunctionalInterface
  public interface Waiter {
    void around(Wait wait) throws InterruptedException;
  }

  /** The calling process's waiter; each wasm process binds it for its life. */
  public static final ScopedValue<Waiter> WAITER = ScopedValue.newInstance();

  /**
   * Returns once {@code done} is complete, normally or not: the caller then reads its outcome, at
   * once.
   */
  public static void until(Future<?> done) throws InterruptedException {
    if (done.isDone()) {
      return;
    }
    Wait wait =
        () -> {
          try {
            done.get();
          } catch (ExecutionException | CancellationException e) {
            // complete: the caller reads the outcome
          }
        };
    if (WAITER.isBound()) {
      WAITER.get().around(wait);
    } else {
      wait.call();
    }
  }
}
