package dev.lunar.runtime.proc;

/** The pid or name names no live process ({@code noproc}, as Erlang says). */
public final class NoProcException extends Exception {
  private final String what;

  public NoProcException(String what) {
    super("noproc: " + what);
    this.what = what;
  }

  /** The pid or name that is gone. */
  public String what() {
    return what;
  }
}
