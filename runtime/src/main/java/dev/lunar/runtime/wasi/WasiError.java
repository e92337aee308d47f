package dev.lunar.runtime.wasi;

import dev.lunar.fs.Errno;

/** Ends a WASI call with an errno; the reason, if any, was already recorded for errstr. */
final class WasiError extends Exception {
  final int code;

  WasiError(Errno errno) {
    this(errno.wasi());
  }

  WasiError(int code) {
    super(null, null, false, false);
    this.code = code;
  }
}
