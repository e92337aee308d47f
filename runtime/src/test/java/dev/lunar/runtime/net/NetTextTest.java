package dev.lunar.runtime.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NetTextTest {
  @Test
  void aPortIsOneTo65535() {
    assertEquals(1, NetText.parsePort("1"));
    assertEquals(8080, NetText.parsePort("8080"));
    assertEquals(65535, NetText.parsePort("65535"));
    for (String name : new String[] {"", "0", "080", "65536", "99999", "100000", "-1", "http"}) {
      assertEquals(0, NetText.parsePort(name), name);
    }
  }
}
