package dev.lunar.runtime.tree;

import java.nio.ByteBuffer;

/**
 * What a command file ({@code ctl}, {@code /proc/new}) says back: the answer of the last write on
 * this handle, or its error, read once from the start.
 */
final class Answer {
  private byte[] text = new byte[0];
  private int read;

  void set(String answer) {
    text = Text.bytes(answer);
    read = 0;
  }

  int read(ByteBuffer dst) {
    int n = Text.copy(text, read, dst);
    read += n;
    return n;
  }
}
