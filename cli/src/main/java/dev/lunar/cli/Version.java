package dev.lunar.cli;

import picocli.CommandLine;

/** Reports Lunar's version from the jar manifest (or "dev" when run from classes). */
final class Version implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Version.class.getPackage().getImplementationVersion();
    return new String[] {"lunar " + (version == null ? "dev" : version)};
  }
}
