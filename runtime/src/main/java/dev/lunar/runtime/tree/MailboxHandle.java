package dev.lunar.runtime.tree;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.OpenMode;
import dev.lunar.runtime.proc.Message;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.SendException;
import java.nio.ByteBuffer;

/**
 * An open mailbox (or one tag of it, {@code tags/<tag>}): a write sends one message; a read, by the
 * owner only, receives one, with its header, and a message longer than the reader's buffer
 * continues on the next read.
 */
final class MailboxHandle implements Handle {
  private final Node node;
  private final Proc caller;
  private final long target;
  private final String tag;
  private byte[] header;
  private byte[] body;
  private long done; // bytes of header + body already read

  private MailboxHandle(Node node, Proc caller, long target, String tag) {
    this.node = node;
    this.caller = caller;
    this.target = target;
    this.tag = tag;
  }

  static MailboxHandle open(Node node, Proc caller, Proc target, String tag, OpenMode mode)
      throws FsException {
    if (mode.read() && !Caller.owns(caller, target)) {
      throw new FsException(
          Errno.EACCES, "only process " + target.pid() + " receives from its mailbox");
    }
    if (target.exitReason() != null) {
      throw new FsException(Errno.ESRCH, "process " + target.pid() + " has ended");
    }
    return new MailboxHandle(node, caller, target.pid(), tag);
  }

  @Override
  public boolean stream() {
    return true;
  }

  @Override
  public boolean wholeWrites() {
    return true;
  }

  @Override
  public void refusedWhole() {
    node.stats().refused();
  }

  @Override
  public int write(ByteBuffer src, long offset) throws FsException {
    byte[] bytes = new byte[src.remaining()];
    src.get(bytes);
    try {
      node.send(target, new Message(Caller.pid(caller), tag, bytes));
    } catch (SendException e) {
      throw refused(e);
    }
    return bytes.length;
  }

  /** A send's refusal as an errno and its reason. */
  static FsException refused(SendException e) {
    Errno errno =
        switch (e.reason()) {
          case TOO_BIG -> Errno.EMSGSIZE;
          case FULL -> Errno.EAGAIN;
          case NO_PROC -> Errno.ESRCH;
        };
    return new FsException(errno, e.getMessage());
  }

  @Override
  public int read(ByteBuffer dst, long offset, boolean block) throws FsException {
    if (header == null) {
      Message m = caller.receive(tag, block ? -1 : 0);
      if (m == null) {
        throw new FsException(Errno.EAGAIN, "no message waiting");
      }
      String t = m.tag().isEmpty() ? "-" : m.tag();
      header = Text.bytes(m.from() + " " + t + " " + m.body().length + "\n");
      body = m.body();
      done = 0;
    }
    int n = 0;
    if (done < header.length) {
      n += Text.copy(header, done, dst);
    }
    n += Text.copy(body, Math.max(0, done + n - header.length), dst);
    done += n;
    if (done == header.length + body.length) {
      header = null;
      body = null;
    }
    return n;
  }

  @Override
  public boolean readable(Thread waiter) {
    return header != null || caller.hasMessage(tag, true);
  }
}
