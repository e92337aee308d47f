package dev.lunar.fs;

/** Something in the tree: a {@link Dir} or a {@link File}. */
public interface Node {
  /** What {@code stat} shows; may be computed on each call. */
  Stat stat() throws FsException;
}
