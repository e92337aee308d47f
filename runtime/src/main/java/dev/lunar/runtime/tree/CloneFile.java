package dev.lunar.runtime.tree;

import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Stat;
import dev.lunar.runtime.proc.Proc;
import java.nio.ByteBuffer;

/**
 * {@code /proc/new}, the clone file: a write is a spawn line, a read gives the new pid (or, after a
 * failed write, the reason).
 */
record CloneFile(Tree tree, Proc caller) implements File {
  @Override
  public Handle open(OpenMode mode) {
    Answer answer = new Answer();
    return new Handle() {
      @Override
      public boolean stream() {
        return true;
      }

      @Override
      public boolean wholeWrites() {
        return true;
      }

      @Override
      public int write(ByteBuffer src, long offset) throws FsException {
        int n = src.remaining();
        String line = Text.string(src).strip();
        try {
          long pid = new Spawner(tree, caller).spawn(SpawnLine.parse(line));
          answer.set(pid + "\n");
          return n;
        } catch (FsException e) {
          answer.set(e.reason() + "\n");
          throw e;
        }
      }

      @Override
      public int read(ByteBuffer dst, long offset, boolean block) {
        return answer.read(dst);
      }
    };
  }

  @Override
  public Stat stat() {
    return Stat.stream(0666, 0);
  }
}
