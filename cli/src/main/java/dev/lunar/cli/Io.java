package dev.lunar.cli;

import java.io.InputStream;
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

  boolean debug() {
    return debug;
  }

  void debug(boolean on) {
    debug = on;
  }
}
