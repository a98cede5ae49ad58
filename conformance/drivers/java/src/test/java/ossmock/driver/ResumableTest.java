package ossmock.driver;

import static ossmock.driver.Fixtures.args;
import static ossmock.driver.Fixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.oss.OSS;
import com.aliyun.oss.model.ListMultipartUploadsRequest;
import com.aliyun.oss.model.MultipartUpload;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * resumableUpload through the SDK's uploadFile with its checkpoint: stopped part-way (interrupt, or SIGKILL of the
 * driver) and resumed on the same upload ID; after an Abort between the runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResumableTest {
    static final int SIZE = 2 * 1024 * 1024;
    static final int PART = 256 * 1024;
    static final int PARTS = SIZE / PART;

    MockServer mock;
    OSS sdk;

    @BeforeAll
    void start() throws Exception {
        mock = MockServer.start();
        sdk = mock.sdk();
    }

    @AfterAll
    void stop() throws Exception {
        if (sdk != null) sdk.shutdown();
        if (mock != null) mock.close();
    }

    record Run(String bucket, String key, Path file, Path checkpoints, byte[] content) {
        ObjectNode args(String client) {
            return Fixtures.args("client", client, "bucket", bucket, "key", key, "file", file.toString(),
                    "partSize", PART, "parallel", 2, "checkpointDir", checkpoints.toString());
        }
    }

    Run prepare(Path dir, String what) throws Exception {
        String b = Fixtures.bucketName(what);
        sdk.createBucket(b);
        byte[] content = bytes(SIZE, 71);
        Path file = dir.resolve("source.bin");
        Files.write(file, content);
        Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
        return new Run(b, "res-object", file, checkpoints, content);
    }

    /** Starts the upload slowed to 256 KiB/s per part; returns once 3 parts are stored, with the upload ID. */
    String startUntilThreeParts(DriverProcess driver, String client, Run run, CompletableFuture<JsonNode>[] call)
            throws Exception {
        mock.rule(args("match", args("bucket", run.bucket(), "operation", "UploadPart"), "ingestRate", 262144));
        long since = mock.lastSeq();
        call[0] = driver.send("resumableUpload", run.args(client));
        List<JsonNode> stored = mock.awaitEvents(since, e -> e.path("type").asText().equals("part.stored"), 3);
        return stored.get(0).get("uploadId").asText();
    }

    List<String> checkpointFiles(Run run) throws Exception {
        try (Stream<Path> s = Files.list(run.checkpoints())) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    List<String> openUploads(Run run) {
        return sdk.listMultipartUploads(new ListMultipartUploadsRequest(run.bucket())).getMultipartUploads().stream()
                .map(MultipartUpload::getUploadId)
                .toList();
    }

    /** Resumes and checks: same upload ID, no new Initiate, only missing parts sent, right bytes, checkpoint gone. */
    void resumeAndCheck(DriverProcess driver, String client, Run run, String uploadId) throws Exception {
        long since = mock.lastSeq();
        JsonNode done = driver.ok("resumableUpload", run.args(client));
        List<JsonNode> events = mock.events(since);
        assertEquals(0, events.stream().filter(e -> e.path("type").asText().equals("upload.initiated")).count(),
                "the resumed run sends no InitiateMultipartUpload");
        List<JsonNode> completed = events.stream()
                .filter(e -> e.path("type").asText().equals("upload.completed")).toList();
        assertEquals(1, completed.size());
        assertEquals(uploadId, completed.get(0).get("uploadId").asText(), "the same upload ID is completed");
        long resent = events.stream().filter(e -> e.path("type").asText().equals("part.stored")).count();
        assertTrue(resent < PARTS, "only the missing parts are sent again (" + resent + ")");
        assertTrue(Fixtures.unquote(done.get("etag").asText()).endsWith("-" + PARTS), done.toString());
        assertArrayEquals(run.content(), sdk.getObject(run.bucket(), run.key()).getObjectContent().readAllBytes());
        assertEquals(List.of(), checkpointFiles(run), "the checkpoint is removed after success");
        assertEquals(List.of(), openUploads(run));
    }

    @Test
    void interruptedThenResumedOnTheSameUploadId(@TempDir Path dir) throws Exception {
        Run run = prepare(dir, "res-int");
        try (DriverProcess driver = DriverProcess.start()) {
            String client = driver.client(mock, null);
            @SuppressWarnings("unchecked")
            CompletableFuture<JsonNode>[] call = new CompletableFuture[1];
            String uploadId;
            try {
                uploadId = startUntilThreeParts(driver, client, run, call);
                driver.ok("interrupt", args("client", client));
                JsonNode e = DriverProcess.errorOf(call[0].get(30, TimeUnit.SECONDS), "resumableUpload");
                assertTrue(e.path("interrupted").asBoolean(), e.toString());
                System.out.println("resumableUpload interrupted: " + e);
            } finally {
                mock.clearRules();
            }
            assertEquals(1, checkpointFiles(run).size(), "the checkpoint is kept");
            assertEquals(List.of(uploadId), openUploads(run));
            resumeAndCheck(driver, client, run, uploadId);
        }
    }

    @Test
    void killedWithSigkillThenResumedByAFreshProcess(@TempDir Path dir) throws Exception {
        Run run = prepare(dir, "res-kill");
        String uploadId;
        DriverProcess first = DriverProcess.start();
        try {
            String client = first.client(mock, null);
            @SuppressWarnings("unchecked")
            CompletableFuture<JsonNode>[] call = new CompletableFuture[1];
            uploadId = startUntilThreeParts(first, client, run, call);
            // Hold the parts still in flight (the slowest rule wins, also for requests already running) so no part
            // completes, and wait for the checkpoint of the stored ones to be written: uploadFile rewrites its
            // checkpoint in place (truncate, then serialize) after every part, so a kill in the middle of that
            // leaves an empty file and the SDK starts over with a new upload (see README.md).
            mock.rule(args("match", args("bucket", run.bucket(), "operation", "UploadPart"), "ingestRate", 1));
            awaitStableCheckpoint(run);
            first.process.destroyForcibly(); // SIGKILL
            first.process.waitFor(10, TimeUnit.SECONDS);
        } finally {
            mock.clearRules();
            first.close();
        }
        assertEquals(1, checkpointFiles(run).size(), "the checkpoint survives the kill");
        try (DriverProcess second = DriverProcess.start()) {
            String client = second.client(mock, null);
            resumeAndCheck(second, client, run, uploadId);
        }
    }

    /** Polls until the checkpoint file is non-empty and unchanged over three polls 100 ms apart. */
    void awaitStableCheckpoint(Run run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long last = -1;
        int same = 0;
        while (same < 3) {
            assertTrue(System.nanoTime() < deadline, "no stable checkpoint");
            Thread.sleep(100);
            List<String> files = checkpointFiles(run);
            long size = files.isEmpty() ? 0 : Files.size(run.checkpoints().resolve(files.get(0)));
            same = size > 0 && size == last ? same + 1 : 0;
            last = size;
        }
    }

    @Test
    void afterAnAbortTheResumeFailsNoSuchUploadAndKeepsTheCheckpoint(@TempDir Path dir) throws Exception {
        Run run = prepare(dir, "res-abort");
        try (DriverProcess driver = DriverProcess.start()) {
            String client = driver.client(mock, null);
            @SuppressWarnings("unchecked")
            CompletableFuture<JsonNode>[] call = new CompletableFuture[1];
            String uploadId;
            try {
                uploadId = startUntilThreeParts(driver, client, run, call);
                driver.ok("interrupt", args("client", client));
                DriverProcess.errorOf(call[0].get(30, TimeUnit.SECONDS), "resumableUpload");
            } finally {
                mock.clearRules();
            }
            driver.ok("abortMultipartUpload", args("client", client, "bucket", run.bucket(), "key", run.key(),
                    "uploadId", uploadId));
            long since = mock.lastSeq();
            // uploadFile trusts its checkpoint: it sends the missing parts to the dead upload ID, fails with the
            // server's NoSuchUpload, and leaves the checkpoint as it was (so every later resume fails the same way).
            JsonNode e = driver.err("resumableUpload", run.args(client));
            assertEquals("NoSuchUpload", e.get("code").asText(), e.toString());
            assertEquals(404, e.get("status").asInt());
            System.out.println("resume after abort: " + e);
            List<JsonNode> events = mock.events(since);
            assertEquals(0, events.stream().filter(ev -> ev.path("type").asText().equals("upload.initiated")).count());
            Map<String, Set<String>> ops = new HashMap<>();
            for (JsonNode ev : events) {
                if (ev.path("type").asText().equals("request.start")) {
                    ops.computeIfAbsent(ev.path("operation").asText(), k -> new HashSet<>())
                            .add(ev.path("uploadId").asText());
                }
            }
            assertEquals(Set.of(uploadId), ops.get("UploadPart"), "parts go to the aborted upload ID: " + ops);
            assertEquals(1, checkpointFiles(run).size(), "the checkpoint is kept");
            assertEquals("NoSuchUpload", driver.err("resumableUpload", run.args(client)).get("code").asText());

            // Only removing the checkpoint starts over, with a new upload ID.
            for (String f : checkpointFiles(run)) Files.delete(run.checkpoints().resolve(f));
            since = mock.lastSeq();
            driver.ok("resumableUpload", run.args(client));
            List<JsonNode> initiated = mock.events(since).stream()
                    .filter(ev -> ev.path("type").asText().equals("upload.initiated")).toList();
            assertEquals(1, initiated.size());
            assertNotEquals(uploadId, initiated.get(0).get("uploadId").asText());
            assertArrayEquals(run.content(), sdk.getObject(run.bucket(), run.key()).getObjectContent().readAllBytes());
        }
    }

    @Test
    void trafficLimitGoesOnEveryPart(@TempDir Path dir) throws Exception {
        Run run = prepare(dir, "res-limit");
        try (DriverProcess driver = DriverProcess.start()) {
            String client = driver.client(mock, null);
            long since = mock.lastSeq();
            ObjectNode a = run.args(client);
            // 100 MiB/s in bit/s: within OSS's accepted range, and fast enough here
            a.set("headers", args("x-oss-traffic-limit", String.valueOf(100L * 8 * 1024 * 1024)));
            driver.ok("resumableUpload", a);
            long parts = mock.events(since).stream()
                    .filter(ev -> ev.path("type").asText().equals("part.stored")).count();
            assertEquals(PARTS, parts);
            // an out-of-range limit is refused by the server on the parts: proof the header was sent
            a.set("headers", args("x-oss-traffic-limit", "1"));
            JsonNode e = driver.err("resumableUpload", a);
            assertEquals("InvalidArgument", e.get("code").asText(), e.toString());
        }
    }
}
