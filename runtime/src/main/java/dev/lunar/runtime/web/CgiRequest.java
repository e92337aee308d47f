package dev.lunar.runtime.web;

import com.sun.net.httpserver.HttpExchange;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CGI variables of one request (RFC 3875, as WAGI gives them): method, path, query, headers as
 * {@code HTTP_*}, body length and type, and who is asking. Two kinds of header are left out, as
 * common CGI servers do: {@code Proxy} (it would be {@code HTTP_PROXY}, which HTTP libraries take
 * as their proxy: "httpoxy"), and names with an underscore, which would read the same as the name
 * with a hyphen.
 */
final class CgiRequest {
  private CgiRequest() {}

  static Map<String, String> env(HttpExchange ex, int bodyLength, Map<String, String> fixed) {
    Map<String, String> env = new LinkedHashMap<>(fixed);
    URI uri = ex.getRequestURI();
    String rawPath = uri.getRawPath() == null ? "/" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    String host = ex.getRequestHeaders().getFirst("Host");
    int localPort = ex.getLocalAddress().getPort();
    String serverName =
        host != null && !host.isBlank()
            ? host.replaceFirst(":\\d+$", "")
            : ex.getLocalAddress().getAddress().getHostAddress();
    env.put("GATEWAY_INTERFACE", "CGI/1.1");
    env.put("SERVER_SOFTWARE", "Lunar");
    env.put("SERVER_PROTOCOL", ex.getProtocol());
    env.put("SERVER_NAME", serverName);
    env.put("SERVER_PORT", Integer.toString(localPort));
    env.put("REQUEST_METHOD", ex.getRequestMethod());
    env.put("REQUEST_URI", rawPath + (query.isEmpty() ? "" : "?" + query));
    env.put("SCRIPT_NAME", "");
    env.put("PATH_INFO", uri.getPath() == null ? "/" : uri.getPath());
    env.put("QUERY_STRING", query);
    env.put(
        "X_FULL_URL",
        "http://"
            + (host != null ? host : serverName + ":" + localPort)
            + rawPath
            + (query.isEmpty() ? "" : "?" + query));
    env.put("REMOTE_ADDR", ex.getRemoteAddress().getAddress().getHostAddress());
    env.put("REMOTE_PORT", Integer.toString(ex.getRemoteAddress().getPort()));
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type != null) {
      env.put("CONTENT_TYPE", type);
    }
    if (bodyLength > 0 || ex.getRequestHeaders().containsKey("Content-Length")) {
      env.put("CONTENT_LENGTH", Integer.toString(bodyLength));
    }
    for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
      String name = h.getKey().toUpperCase(Locale.ROOT).replace('-', '_');
      if (name.equals("CONTENT_TYPE") || name.equals("CONTENT_LENGTH")) {
        continue; // CGI gives these without the HTTP_ prefix
      }
      if (name.equals("PROXY") || h.getKey().indexOf('_') >= 0) {
        continue;
      }
      env.put("HTTP_" + name, String.join(", ", h.getValue()));
    }
    return env;
  }
}
