package dev.lunar.kv;

import java.time.Instant;
import java.time.InstantSource;

/** A clock that moves only when told to. */
public final class TestClock implements InstantSource {
  private volatile long millis;

  public TestClock(long millis) {
    this.millis = millis;
  }

  public void set(long millis) {
    this.millis = millis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis);
  }

  @Override
  public long millis() {
    return millis;
  }
}
