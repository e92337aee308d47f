package dev.lunar.runtime.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import java.nio.ByteBuffer;
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

  @Test
  void aCommandLineIsUtf8OrRefused() throws FsException {
    assertEquals("hello \u00e9", Text.string(ByteBuffer.wrap(Text.bytes("hello \u00e9"))));
    for (byte[] bad :
        new byte[][] {
          {'x', (byte) 0xff, 'y'}, {(byte) 0xc3}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}
        }) {
      var e = assertThrows(FsException.class, () -> Text.string(ByteBuffer.wrap(bad)));
      assertEquals(Errno.EINVAL, e.errno());
    }
  }
}
