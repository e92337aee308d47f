package dev.lunar.cli;

import picocli.CommandLine;

/** Hands every command that wants them the streams of the current invocation. */
final class IoFactory implements CommandLine.IFactory {
  private final Io io;

  IoFactory(Io io) {
    this.io = io;
  }

  @Override
  public <K> K create(Class<K> type) throws Exception {
    try {
      return type.cast(type.getDeclaredConstructor(Io.class).newInstance(io));
    } catch (NoSuchMethodException e) {
      return CommandLine.defaultFactory().create(type);
    }
  }
}
