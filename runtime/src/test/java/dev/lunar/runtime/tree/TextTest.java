package dev.lunar.runtime.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TextTest {
  @Test
  void aNumberInAPathIsDigitsWithNoLeadingZero() {
    assertEquals(7, Text.number("7"));
    assertEquals(123_456_789_012_345_678L, Text.number("123456789012345678"));
    for (String name : new String[] {"", "0", "007", "-1", "+1", "1e3", "12a", " 1", "self"}) {
      assertEquals(0, Text.number(name), name);
    }
    assertEquals(0, Text.number("1234567890123456789"), "19 digits");
  }
}
