package dev.lunar.fs.fuse;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counts of FUSE requests by kind, and of those answered with an error. Thread-safe. */
final class OpStats {
  enum Op {
    LOOKUP,
    FORGET,
    GETATTR,
    SETATTR,
    MKDIR,
    UNLINK,
    RMDIR,
    RENAME,
    OPEN,
    CREATE,
    READ,
    WRITE,
    FLUSH,
    FSYNC,
    RELEASE,
    OPENDIR,
    READDIR,
    RELEASEDIR,
    POLL,
    INTERRUPTED
  }

  private final LongAdder[] counts = new LongAdder[Op.values().length];
  private final LongAdder errors = new LongAdder();

  OpStats() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  void count(Op op) {
    counts[op.ordinal()].increment();
  }

  void error() {
    errors.increment();
  }

  /** Requests by kind (lower case), then {@code errors}: a snapshot, in a stable order. */
  Map<String, Long> snapshot() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Op op : Op.values()) {
      out.put(op.name().toLowerCase(Locale.ROOT), counts[op.ordinal()].sum());
    }
    out.put("errors", errors.sum());
    return out;
  }
}
