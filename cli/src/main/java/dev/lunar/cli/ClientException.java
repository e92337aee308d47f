package dev.lunar.cli;

/** A client command that failed: the exit code it ends with and one line saying why. */
final class ClientException extends Exception {
  private final int exitCode;

  ClientException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
