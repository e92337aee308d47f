package dev.lunar.runtime.wasi;

import com.dylibso.chicory.log.Logger;

/**
 * The logger handed to Chicory's WASI. Chicory logs every unimplemented call at error level to
 * standard error, which would mix with the guest's own output, so Lunar keeps it quiet.
 */
public final class WasiLogger implements Logger {
  public static final WasiLogger QUIET = new WasiLogger();

  private WasiLogger() {}

  @Override
  public void log(Level level, String msg, Throwable throwable) {}

  @Override
  public boolean isLoggable(Level level) {
    return false;
  }
}
