package dev.lunar.runtime.proc;

import java.nio.charset.StandardCharsets;

/**
 * One message: bytes copied at send, an optional tag for selective receive, and the sender's pid (0
 * for the host).
 *
 * @param from the sender's pid; 0 when the host or the runtime sent it
 * @param tag a short label, empty for none; the runtime's own notices use {@code EXIT} and {@code
 *     DOWN}
 * @param body the payload, owned by the message (copied from the sender)
 */
public record Message(long from, String tag, byte[] body) {
  /** Tag of the notice a process trapping exits gets when a linked process ends. */
  public static final String EXIT = "EXIT";

  /** Tag of the notice a monitoring process gets when the monitored one ends. */
  public static final String DOWN = "DOWN";

  public Message {
    tag = tag == null ? "" : tag;
  }

  /** The body as UTF-8 text. */
  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
