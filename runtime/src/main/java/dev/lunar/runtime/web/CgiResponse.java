package dev.lunar.runtime.web;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a process's standard output means as an HTTP response. Output that starts with CGI header
 * lines ({@code Name: value}) up to a blank line, among them {@code Content-Type}, {@code Location}
 * or {@code Status}, gives those headers and the rest as the body; any other output is the body as
 * it is, sent as {@code text/plain}.
 *
 * @param status the HTTP status: {@code Status:}'s, 302 for a {@code Location:} alone, else 200
 * @param headers header name and value pairs, in order
 * @param body the body: a view of the output it was parsed from, not a copy
 */
record CgiResponse(int status, List<String[]> headers, ByteBuffer body) {
  private static final Pattern HEADER =
      Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \\t]*(.*?)[ \\t]*");

  /** Headers a program cannot set: the server frames the response itself. */
  private static final List<String> FRAMING =
      List.of("content-length", "transfer-encoding", "connection", "keep-alive");

  /** Parses {@code out[0, length)}. */
  static CgiResponse parse(byte[] out, int length) {
    List<String[]> headers = new ArrayList<>();
    int at = 0;
    boolean recognised = false;
    while (true) {
      int nl = indexOf(out, length, (byte) '\n', at);
      if (nl < 0 || nl - at > 8192) {
        return plain(out, length); // no blank line: no header block
      }
      int end = nl > at && out[nl - 1] == '\r' ? nl - 1 : nl;
      String line = new String(out, at, end - at, StandardCharsets.ISO_8859_1);
      at = nl + 1;
      if (line.isEmpty()) {
        break;
      }
      Matcher m = HEADER.matcher(line);
      if (!m.matches()) {
        return plain(out, length);
      }
      String name = m.group(1).toLowerCase(Locale.ROOT);
      recognised |= name.equals("content-type") || name.equals("location") || name.equals("status");
      headers.add(new String[] {m.group(1), m.group(2)});
    }
    if (!recognised) {
      return plain(out, length);
    }
    ByteBuffer body = ByteBuffer.wrap(out, at, length - at);
    int status = 200;
    List<String[]> kept = new ArrayList<>();
    boolean location = false;
    boolean type = false;
    for (String[] h : headers) {
      String name = h[0].toLowerCase(Locale.ROOT);
      if (name.equals("status")) {
        status = status(h[1]);
        if (status < 0) {
          return failed("a bad Status header: '" + h[1] + "'");
        }
      } else if (!FRAMING.contains(name)) {
        location |= name.equals("location");
        type |= name.equals("content-type");
        kept.add(h);
      }
    }
    if (location && headers.stream().noneMatch(h -> h[0].equalsIgnoreCase("status"))) {
      status = 302;
    }
    if (!type && body.hasRemaining()) {
      kept.add(new String[] {"Content-Type", "text/plain; charset=utf-8"});
    }
    return new CgiResponse(status, kept, body);
  }

  /** The whole output as a plain-text body. */
  static CgiResponse plain(byte[] out, int length) {
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"Content-Type", "text/plain; charset=utf-8"});
    return new CgiResponse(200, headers, ByteBuffer.wrap(out, 0, length));
  }

  /** An error response: the status line's text and {@code why}, as plain text. */
  static CgiResponse error(int status, String reason, String why) {
    byte[] body = (status + " " + reason + ": " + why + "\n").getBytes(StandardCharsets.UTF_8);
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"Content-Type", "text/plain; charset=utf-8"});
    return new CgiResponse(status, headers, ByteBuffer.wrap(body));
  }

  private static CgiResponse failed(String why) {
    return error(500, "Internal Server Error", why);
  }

  /**
   * {@code 404 Not Found} or {@code 404} as 404; -1 if not a final status (1xx are interim: a
   * client would wait for the response after it).
   */
  private static int status(String value) {
    if (value.length() < 3) {
      return -1;
    }
    try {
      int code = Integer.parseInt(value.substring(0, 3));
      boolean separated = value.length() == 3 || value.charAt(3) == ' ';
      return code >= 200 && code <= 599 && separated ? code : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static int indexOf(byte[] b, int length, byte v, int from) {
    for (int i = from; i < length; i++) {
      if (b[i] == v) {
        return i;
      }
    }
    return -1;
  }
}
