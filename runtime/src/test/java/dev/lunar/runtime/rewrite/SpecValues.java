package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.Value;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** wast2json values: arguments to Chicory's long encoding, and result matching incl. NaNs. */
final class SpecValues {
  private SpecValues() {}

  /** v128 needs Chicory's SIMD module; a non-null funcref argument has no JSON form we can use. */
  static boolean unsupported(JsonArray values) {
    if (values == null) {
      return false; // a "get" action has no arguments
    }
    for (JsonElement e : values) {
      JsonObject v = e.getAsJsonObject();
      String type = v.get("type").getAsString();
      if (type.equals("v128") || (type.equals("funcref") && !isNull(v) && isArgument(v))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isArgument(JsonObject v) {
    return v.has("value");
  }

  private static boolean isNull(JsonObject v) {
    return v.has("value") && v.get("value").getAsString().equals("null");
  }

  static long[] args(JsonArray values) {
    long[] args = new long[values.size()];
    for (int i = 0; i < args.length; i++) {
      args[i] = value(values.get(i).getAsJsonObject());
    }
    return args;
  }

  private static long value(JsonObject v) {
    String type = v.get("type").getAsString();
    String text = v.get("value").getAsString();
    return switch (type) {
      case "i32", "f32" -> (int) Long.parseUnsignedLong(text);
      case "i64", "f64" -> Long.parseUnsignedLong(text);
      case "externref", "funcref" ->
          text.equals("null") ? Value.REF_NULL_VALUE : Long.parseLong(text);
      default -> throw new IllegalArgumentException("unsupported value type " + type);
    };
  }

  static boolean matches(JsonArray expected, long[] actual) {
    if (expected.size() != actual.length) {
      return false;
    }
    for (int i = 0; i < actual.length; i++) {
      if (!matches(expected.get(i).getAsJsonObject(), actual[i])) {
        return false;
      }
    }
    return true;
  }

  /**
   * NaN patterns accept any NaN: the JVM's float operations (Math.min and friends) pass a
   * signalling NaN through unchanged, so Chicory cannot produce the quiet NaN that nan:arithmetic
   * demands; a strict check would only measure that, on both sides alike.
   */
  private static boolean matches(JsonObject e, long actual) {
    String type = e.get("type").getAsString();
    String text = e.has("value") ? e.get("value").getAsString() : null;
    return switch (type) {
      case "i32" -> (int) actual == (int) Long.parseUnsignedLong(text);
      case "i64" -> actual == Long.parseUnsignedLong(text);
      case "f32" -> {
        int bits = (int) actual;
        if (text.startsWith("nan:")) {
          yield Float.isNaN(Float.intBitsToFloat(bits));
        }
        yield bits == (int) Long.parseUnsignedLong(text);
      }
      case "f64" -> {
        if (text.startsWith("nan:")) {
          yield Double.isNaN(Double.longBitsToDouble(actual));
        }
        yield actual == Long.parseUnsignedLong(text);
      }
      // Function references are indices, which the rewrite shifts: compare only null-ness.
      case "funcref" -> (text == null || !text.equals("null")) != (actual == Value.REF_NULL_VALUE);
      case "externref" ->
          text == null
              ? actual != Value.REF_NULL_VALUE
              : actual == (text.equals("null") ? Value.REF_NULL_VALUE : Long.parseLong(text));
      default -> false;
    };
  }

  /** Chicory reports a blown stack as "call stack exhausted", wrapping the StackOverflowError. */
  static boolean isExhaustion(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StackOverflowError
          || (c instanceof ChicoryException
              && String.valueOf(c.getMessage()).contains("exhaust"))) {
        return true;
      }
    }
    return false;
  }
}
