package dev.lunar.runtime.proc;

/** A name cannot be registered: malformed, taken, or the process already has one. */
public final class RegistryException extends Exception {
  public RegistryException(String message) {
    super(message);
  }
}
