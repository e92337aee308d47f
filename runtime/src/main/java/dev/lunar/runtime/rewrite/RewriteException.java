package dev.lunar.runtime.rewrite;

/** Thrown when a module cannot be rewritten for reduction counting; the message is one line. */
public final class RewriteException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A failure described by a one-line message. */
  public RewriteException(String message) {
    super(message);
  }

  /** A failure described by a one-line message, caused by {@code cause}. */
  public RewriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
