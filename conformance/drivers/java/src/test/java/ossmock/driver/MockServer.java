package ossmock.driver;

import com.aliyun.oss.OSS;
import com.aliyun.oss.OSSClientBuilder;
import com.aliyun.oss.ClientBuilderConfiguration;
import com.aliyun.oss.common.auth.DefaultCredentialProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real oss-mock (the repository's dist/bin/oss-mock.cjs) on a free loopback port, with its control API
 * (README "the control API"). Stopped by PID.
 */
final class MockServer implements AutoCloseable {
    static final String ACCESS_KEY_ID = "oss-mock-access-key-id";
    static final String ACCESS_KEY_SECRET = "oss-mock-access-key-secret";
    static final String REGION = "cn-hangzhou";
    static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    final String endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private MockServer(Process process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** The repository root: this module lives in conformance/drivers/java. */
    static Path repoRoot() {
        String configured = System.getProperty("ossmock.repo");
        if (configured != null) return Path.of(configured).toAbsolutePath();
        return Path.of("").toAbsolutePath().resolve("../../..").normalize();
    }

    static MockServer start() throws IOException {
        Path bin = repoRoot().resolve("dist/bin/oss-mock.cjs");
        if (!Files.exists(bin)) {
            throw new IllegalStateException(bin + " is missing: run `npm ci` (or `npm run build`) in " + repoRoot());
        }
        Process p = new ProcessBuilder("node", bin.toString(), "--port", "0")
                .redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Pattern listening = Pattern.compile("oss-mock listening on (http://127\\.0\\.0\\.1:\\d+)");
        String line;
        while ((line = out.readLine()) != null) {
            Matcher m = listening.matcher(line);
            if (m.find()) {
                // keep draining its output so it never blocks on a full pipe
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {}
                    } catch (IOException ignored) {
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return new MockServer(p, m.group(1));
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("oss-mock exited before listening");
    }

    /** A client of the SDK itself, for setting up buckets and checking state outside the driver. */
    OSS sdk() {
        ClientBuilderConfiguration conf = new ClientBuilderConfiguration();
        conf.setSLDEnabled(true);
        return new OSSClientBuilder()
                .build(endpoint, new DefaultCredentialProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET), conf);
    }

    ObjectNode clientArgs() {
        ObjectNode a = JSON.createObjectNode();
        a.put("endpoint", endpoint);
        a.put("accessKeyId", ACCESS_KEY_ID);
        a.put("accessKeySecret", ACCESS_KEY_SECRET);
        a.put("region", REGION);
        return a;
    }

    JsonNode control(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + "/_mock" + path))
                .timeout(Duration.ofSeconds(30));
        if (body == null) b.method(method, HttpRequest.BodyPublishers.noBody());
        else b.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .header("content-type", "application/json");
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " /_mock" + path + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Adds a rule; returns its id. */
    String rule(ObjectNode rule) throws IOException, InterruptedException {
        return control("POST", "/rules", rule).path("id").asText();
    }

    void clearRules() throws IOException, InterruptedException {
        control("DELETE", "/rules", null);
    }

    /** Returns once `count` matching uploads have each received `minBytes`. */
    void waitForBytes(ObjectNode match, long minBytes, int count) throws IOException, InterruptedException {
        ObjectNode w = JSON.createObjectNode();
        w.set("match", match);
        w.put("minBytes", minBytes);
        w.put("count", count);
        w.put("timeoutMs", 15_000);
        control("POST", "/wait", w);
    }

    long lastSeq() throws IOException, InterruptedException {
        return control("GET", "/health", null).path("lastEventSeq").asLong();
    }

    List<JsonNode> events(long since) throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        // filtered here too: servers before the control API's ?since fix returned the whole log
        for (JsonNode e : control("GET", "/events?since=" + since, null).path("events")) {
            if (e.path("seq").asLong() > since) out.add(e);
        }
        return out;
    }

    /** Polls the event log (up to 15 s) until `count` events match. */
    List<JsonNode> awaitEvents(long since, Predicate<JsonNode> p, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            List<JsonNode> hits = events(since).stream().filter(p).toList();
            if (hits.size() >= count) return hits;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + hits.size() + " of " + count + " expected events: " + events(since));
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
}
