package dev.lunar.runtime.web;

import dev.lunar.fs.ByteBudget;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A process's standard output, kept in memory up to a limit: what is written beyond it is dropped
 * and {@link #over} says so. The memory it holds (its buffer's whole size, not only what was
 * written) counts in a budget shared by all the responses in flight, so that many big ones at once
 * cannot run the server out of heap: an output that would pass it drops everything it holds at
 * once, so that the others can go on, and {@link #full} says so. Written by the process's own
 * thread, read after it has ended.
 */
final class CappedOutput extends OutputStream {
  private static final byte[] NONE = new byte[0];

  private final int limit;
  private final ByteBudget shared;
  private byte[] buf = NONE;
  private int count;
  private boolean over;
  private boolean full;

  CappedOutput(long limit, ByteBudget shared) {
    this.limit = (int) Math.min(limit, Integer.MAX_VALUE - 8); // the most an array holds
    this.shared = shared;
  }

  @Override
  public synchronized void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    if (len > limit - count) {
      over = true;
      len = limit - count;
    }
    if (full || len == 0) {
      return;
    }
    int need = count + len;
    if (need > buf.length) {
      int size = (int) Math.min(limit, Math.max(need, Math.max(256, 2L * buf.length)));
      if (!shared.take(size - buf.length)) {
        full = true;
        release();
        return;
      }
      buf = Arrays.copyOf(buf, size);
    }
    System.arraycopy(b, off, buf, count, len);
    count = need;
  }

  synchronized boolean over() {
    return over;
  }

  synchronized boolean full() {
    return full;
  }

  /** What was written, in {@code [0, size())}; no copy. */
  synchronized byte[] buffer() {
    return buf;
  }

  synchronized int size() {
    return count;
  }

  /** Gives back to the shared budget the memory this output holds, and drops it. */
  synchronized void release() {
    shared.give(buf.length);
    buf = NONE;
    count = 0;
  }
}
