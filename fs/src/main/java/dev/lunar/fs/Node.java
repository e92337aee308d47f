package dev.lunar.fs;

import java.time.Duration;

/** Something in the tree: a {@link Dir} or a {@link File}. */
public interface Node {
  /** What {@code stat} shows; may be computed on each call. */
  Stat stat() throws FsException;

  /**
   * The permission bits {@link #stat} would show, to check an open against. A node whose stat costs
   * something (it renders text, or asks a store) gives them directly.
   */
  default int mode() throws FsException {
    return stat().mode();
  }

  /**
   * How long a cache may trust what {@link #stat} said and that this node is there under its name,
   * without asking again: the FUSE mount's attribute and entry timeout. A file that says more than
   * zero also promises that its content changes only together with its size or modification time,
   * so the host may keep its pages between opens while those stay the same. Zero, the default, for
   * anything that changes behind a cache's back: process files, counters, computed text.
   */
  default Duration cacheFor() {
    return Duration.ZERO;
  }
}
