package ossmock.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The driver as the suite runs it: a separate JVM (Main, on this test's classpath) spoken to through the protocol on
 * its stdin/stdout.
 */
final class DriverProcess implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Process process;
    private final OutputStream stdin;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    final List<JsonNode> events = new CopyOnWriteArrayList<>();
    final List<String> otherLines = new CopyOnWriteArrayList<>();

    private DriverProcess(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread reader = new Thread(this::readLoop, "driver-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    static DriverProcess start() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return new DriverProcess(p);
    }

    private void readLoop() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode m;
                try {
                    m = JSON.readTree(line);
                } catch (IOException e) {
                    otherLines.add(line);
                    continue;
                }
                if (m.has("event")) {
                    events.add(m);
                } else if (m.has("id")) {
                    CompletableFuture<JsonNode> f = pending.remove(m.get("id").asLong());
                    if (f != null) f.complete(m);
                    else otherLines.add(line);
                } else {
                    otherLines.add(line);
                }
            }
        } catch (IOException ignored) {
        } finally {
            pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("driver exited")));
        }
    }

    /** Sends a request; the future completes with the whole response line. */
    CompletableFuture<JsonNode> send(String op, ObjectNode args) throws IOException {
        long id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode m = JSON.createObjectNode();
        m.put("id", id);
        m.put("op", op);
        m.set("args", args == null ? JSON.createObjectNode() : args);
        sendRaw(JSON.writeValueAsString(m));
        return f;
    }

    long lastId() {
        return nextId.get() - 1;
    }

    synchronized void sendRaw(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** The result of a call that must succeed. */
    JsonNode ok(String op, ObjectNode args) throws Exception {
        JsonNode r = send(op, args).get(60, TimeUnit.SECONDS);
        if (!r.path("ok").asBoolean()) throw new AssertionError(op + " failed: " + r);
        return r.get("result");
    }

    /** The error of a call that must fail. */
    JsonNode err(String op, ObjectNode args) throws Exception {
        return errorOf(send(op, args).get(60, TimeUnit.SECONDS), op);
    }

    static JsonNode errorOf(JsonNode r, String what) {
        if (r.path("ok").asBoolean()) throw new AssertionError(what + " succeeded: " + r);
        return r.get("error");
    }

    /** A client id for the mock, with extra createClient args. */
    String client(MockServer mock, ObjectNode extra) throws Exception {
        ObjectNode a = mock.clientArgs();
        if (extra != null) a.setAll(extra);
        return ok("createClient", a).get("client").asText();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            try {
                send("shutdown", null).get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
            }
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        }
    }
}
