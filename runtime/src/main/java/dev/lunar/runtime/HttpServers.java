package dev.lunar.runtime;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Makes the JDK's HTTP servers (the web endpoint's and the metrics'), with the settings it reads
 * from system properties once, when its first server is made in the JVM: so every server of ours
 * must be made here, whichever comes first. A property set on the command line wins.
 */
public final class HttpServers {
  /**
   * Seconds a client has to send a whole request, headers and body; one that takes longer (or never
   * finishes) is hung up on. 30 unless the system property {@code lunar.http.requestSeconds} says
   * otherwise (the tests shorten it).
   */
  public static final int REQUEST_SECONDS = Integer.getInteger("lunar.http.requestSeconds", 30);

  static {
    // Nagle's algorithm is on unless told otherwise; with keep-alive, a response written in two
    // parts then waits for the client's delayed ACK, some 40 ms.
    setIfUnset("sun.net.httpserver.nodelay", "true");
    // Without a limit a connection that never finishes its request is kept for ever. The JDK
    // counts from the request's first byte until its body has been read.
    setIfUnset("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
  }

  private HttpServers() {}

  /** An HTTP server bound to {@code address}, not started. */
  public static HttpServer create(InetSocketAddress address, int backlog) throws IOException {
    return HttpServer.create(address, backlog);
  }

  private static void setIfUnset(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
