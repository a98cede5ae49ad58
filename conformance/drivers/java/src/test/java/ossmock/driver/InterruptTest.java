package ossmock.driver;

import static ossmock.driver.Fixtures.args;
import static ossmock.driver.Fixtures.bytes;
import static ossmock.driver.Fixtures.inline;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.oss.OSS;
import com.aliyun.oss.model.ObjectMetadata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The `interrupt` op: OSS.shutdown() on the client's SDK instance stops every call in flight (a fresh instance
 * serves later calls). Uploads are slowed by a mock rule and interrupted once the server holds 64 KiB of each.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InterruptTest {
    static final int N = 4;
    static final int BODY = 4 * 1024 * 1024;

    MockServer mock;
    OSS sdk;
    DriverProcess driver;

    @BeforeAll
    void start() throws Exception {
        mock = MockServer.start();
        sdk = mock.sdk();
        driver = DriverProcess.start();
        driver.ok("hello", args("protocol", 2));
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) driver.close();
        if (sdk != null) sdk.shutdown();
        if (mock != null) mock.close();
    }

    String bucket(String what) {
        String b = Fixtures.bucketName(what);
        sdk.createBucket(b);
        return b;
    }

    /**
     * Starts N uploads of `operation` slowed to 256 KiB/s, waits until the server has 64 KiB of each, interrupts the
     * client, and returns the N errors (each must be an interrupted failure).
     */
    List<JsonNode> interruptUploads(String client, String bucket, String operation, IntFunction<ObjectNode> call)
            throws Exception {
        mock.rule(args("match", args("bucket", bucket, "operation", operation), "ingestRate", 262144));
        long since = mock.lastSeq();
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        try {
            String op = Character.toLowerCase(operation.charAt(0)) + operation.substring(1);
            for (int i = 0; i < N; i++) calls.add(driver.send(op, call.apply(i)));
            mock.waitForBytes(args("bucket", bucket, "operation", operation), 64 * 1024, N);
            driver.ok("interrupt", args("client", client));
            List<JsonNode> errors = new ArrayList<>();
            for (CompletableFuture<JsonNode> c : calls) {
                JsonNode e = DriverProcess.errorOf(c.get(30, TimeUnit.SECONDS), operation);
                assertTrue(e.path("interrupted").asBoolean(), e.toString());
                assertTrue(e.get("code").asText().startsWith("ClientException:"), e.toString());
                assertEquals(0, e.get("status").asInt(), e.toString());
                assertTrue(e.get("sdkError").asText().startsWith("com.aliyun.oss.ClientException: "), e.toString());
                errors.add(e);
            }
            System.out.println(operation + " interrupted: " + errors.get(0));
            // The server saw N bodies end early.
            mock.awaitEvents(since, e -> e.path("type").asText().equals("body.aborted")
                    && e.path("operation").asText().equals(operation), N);
            return errors;
        } finally {
            mock.clearRules();
        }
    }

    @Test
    void interruptStopsConcurrentPutObjectsNothingIsCommittedAndTheClientWorksAfter(@TempDir Path dir)
            throws Exception {
        String b = bucket("int-put");
        String c = driver.client(mock, null);
        String other = driver.client(mock, null);
        Path[] files = new Path[N];
        for (int i = 0; i < N; i++) {
            files[i] = dir.resolve("body-" + i);
            Files.write(files[i], bytes(BODY, i));
        }
        // a call on another client is not touched by the interrupt
        mock.rule(args("match", args("bucket", b, "keyPrefix", "other"), "ingestRate", 1024 * 1024));
        CompletableFuture<JsonNode> untouched = driver.send("putObject", args("client", other, "bucket", b,
                "key", "other", "body", inline(bytes(512 * 1024, 9))));
        interruptUploads(c, b, "PutObject", i -> args("client", c, "bucket", b, "key", "int-" + i,
                "body", args("path", files[i].toString())));
        for (int i = 0; i < N; i++) {
            JsonNode head = driver.err("headObject", args("client", c, "bucket", b, "key", "int-" + i));
            assertEquals("NoSuchKey", head.get("code").asText(), "nothing committed");
        }
        assertTrue(untouched.get(30, TimeUnit.SECONDS).get("ok").asBoolean(), "the other client's upload completed");
        byte[] body = bytes(64 * 1024, 99);
        driver.ok("putObject", args("client", c, "bucket", b, "key", "int-0", "body", inline(body)));
        assertArrayEquals(body, sdk.getObject(b, "int-0").getObjectContent().readAllBytes());
    }

    @Test
    void interruptWithRetriesOffFailsWithTheTransportErrorItself() throws Exception {
        String b = bucket("int-noretry");
        String c = driver.client(mock, args("retries", 0));
        List<JsonNode> errors = interruptUploads(c, b, "PutObject", i -> args("client", c, "bucket", b,
                "key", "int-" + i, "body", inline(bytes(2 * 1024 * 1024, i))));
        // SocketException while the body is still being written; once the kernel has taken the whole body the SDK
        // is waiting for the answer and HttpClient's NoHttpResponseException, which the SDK calls ConnectionTimeout.
        for (JsonNode e : errors) {
            assertTrue(Set.of("ClientException:SocketException", "ClientException:ConnectionTimeout")
                    .contains(e.get("code").asText()), e.toString());
        }
    }

    @Test
    void interruptStopsUploadPartsTheUploadStaysUsable() throws Exception {
        String b = bucket("int-part");
        String c = driver.client(mock, null);
        String uploadId = driver.ok("initiateMultipartUpload", args("client", c, "bucket", b, "key", "mpu"))
                .get("uploadId").asText();
        interruptUploads(c, b, "UploadPart", i -> args("client", c, "bucket", b, "key", "mpu", "uploadId", uploadId,
                "partNumber", i + 1, "body", inline(bytes(2 * 1024 * 1024, i))));
        JsonNode parts = driver.ok("listParts", args("client", c, "bucket", b, "key", "mpu", "uploadId", uploadId));
        assertEquals(0, parts.get("parts").size(), "no interrupted part is listed");
        driver.ok("uploadPart", args("client", c, "bucket", b, "key", "mpu", "uploadId", uploadId, "partNumber", 1,
                "body", inline(bytes(128 * 1024, 5))));
        assertEquals(1, driver.ok("listParts", args("client", c, "bucket", b, "key", "mpu", "uploadId", uploadId))
                .get("parts").size());
    }

    @Test
    void interruptStopsAppendsTheObjectsKeepTheirLength() throws Exception {
        String b = bucket("int-append");
        String c = driver.client(mock, null);
        byte[] head = bytes(16 * 1024, 50);
        for (int i = 0; i < N; i++) {
            driver.ok("appendObject", args("client", c, "bucket", b, "key", "app-" + i, "position", 0,
                    "body", inline(head)));
        }
        interruptUploads(c, b, "AppendObject", i -> args("client", c, "bucket", b, "key", "app-" + i,
                "position", head.length, "body", inline(bytes(2 * 1024 * 1024, i))));
        for (int i = 0; i < N; i++) {
            assertArrayEquals(head, sdk.getObject(b, "app-" + i).getObjectContent().readAllBytes());
        }
        JsonNode next = driver.ok("appendObject", args("client", c, "bucket", b, "key", "app-0",
                "position", head.length, "body", inline(bytes(100, 1))));
        assertEquals(head.length + 100, next.get("nextPosition").asLong());
    }

    @Test
    void interruptStopsDownloads() throws Exception {
        String b = bucket("int-get");
        String c = driver.client(mock, null);
        byte[] body = bytes(4 * 1024 * 1024, 77);
        for (int i = 0; i < N; i++) {
            ObjectMetadata m = new ObjectMetadata();
            m.setContentLength(body.length);
            sdk.putObject(b, "get-" + i, new ByteArrayInputStream(body), m);
        }
        mock.rule(args("match", args("bucket", b, "operation", "GetObject"), "egressRate", 262144));
        try {
            List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                calls.add(driver.send("getObject", args("client", c, "bucket", b, "key", "get-" + i,
                        "progress", true)));
                ids.add(driver.lastId());
            }
            // every download has received 64 KiB (the SDK's response progress events)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!ids.stream().allMatch(id -> driver.events.stream().anyMatch(e -> e.path("id").asLong() == id
                    && e.path("bytes").asLong() >= 64 * 1024))) {
                assertTrue(System.nanoTime() < deadline, "downloads did not start");
                Thread.sleep(20);
            }
            driver.ok("interrupt", args("client", c));
            for (CompletableFuture<JsonNode> call : calls) {
                JsonNode e = DriverProcess.errorOf(call.get(30, TimeUnit.SECONDS), "GetObject");
                assertTrue(e.path("interrupted").asBoolean(), e.toString());
                System.out.println("GetObject interrupted: " + e);
            }
        } finally {
            mock.clearRules();
        }
        JsonNode again = driver.ok("getObject", args("client", c, "bucket", b, "key", "get-0"));
        assertEquals(body.length, java.util.Base64.getDecoder().decode(again.at("/body/base64").asText()).length);
    }

    @Test
    void callsThatFailWithoutAnInterruptAreNotMarkedInterrupted() throws Exception {
        String b = bucket("int-none");
        String c = driver.client(mock, null);
        driver.ok("interrupt", args("client", c));
        JsonNode e = driver.err("getObject", args("client", c, "bucket", b, "key", "missing"));
        assertFalse(e.has("interrupted"), e.toString());
    }
}
