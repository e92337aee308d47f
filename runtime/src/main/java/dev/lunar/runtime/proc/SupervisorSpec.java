package dev.lunar.runtime.proc;

import java.time.Duration;
import java.util.List;

/**
 * What a supervisor does: its children in start order, how a failure spreads to siblings, and how
 * many restarts it allows in a period before it gives up and exits itself.
 */
public record SupervisorSpec(
    Strategy strategy, int maxRestarts, Duration period, List<ChildSpec> children) {

  /** Which children restart when one ends and is to be restarted. */
  public enum Strategy {
    /** Only that child. */
    ONE_FOR_ONE,
    /** All children: the others are stopped, then all start again in order. */
    ONE_FOR_ALL,
    /** That child and those started after it. */
    REST_FOR_ONE
  }

  public SupervisorSpec {
    children = List.copyOf(children);
    if (maxRestarts < 0 || period.isNegative()) {
      throw new IllegalArgumentException("restart intensity must not be negative");
    }
  }
}
