package dev.lunar.runtime.web;

import java.io.ByteArrayOutputStream;

/**
 * A process's standard output, kept in memory up to a limit: what is written beyond it is dropped
 * and {@link #over} says so. Written by the process's own thread, read after it has ended.
 */
final class CappedOutput extends ByteArrayOutputStream {
  private final long limit;
  private boolean over;

  CappedOutput(long limit) {
    super(256);
    this.limit = limit;
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
    super.write(b, off, len);
  }

  synchronized boolean over() {
    return over;
  }
}
