package dev.lunar.runtime.proc;

import dev.lunar.runtime.Threads;

/**
 * A node's tunables.
 *
 * @param sliceReductions reductions a process runs before it lets others run; see docs/DECISIONS.md
 *     for how the default was chosen
 * @param maxMessageBytes the largest message body a send accepts
 * @param mailboxCapacity the most messages one mailbox holds; a send beyond it fails
 * @param defaultMaxMemory linear memory a process may grow to, unless its spawn says otherwise
 * @param carriers processes that run guest code at once (one per carrier thread)
 * @param recentExits exited processes kept for inspection after they leave the table
 */
public record NodeConfig(
    int sliceReductions,
    int maxMessageBytes,
    int mailboxCapacity,
    long defaultMaxMemory,
    int carriers,
    int recentExits) {

  public static final int DEFAULT_SLICE = 10_000;
  public static final int DEFAULT_MAX_MESSAGE = 16 << 20;
  public static final int DEFAULT_MAILBOX_CAPACITY = 100_000;
  public static final long DEFAULT_MAX_MEMORY = 64L << 20;

  public NodeConfig {
    if (sliceReductions < 1 || maxMessageBytes < 0 || mailboxCapacity < 1 || carriers < 1) {
      throw new IllegalArgumentException("bad node configuration");
    }
  }

  /** The defaults, with one carrier per virtual-thread carrier thread. */
  public static NodeConfig defaults() {
    return new NodeConfig(
        DEFAULT_SLICE,
        DEFAULT_MAX_MESSAGE,
        DEFAULT_MAILBOX_CAPACITY,
        DEFAULT_MAX_MEMORY,
        Threads.carriers(),
        1000);
  }

  public NodeConfig withSliceReductions(int slice) {
    return new NodeConfig(
        slice, maxMessageBytes, mailboxCapacity, defaultMaxMemory, carriers, recentExits);
  }

  /** With {@code n} processes running guest code at once, whatever the carrier count. */
  public NodeConfig withCarriers(int n) {
    return new NodeConfig(
        sliceReductions, maxMessageBytes, mailboxCapacity, defaultMaxMemory, n, recentExits);
  }

  public NodeConfig withLimits(int maxMessage, int capacity) {
    return new NodeConfig(
        sliceReductions, maxMessage, capacity, defaultMaxMemory, carriers, recentExits);
  }
}
