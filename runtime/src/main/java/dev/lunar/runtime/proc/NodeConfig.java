package dev.lunar.runtime.proc;

import dev.lunar.runtime.Threads;

/**
 * A node's tunables.
 *
 * @param sliceReductions reductions a process runs before it lets others run; see docs/DECISIONS.md
 *     for how the default was chosen
 * @param maxMessageBytes the largest message body a send accepts
 * @param mailboxCapacity the most messages one mailbox holds; a send beyond it fails
 * @param mailboxMaxBytes the most bytes of message bodies one mailbox holds; a send beyond it fails
 * @param maxQueuedBytes the most bytes of message bodies all mailboxes and pending timers of the
 *     node hold together; a send beyond it fails, so that no receiver, however slow, runs the JVM
 *     out of heap
 * @param defaultMaxMemory linear memory a process may grow to, unless its spawn says otherwise
 * @param maxGuestMemory the most bytes of linear memory all processes of the node hold together: a
 *     grow that would pass it fails, and a process whose write would pass it ends, so that no
 *     guest, however greedy, runs the JVM out of heap
 * @param carriers processes that run guest code at once (one per carrier thread)
 * @param recentExits exited processes kept for inspection after they leave the table
 */
public record NodeConfig(
    int sliceReductions,
    int maxMessageBytes,
    int mailboxCapacity,
    long mailboxMaxBytes,
    long maxQueuedBytes,
    long defaultMaxMemory,
    long maxGuestMemory,
    int carriers,
    int recentExits) {

  public static final int DEFAULT_SLICE = 10_000;
  public static final int DEFAULT_MAX_MESSAGE = 16 << 20;
  public static final int DEFAULT_MAILBOX_CAPACITY = 100_000;
  public static final long DEFAULT_MAILBOX_BYTES = 64L << 20;
  public static final long DEFAULT_MAX_MEMORY = 64L << 20;

  public NodeConfig {
    if (sliceReductions < 1
        || maxMessageBytes < 0
        || mailboxCapacity < 1
        || mailboxMaxBytes < maxMessageBytes
        || maxQueuedBytes < mailboxMaxBytes
        || maxGuestMemory < 0
        || carriers < 1) {
      throw new IllegalArgumentException("bad node configuration");
    }
  }

  /**
   * The defaults, with one carrier per virtual-thread carrier thread, a quarter of the JVM's
   * maximum heap (at least one mailbox's worth) for queued messages, and half of it for guests'
   * memory.
   */
  public static NodeConfig defaults() {
    return new NodeConfig(
        DEFAULT_SLICE,
        DEFAULT_MAX_MESSAGE,
        DEFAULT_MAILBOX_CAPACITY,
        DEFAULT_MAILBOX_BYTES,
        Math.max(DEFAULT_MAILBOX_BYTES, Runtime.getRuntime().maxMemory() / 4),
        DEFAULT_MAX_MEMORY,
        Runtime.getRuntime().maxMemory() / 2,
        Threads.carriers(),
        1000);
  }

  public NodeConfig withSliceReductions(int slice) {
    return new NodeConfig(
        slice,
        maxMessageBytes,
        mailboxCapacity,
        mailboxMaxBytes,
        maxQueuedBytes,
        defaultMaxMemory,
        maxGuestMemory,
        carriers,
        recentExits);
  }

  /** With {@code n} processes running guest code at once, whatever the carrier count. */
  public NodeConfig withCarriers(int n) {
    return new NodeConfig(
        sliceReductions,
        maxMessageBytes,
        mailboxCapacity,
        mailboxMaxBytes,
        maxQueuedBytes,
        defaultMaxMemory,
        maxGuestMemory,
        n,
        recentExits);
  }

  /** With the largest message and the most messages per mailbox. */
  public NodeConfig withLimits(int maxMessage, int capacity) {
    return new NodeConfig(
        sliceReductions,
        maxMessage,
        capacity,
        mailboxMaxBytes,
        maxQueuedBytes,
        defaultMaxMemory,
        maxGuestMemory,
        carriers,
        recentExits);
  }

  /** With the most bytes one mailbox, and all of them together, may hold. */
  public NodeConfig withQueuedBytes(long perMailbox, long node) {
    return new NodeConfig(
        sliceReductions,
        maxMessageBytes,
        mailboxCapacity,
        perMailbox,
        node,
        defaultMaxMemory,
        maxGuestMemory,
        carriers,
        recentExits);
  }

  /** With the most bytes of linear memory all processes may hold together. */
  public NodeConfig withGuestMemory(long bytes) {
    return new NodeConfig(
        sliceReductions,
        maxMessageBytes,
        mailboxCapacity,
        mailboxMaxBytes,
        maxQueuedBytes,
        defaultMaxMemory,
        bytes,
        carriers,
        recentExits);
  }
}
