package dev.lunar.runtime.proc;

/** The pid or name names no live process ({@code noproc}, as Erlang says). */
public final class NoProcException extends Exception {
  public NoProcException(String what) {
    super("noproc: " + what);
  }
}
