package ossmock.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

final class Fixtures {
    private Fixtures() {}

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    /** A fresh bucket name per test. */
    static String bucketName(String what) {
        return ("jd-" + what + "-" + ProcessHandle.current().pid() + "-" + BUCKETS.incrementAndGet()).toLowerCase();
    }

    /** {k1: v1, k2: v2, ...}; values are strings, numbers, booleans or JSON nodes. */
    static ObjectNode args(Object... kv) {
        ObjectNode o = MockServer.JSON.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            String k = (String) kv[i];
            Object v = kv[i + 1];
            if (v == null) continue;
            if (v instanceof String s) o.put(k, s);
            else if (v instanceof Integer n) o.put(k, n);
            else if (v instanceof Long n) o.put(k, n);
            else if (v instanceof Boolean b) o.put(k, b);
            else if (v instanceof JsonNode n) o.set(k, n);
            else throw new IllegalArgumentException(k);
        }
        return o;
    }

    static ObjectNode inline(byte[] body) {
        return args("base64", Base64.getEncoder().encodeToString(body));
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String md5Hex(byte[] b) throws Exception {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    static String unquote(String etag) {
        return etag.replace("\"", "");
    }
}
