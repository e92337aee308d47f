package dev.lunar.kv;

/** When a put returns, relative to the disk. */
public enum Durability {
  /**
   * The default: a put returns once its write-ahead log record is on disk ({@code fsync}). It
   * survives {@code kill -9} of the node and a crash of the machine.
   */
  SYNC,
  /**
   * A put returns once its log record is written to the operating system, not yet synced. It
   * survives {@code kill -9} of the node, but a power loss or kernel crash may lose the last puts
   * (never tear one). Several times faster for small values.
   */
  NO_SYNC
}
