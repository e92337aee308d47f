package dev.lunar.runtime.proc;

/**
 * A message could not be delivered; nothing was queued. {@link #reason()} says why, in a form the
 * file layer maps to an errno.
 */
public final class SendException extends Exception {
  /** Why a send failed. */
  public enum Reason {
    /** The message is larger than the node's maximum message size (EMSGSIZE). */
    TOO_BIG,
    /** The receiver's mailbox holds its maximum number of messages (EAGAIN). */
    FULL,
    /** No process has that pid or name, or it has exited (ENOENT / ESRCH). */
    NO_PROC
  }

  private final Reason reason;

  public SendException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
