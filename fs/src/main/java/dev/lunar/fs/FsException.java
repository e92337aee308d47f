package dev.lunar.fs;

/**
 * A failed call on the tree: an {@link Errno} for the caller's program and a one-line reason for
 * the person reading it ({@code /proc/self/errstr}, logs).
 */
public final class FsException extends Exception {
  private final Errno errno;

  public FsException(Errno errno, String reason) {
    super(reason, null, false, false);
    this.errno = errno;
  }

  public Errno errno() {
    return errno;
  }

  /** The reason, without the errno. */
  public String reason() {
    return getMessage();
  }

  @Override
  public String toString() {
    return errno + ": " + getMessage();
  }
}
