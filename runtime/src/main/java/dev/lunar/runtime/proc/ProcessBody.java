package dev.lunar.runtime.proc;

/**
 * What a process runs: a wasm module's {@code _start}, or, for processes the runtime itself
 * provides (supervisors, test drivers), Java code. Runs on the process's own virtual thread.
 */
@FunctionalInterface
public interface ProcessBody {
  /**
   * Runs the process to its end. Block only through {@link Proc#receive} and {@link Proc#blocking}:
   * anything else that waits keeps this process's carrier token meanwhile. Returning is a {@code
   * normal} exit; throwing {@link ProcessExit} ends with its reason; any other exception is a
   * crash.
   */
  void run(Proc self) throws Exception;
}
