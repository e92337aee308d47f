package dev.lunar.runtime;

/**
 * A module cannot be loaded or run: missing, not wasm, malformed, invalid, or its imports or
 * exports do not fit. The message is one line meant for people, without the module's name.
 */
public final class ModuleException extends Exception {
  public ModuleException(String reason) {
    super(reason);
  }

  public ModuleException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
