package dev.lunar.runtime.web;

import dev.lunar.fs.ByteBudget;
import java.io.ByteArrayOutputStream;

/**
 * A process's standard output, kept in memory up to a limit: what is written beyond it is dropped
 * and {@link #over} says so. What it keeps also counts in a budget shared by all the responses in
 * flight, so that many big ones at once cannot run the server out of heap: past it the rest is
 * dropped and {@link #full} says so, until {@link #release}. Written by the process's own thread,
 * read after it has ended.
 */
final class CappedOutput extends ByteArrayOutputStream {
  private final long limit;
  private final ByteBudget shared;
  private boolean over;
  private boolean full;
  private long taken;

  CappedOutput(long limit, ByteBudget shared) {
    super(256);
    this.limit = limit;
    this.shared = shared;
  }

  @Override
  public synchronized void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    long room = limit - count;
    if (len > room) {
      over = true;
      len = (int) Math.max(0, room);
    }
    if (full || !shared.take(len)) {
      full = true;
      return;
    }
    taken += len;
    super.write(b, off, len);
  }

  synchronized boolean over() {
    return over;
  }

  synchronized boolean full() {
    return full;
  }

  /** Gives back to the shared budget what this output took. */
  synchronized void release() {
    shared.give(taken);
    taken = 0;
  }
}
