package ossmock.driver;

import static ossmock.driver.Fixtures.args;
import static ossmock.driver.Fixtures.bytes;
import static ossmock.driver.Fixtures.inline;
import static ossmock.driver.Fixtures.md5Hex;
import static ossmock.driver.Fixtures.unquote;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.oss.OSS;
import com.aliyun.oss.common.utils.CRC64;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Every op of the protocol through a driver process against a real oss-mock. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocolTest {
    MockServer mock;
    OSS sdk;
    DriverProcess driver;
    String client;
    /** the signature versions the loaded SDK can use (V4 from 3.15/3.17 on, depending on the release) */
    List<String> signatures = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        mock = MockServer.start();
        sdk = mock.sdk();
        driver = DriverProcess.start();
        JsonNode hello = driver.ok("hello", args("protocol", 2));
        assertEquals(2, hello.get("protocol").asInt());
        signatures.add("v1");
        hello.get("capabilities").forEach(c -> {
            if (c.asText().equals("signature-v4")) signatures.add("v4");
        });
        client = driver.client(mock, null);
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

    @Test
    void helloNamesTheLoadedSdkAndAnswersInTheSuitesVersion() throws Exception {
        JsonNode v2 = driver.ok("hello", args("protocol", 2));
        assertEquals("java-aliyun-sdk-oss", v2.get("name").asText());
        assertEquals("com.aliyun.oss:aliyun-sdk-oss", v2.at("/sdk/name").asText());
        assertEquals(System.getProperty("oss.sdk.version", "3.18.5"), v2.at("/sdk/version").asText());
        assertTrue(v2.get("language").asText().startsWith("java "));
        List<String> caps = new ArrayList<>();
        v2.get("capabilities").forEach(c -> caps.add(c.asText()));
        assertTrue(caps.containsAll(List.of("interrupt", "interrupt-resumable", "multipart", "append", "resumable",
                "progress", "presign", "signature-v1")), caps.toString());
        if (System.getProperty("oss.sdk.version") == null) assertTrue(caps.contains("signature-v4"), caps.toString());
        assertFalse(caps.contains("disable") || caps.contains("cancel"), caps.toString());
        assertEquals(1, driver.ok("hello", args("protocol", 1)).get("protocol").asInt());
    }

    @Test
    void putGetHeadDeleteWithEtagsAndCrc64() throws Exception {
        String b = bucket("object");
        for (String sig : signatures) {
            String c = driver.client(mock, args("signatureVersion", sig));
            byte[] body = bytes(100_000, 1);
            String key = "k-" + sig;
            JsonNode put = driver.ok("putObject", args("client", c, "bucket", b, "key", key, "body", inline(body)));
            assertEquals(md5Hex(body), unquote(put.get("etag").asText()));
            CRC64 crc = new CRC64();
            crc.update(body, body.length);
            assertEquals(Long.toUnsignedString(crc.getValue()), put.get("crc64").asText());

            JsonNode get = driver.ok("getObject", args("client", c, "bucket", b, "key", key));
            assertArrayEquals(body, Base64.getDecoder().decode(get.at("/body/base64").asText()));
            assertEquals(put.get("crc64").asText(), get.get("crc64").asText());

            JsonNode range = driver.ok("getObject", args("client", c, "bucket", b, "key", key,
                    "headers", args("Range", "bytes=10-19")));
            byte[] slice = Base64.getDecoder().decode(range.at("/body/base64").asText());
            assertArrayEquals(java.util.Arrays.copyOfRange(body, 10, 20), slice);

            JsonNode head = driver.ok("headObject", args("client", c, "bucket", b, "key", key));
            assertEquals(body.length, head.get("size").asLong());
            assertEquals(unquote(put.get("etag").asText()), unquote(head.get("etag").asText()));

            driver.ok("deleteObject", args("client", c, "bucket", b, "key", key));
            JsonNode gone = driver.err("headObject", args("client", c, "bucket", b, "key", key));
            assertEquals("NoSuchKey", gone.get("code").asText());
            assertEquals(404, gone.get("status").asInt());
        }
    }

    @Test
    void bodiesFromFilesAndProgressEvents(@TempDir Path dir) throws Exception {
        String b = bucket("file");
        byte[] body = bytes(300_000, 2);
        Path f = dir.resolve("body.bin");
        Files.write(f, body);
        JsonNode r = driver.send("putObject", args("client", client, "bucket", b, "key", "from-file",
                "body", args("path", f.toString()), "progress", true)).get(30, TimeUnit.SECONDS);
        assertTrue(r.get("ok").asBoolean(), r.toString());
        long id = r.get("id").asLong();
        long last = driver.events.stream()
                .filter(e -> e.path("event").asText().equals("progress") && e.path("id").asLong() == id)
                .mapToLong(e -> e.get("bytes").asLong())
                .max()
                .orElse(-1);
        assertEquals(body.length, last, "progress reaches the body size");
        assertArrayEquals(body, sdk.getObject(b, "from-file").getObjectContent().readAllBytes());
    }

    @Test
    void appendReportsNextPositionAndWholeObjectCrc() throws Exception {
        String b = bucket("append");
        byte[] first = bytes(5000, 3);
        byte[] second = bytes(7000, 4);
        JsonNode r1 = driver.ok("appendObject", args("client", client, "bucket", b, "key", "a", "position", 0,
                "body", inline(first)));
        assertEquals(first.length, r1.get("nextPosition").asLong());
        JsonNode r2 = driver.ok("appendObject", args("client", client, "bucket", b, "key", "a",
                "position", first.length, "body", inline(second)));
        assertEquals(first.length + second.length, r2.get("nextPosition").asLong());
        CRC64 crc = new CRC64();
        crc.update(first, first.length);
        crc.update(second, second.length);
        assertEquals(Long.toUnsignedString(crc.getValue()), r2.get("crc64").asText());
        JsonNode wrong = driver.err("appendObject", args("client", client, "bucket", b, "key", "a", "position", 1,
                "body", inline(first)));
        assertEquals("PositionNotEqualToLength", wrong.get("code").asText());
        assertEquals(409, wrong.get("status").asInt());
    }

    @Test
    void multipartUploadListCompleteAndNoSuchUploadAfterAbort() throws Exception {
        String b = bucket("mpu");
        String uploadId = driver.ok("initiateMultipartUpload", args("client", client, "bucket", b, "key", "m"))
                .get("uploadId").asText();
        byte[] p1 = bytes(150 * 1024, 5);
        byte[] p2 = bytes(10_000, 6);
        JsonNode e1 = driver.ok("uploadPart", args("client", client, "bucket", b, "key", "m", "uploadId", uploadId,
                "partNumber", 1, "body", inline(p1)));
        JsonNode e2 = driver.ok("uploadPart", args("client", client, "bucket", b, "key", "m", "uploadId", uploadId,
                "partNumber", 2, "body", inline(p2)));
        assertEquals(md5Hex(p1), unquote(e1.get("etag").asText()));

        JsonNode parts = driver.ok("listParts", args("client", client, "bucket", b, "key", "m", "uploadId", uploadId))
                .get("parts");
        assertEquals(2, parts.size());
        assertEquals(p1.length, parts.get(0).get("size").asLong());
        JsonNode uploads = driver.ok("listMultipartUploads", args("client", client, "bucket", b, "prefix", "m"))
                .get("uploads");
        assertEquals(uploadId, uploads.get(0).get("uploadId").asText());

        ArrayNode list = MockServer.JSON.createArrayNode();
        list.add(args("partNumber", 1, "etag", e1.get("etag").asText()));
        list.add(args("partNumber", 2, "etag", e2.get("etag").asText()));
        JsonNode done = driver.ok("completeMultipartUpload", args("client", client, "bucket", b, "key", "m",
                "uploadId", uploadId, "parts", list));
        assertTrue(unquote(done.get("etag").asText()).endsWith("-2"), done.toString());
        CRC64 crc = new CRC64();
        crc.update(p1, p1.length);
        crc.update(p2, p2.length);
        assertEquals(Long.toUnsignedString(crc.getValue()), done.get("crc64").asText());

        String second = driver.ok("initiateMultipartUpload", args("client", client, "bucket", b, "key", "m2"))
                .get("uploadId").asText();
        driver.ok("abortMultipartUpload", args("client", client, "bucket", b, "key", "m2", "uploadId", second));
        JsonNode gone = driver.err("listParts", args("client", client, "bucket", b, "key", "m2", "uploadId", second));
        assertEquals("NoSuchUpload", gone.get("code").asText());
        assertEquals(404, gone.get("status").asInt());
        assertNotNull(gone.get("requestId"));
        assertTrue(gone.get("sdkError").asText().startsWith("com.aliyun.oss.OSSException: "), gone.toString());
    }

    @Test
    void errorsCarryCodeStatusRequestIdAndTheSdksView() throws Exception {
        String b = bucket("errors");
        JsonNode missing = driver.err("getObject", args("client", client, "bucket", b, "key", "nope"));
        assertEquals("NoSuchKey", missing.get("code").asText());
        assertEquals(404, missing.get("status").asInt());
        assertTrue(missing.get("requestId").asText().matches("[0-9A-F]{24}"), missing.toString());
        assertTrue(missing.get("sdkError").asText().contains("HTTP 404 (as the SDK logged the response)"),
                missing.toString());
        for (String sig : signatures) {
            String wrong = driver.client(mock, args("signatureVersion", sig, "accessKeySecret", "wrong-secret"));
            JsonNode e = driver.err("getObject", args("client", wrong, "bucket", b, "key", "nope"));
            assertEquals("SignatureDoesNotMatch", e.get("code").asText(), sig);
            assertEquals(403, e.get("status").asInt(), sig);
        }
        // A status the code alone would not give: it comes from the response the SDK saw.
        mock.rule(args("match", args("bucket", b, "operation", "GetObject"),
                "fault", args("type", "error", "status", 503, "code", "NoSuchKey"), "times", 1));
        String noRetry = driver.client(mock, args("retries", 0));
        JsonNode odd = driver.err("getObject", args("client", noRetry, "bucket", b, "key", "nope"));
        assertEquals(503, odd.get("status").asInt(), odd.toString());
    }

    @Test
    void retriesFollowTheSdkSettingAndDefault() throws Exception {
        String b = bucket("retries");
        sdk.putObject(b, "k", new java.io.ByteArrayInputStream(bytes(10, 7)));
        String none = driver.client(mock, args("retries", 0));
        mock.rule(args("match", args("bucket", b, "operation", "GetObject"),
                "fault", args("type", "error", "status", 503, "code", "ServiceUnavailable"), "times", 1));
        long since = mock.lastSeq();
        JsonNode e = driver.err("getObject", args("client", none, "bucket", b, "key", "k"));
        assertEquals("ServiceUnavailable", e.get("code").asText());
        assertEquals(1, countGets(since, b));
        // The SDK's default (3 retries) retries a 503.
        mock.rule(args("match", args("bucket", b, "operation", "GetObject"),
                "fault", args("type", "error", "status", 503, "code", "ServiceUnavailable"), "times", 1));
        since = mock.lastSeq();
        driver.ok("getObject", args("client", client, "bucket", b, "key", "k"));
        assertEquals(2, countGets(since, b), mock.events(since).toString());
    }

    @Test
    void aConnectionResetMidBodyIsRetriedByDefaultAndFailsWithRetriesOff() throws Exception {
        String b = bucket("reset");
        byte[] body = bytes(1024 * 1024, 12);
        for (boolean retry : List.of(true, false)) {
            String c = retry ? client : driver.client(mock, args("retries", 0));
            String key = retry ? "retried" : "not-retried";
            mock.rule(args("match", args("bucket", b, "keyPrefix", key, "operation", "PutObject"),
                    "fault", args("type", "reset", "afterBytes", 65536), "times", 1));
            long since = mock.lastSeq();
            JsonNode r = driver.send("putObject", args("client", c, "bucket", b, "key", key, "body", inline(body)))
                    .get(30, TimeUnit.SECONDS);
            long attempts = mock.events(since).stream()
                    .filter(e -> e.path("type").asText().equals("request.start")).count();
            if (retry) {
                // The SDK retries a SocketException with the same body: the reset is invisible to the caller.
                assertTrue(r.get("ok").asBoolean(), r.toString());
                assertEquals(2, attempts);
            } else {
                JsonNode e = DriverProcess.errorOf(r, "PutObject");
                assertTrue(e.get("code").asText().startsWith("ClientException:"), e.toString());
                assertFalse(e.has("interrupted"), e.toString());
                assertEquals(1, attempts);
                assertEquals(404, driver.err("headObject", args("client", c, "bucket", b, "key", key))
                        .get("status").asInt());
            }
        }
    }

    private long countGets(long since, String bucket) throws Exception {
        return mock.events(since).stream()
                .filter(ev -> ev.path("type").asText().equals("request.start")
                        && ev.path("operation").asText().equals("GetObject")
                        && ev.path("bucket").asText().equals(bucket))
                .count();
    }

    @Test
    void clockSkewIsRefusedAndTheSdkCorrectsItOnlyWhenAskedAndOnlyForLaterCalls() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Compat.hasClockSkewCorrection(),
                "this SDK version has no setEnableAutoCorrectClockSkew");
        String b = bucket("skew");
        sdk.putObject(b, "k", new java.io.ByteArrayInputStream(bytes(10, 8)));
        long twentyMinutes = 20 * 60 * 1000L;
        String skewed = driver.client(mock, args("clockOffsetMs", -twentyMinutes));
        for (int i = 0; i < 2; i++) {
            JsonNode e = driver.err("headObject", args("client", skewed, "bucket", b, "key", "k"));
            assertEquals(403, e.get("status").asInt(), e.toString());
        }
        JsonNode getErr = driver.err("getObject", args("client", skewed, "bucket", b, "key", "k"));
        assertEquals("RequestTimeTooSkewed", getErr.get("code").asText());
        String correcting = driver.client(mock, args("clockOffsetMs", -twentyMinutes, "correctClockSkew", true));
        JsonNode first = driver.err("getObject", args("client", correcting, "bucket", b, "key", "k"));
        assertEquals("RequestTimeTooSkewed", first.get("code").asText(), "the failing call is not retried");
        driver.ok("getObject", args("client", correcting, "bucket", b, "key", "k"));
    }

    @Test
    void presignedUrlsV1AndV4AreServed() throws Exception {
        String b = bucket("presign");
        byte[] body = bytes(6000, 9);
        sdk.putObject(b, "p", new java.io.ByteArrayInputStream(body));
        HttpClient http = HttpClient.newHttpClient();
        for (String sig : signatures) {
            String url = driver.ok("presignUrl", args("client", client, "bucket", b, "key", "p", "method", "GET",
                    "expiresSeconds", 300, "signatureVersion", sig)).get("url").asText();
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), sig + " " + url + " " + new String(r.body()));
            assertArrayEquals(body, r.body());

            String putUrl = driver.ok("presignUrl", args("client", client, "bucket", b, "key", "put-" + sig,
                    "method", "PUT", "expiresSeconds", 300, "signatureVersion", sig)).get("url").asText();
            HttpResponse<String> p = http.send(HttpRequest.newBuilder(URI.create(putUrl))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, p.statusCode(), sig + " PUT " + putUrl + " " + p.body());
        }
    }

    @Test
    void securityTokenIsSentAsTheSdkDoes() throws Exception {
        String b = bucket("sts");
        // a credential minted by the mock, so its key id, secret and token belong together as one from RAM would
        JsonNode minted = mock.control("POST", "/sts", args());
        String token = minted.get("securityToken").asText();
        String sts = driver.client(mock, args("accessKeyId", minted.get("accessKeyId").asText(),
                "accessKeySecret", minted.get("accessKeySecret").asText(), "securityToken", token));
        driver.ok("putObject", args("client", sts, "bucket", b, "key", "t", "body", inline(bytes(10, 10))));
        String url = driver.ok("presignUrl", args("client", sts, "bucket", b, "key", "t", "method", "GET",
                "expiresSeconds", 60, "signatureVersion", "v1")).get("url").asText();
        assertTrue(url.contains("security-token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)), url);
        HttpResponse<byte[]> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, get.statusCode(), url);
    }

    @Test
    void badInputIsAnsweredNeverFatal() throws Exception {
        driver.sendRaw("this is not json");
        driver.sendRaw("{\"op\":\"hello\"}");
        JsonNode unknown = driver.err("frobnicate", args("client", client));
        assertEquals("NotSupported", unknown.get("code").asText());
        JsonNode noClient = driver.err("putObject", args("client", "999", "bucket", "b", "key", "k",
                "body", inline(bytes(1, 1))));
        assertEquals("DriverProtocolError", noClient.get("code").asText());
        JsonNode noBody = driver.err("putObject", args("client", client, "bucket", "b", "key", "k"));
        assertEquals("DriverProtocolError", noBody.get("code").asText());
        JsonNode disable = driver.err("disableRequests", args("client", client));
        assertEquals("NotSupported", disable.get("code").asText());
        JsonNode badBucket = driver.err("putObject", args("client", client, "bucket", "Bad_Bucket", "key", "k",
                "body", inline(bytes(1, 1))));
        assertEquals(0, badBucket.get("status").asInt(), badBucket.toString());
        assertTrue(driver.events.stream().anyMatch(e -> e.path("message").asText().contains("not JSON")));
        driver.ok("hello", args("protocol", 2));
    }

    @Test
    void aCallSentAfterAThrottledUploadIsAnsweredWhileTheUploadRuns() throws Exception {
        String b = bucket("concurrent");
        // 1 MiB at 64 KiB/s: the upload stays in flight until the rule is lifted
        mock.rule(args("match", args("bucket", b, "operation", "PutObject"), "ingestRate", 65536));
        CompletableFuture<JsonNode> slow;
        try {
            slow = driver.send("putObject", args("client", client, "bucket", b, "key", "slow",
                    "body", inline(bytes(1024 * 1024, 11))));
            mock.waitForBytes(args("bucket", b, "operation", "PutObject"), 64 * 1024, 1);
            JsonNode head = driver.err("headObject", args("client", client, "bucket", b, "key", "missing"));
            assertEquals("NoSuchKey", head.get("code").asText());
            assertFalse(slow.isDone(), "the upload is still running");
        } finally {
            mock.clearRules();
        }
        assertTrue(slow.get(30, TimeUnit.SECONDS).get("ok").asBoolean());
    }
}
