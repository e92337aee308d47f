package dev.lunar.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;

/** The standard streams and environment a command runs with; real ones or a test's. */
final class Io {
  final InputStream in;
  final PrintStream out;
  final PrintStream err;
  final Map<String, String> env;
  private volatile boolean debug;

  Io(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.env = env;
  }

  /**
   * {@code stream} as a guest should write to it: the file itself under a {@link Raw} print stream,
   * so that a write that fails (a full disk, a closed pipe) fails for the guest too, where a
   * PrintStream would swallow the error.
   */
  static OutputStream forGuest(PrintStream stream) {
    return stream instanceof Raw raw ? raw.file() : stream;
  }

  /** A print stream straight over a file, which {@link #forGuest} can see through. */
  static final class Raw extends PrintStream {
    Raw(OutputStream file) {
      super(file, false);
    }

    OutputStream file() {
      return out;
    }
  }

  boolean debug() {
    return debug;
  }

  void debug(boolean on) {
    debug = on;
  }
}
