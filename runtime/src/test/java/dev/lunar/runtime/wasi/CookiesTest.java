package dev.lunar.runtime.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CookiesTest {
  /** libc lists again after every seekdir: that must not use up the cookies telldir gave. */
  @Test
  void anEntryListedAgainKeepsItsCookie() {
    var cookies = new Fd.Cookies();
    long a = cookies.of("a");
    long b = cookies.of("b");
    for (int i = 0; i < 2 * Fd.Cookies.MAX; i++) {
      cookies.of(i % 2 == 0 ? "a" : "b");
    }
    assertEquals(a, cookies.of("a"));
    assertEquals(b, cookies.of("b"));
    assertEquals("a", cookies.cursor(a));
    assertEquals("b", cookies.cursor(b));
  }

  @Test
  void theLeastRecentlyUsedGoPastTheLimit() {
    var cookies = new Fd.Cookies();
    long first = cookies.of("k0");
    long second = cookies.of("k1");
    cookies.of("k0"); // used again: k1 is now the eldest
    for (int i = 2; i <= Fd.Cookies.MAX; i++) {
      cookies.of("k" + i);
    }
    assertEquals("k0", cookies.cursor(first));
    assertNull(cookies.cursor(second));
  }
}
