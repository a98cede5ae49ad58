package ossmock.driver;

import com.aliyun.oss.HttpMethod;
import com.aliyun.oss.OSS;
import com.aliyun.oss.common.utils.IOUtils;
import com.aliyun.oss.common.utils.VersionInfoUtils;
import com.aliyun.oss.event.ProgressEvent;
import com.aliyun.oss.event.ProgressEventType;
import com.aliyun.oss.event.ProgressListener;
import com.aliyun.oss.internal.OSSUtils;
import com.aliyun.oss.model.AbortMultipartUploadRequest;
import com.aliyun.oss.model.AppendObjectRequest;
import com.aliyun.oss.model.AppendObjectResult;
import com.aliyun.oss.model.CompleteMultipartUploadRequest;
import com.aliyun.oss.model.CompleteMultipartUploadResult;
import com.aliyun.oss.model.GeneratePresignedUrlRequest;
import com.aliyun.oss.model.GenericRequest;
import com.aliyun.oss.model.GetObjectRequest;
import com.aliyun.oss.model.InitiateMultipartUploadRequest;
import com.aliyun.oss.model.ListMultipartUploadsRequest;
import com.aliyun.oss.model.ListPartsRequest;
import com.aliyun.oss.model.MultipartUpload;
import com.aliyun.oss.model.MultipartUploadListing;
import com.aliyun.oss.model.OSSObject;
import com.aliyun.oss.model.ObjectMetadata;
import com.aliyun.oss.model.PartETag;
import com.aliyun.oss.model.PartListing;
import com.aliyun.oss.model.PartSummary;
import com.aliyun.oss.model.PutObjectRequest;
import com.aliyun.oss.model.PutObjectResult;
import com.aliyun.oss.model.UploadFileRequest;
import com.aliyun.oss.model.UploadFileResult;
import com.aliyun.oss.model.UploadPartRequest;
import com.aliyun.oss.model.UploadPartResult;
import com.aliyun.oss.model.WebServiceRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The protocol's operations on aliyun-sdk-oss (conformance/PROTOCOL.md; the Java-specific notes are in README.md). */
final class Driver {
    static final int PROTOCOL = 2;
    static final String NAME = "java-aliyun-sdk-oss";
    private static final String TRAFFIC_LIMIT = "x-oss-traffic-limit";
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    /**
     * What the SDK lets the driver express. Not here: `disable` (C++ DisableRequest semantics: the SDK cannot refuse
     * calls without sending them) and `cancel` (ali-oss semantics); the SDK's own way to stop calls is `interrupt`.
     */
    static final List<String> CAPABILITIES = capabilities();

    private static List<String> capabilities() {
        List<String> c = new ArrayList<>(List.of(
                "interrupt",
                "interrupt-resumable",
                "multipart",
                "append",
                "resumable",
                "progress",
                "presign",
                "signature-v1"));
        if (Compat.hasV4()) c.add("signature-v4");
        return List.copyOf(c);
    }

    private final Wire wire;
    private final Map<String, SdkClient> clients = new ConcurrentHashMap<>();
    private final AtomicInteger nextClient = new AtomicInteger(1);

    Driver(Wire wire) {
        this.wire = wire;
    }

    /** One request line in, exactly one response line out, whatever happens. */
    void handleLine(String line) {
        JsonNode m;
        try {
            m = Wire.JSON.readTree(line);
        } catch (IOException | RuntimeException e) {
            wire.log("warn", "ignored line (not JSON): " + abbreviate(line));
            return;
        }
        if (m == null || !m.isObject() || !m.path("id").isNumber()) {
            wire.log("warn", "ignored line (no numeric id): " + abbreviate(line));
            return;
        }
        long id = m.get("id").asLong();
        String op = m.path("op").asText("");
        JsonNode a = m.path("args");
        Args args = new Args(a.isObject() ? a : Wire.JSON.createObjectNode());
        Request req = new Request(id, op, args);
        ObjectNode response = Wire.JSON.createObjectNode();
        response.put("id", id);
        boolean exit = false;
        try {
            ObjectNode result = dispatch(req);
            response.put("ok", true);
            response.set("result", result);
            exit = op.equals("shutdown");
        } catch (Throwable t) {
            response.put("ok", false);
            SdkClient.Call c = req.call;
            response.set("error", Errors.toWire(t, c != null && c.interrupted));
        }
        wire.send(response);
        if (exit) {
            closeAll();
            System.exit(0);
        }
    }

    void closeAll() {
        for (SdkClient c : clients.values()) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // closing is best effort at exit
            }
        }
        clients.clear();
    }

    /** A request being handled; `call` is set once it runs on an SDK instance (to know if it was interrupted). */
    static final class Request {
        final long id;
        final String op;
        final Args args;
        volatile SdkClient.Call call;

        Request(long id, String op, Args args) {
            this.id = id;
            this.op = op;
            this.args = args;
        }
    }

    @FunctionalInterface
    interface SdkCall {
        ObjectNode run(OSS oss) throws Throwable;
    }

    /** Runs `body` on the client's current SDK instance, registered as in flight so `interrupt` can find it. */
    private ObjectNode onClient(Request req, SdkCall body) throws Throwable {
        SdkClient client = client(req.args);
        SdkClient.Call call = client.begin();
        req.call = call;
        try {
            return body.run(call.oss);
        } finally {
            client.end(call);
        }
    }

    private ObjectNode dispatch(Request req) throws Throwable {
        Args a = req.args;
        switch (req.op) {
            case "hello":
                return hello(a);
            case "createClient":
                return createClient(a);
            case "closeClient": {
                SdkClient c = clients.remove(a.str("client"));
                if (c != null) c.close();
                return obj();
            }
            case "interrupt": {
                client(a).interrupt();
                return obj();
            }
            case "shutdown":
                return obj();
            case "putObject":
                return onClient(req, oss -> putObject(oss, req));
            case "getObject":
                return onClient(req, oss -> getObject(oss, req));
            case "headObject":
                return onClient(req, oss -> {
                    ObjectMetadata meta = oss.getObjectMetadata(a.str("bucket"), a.str("key"));
                    ObjectNode r = obj();
                    r.put("etag", meta.getETag());
                    r.put("size", meta.getContentLength());
                    putCrc(r, meta.getServerCRC());
                    return r;
                });
            case "deleteObject":
                return onClient(req, oss -> {
                    oss.deleteObject(a.str("bucket"), a.str("key"));
                    return obj();
                });
            case "appendObject":
                return onClient(req, oss -> appendObject(oss, req));
            case "initiateMultipartUpload":
                return onClient(req, oss -> {
                    String uploadId = oss.initiateMultipartUpload(
                                    new InitiateMultipartUploadRequest(a.str("bucket"), a.str("key")))
                            .getUploadId();
                    return obj().put("uploadId", uploadId);
                });
            case "uploadPart":
                return onClient(req, oss -> uploadPart(oss, req));
            case "listParts":
                return onClient(req, oss -> listParts(oss, a));
            case "listMultipartUploads":
                return onClient(req, oss -> listMultipartUploads(oss, a));
            case "completeMultipartUpload":
                return onClient(req, oss -> completeMultipartUpload(oss, a));
            case "abortMultipartUpload":
                return onClient(req, oss -> {
                    oss.abortMultipartUpload(
                            new AbortMultipartUploadRequest(a.str("bucket"), a.str("key"), a.str("uploadId")));
                    return obj();
                });
            case "resumableUpload":
                return onClient(req, oss -> resumableUpload(oss, a));
            case "presignUrl":
                return presignUrl(a);
            case "disableRequests":
            case "enableRequests":
                throw new DriverError("NotSupported", "aliyun-sdk-oss has no DisableRequest/EnableRequest: it cannot"
                        + " refuse calls without sending them; it stops calls in flight with OSS.shutdown() (op"
                        + " interrupt)");
            case "cancel":
                throw new DriverError("NotSupported", "aliyun-sdk-oss has no cancel(); see op interrupt");
            default:
                throw new DriverError("NotSupported", "unknown op " + req.op);
        }
    }

    private ObjectNode hello(Args a) {
        int asked = a.has("protocol") ? a.integer("protocol") : 1;
        ObjectNode r = obj();
        r.put("name", NAME);
        // Answer in the suite's version when it is one this driver speaks (version 2 only adds fields and ops).
        r.put("protocol", asked == 1 ? 1 : PROTOCOL);
        ObjectNode sdk = r.putObject("sdk");
        sdk.put("name", "com.aliyun.oss:aliyun-sdk-oss");
        sdk.put("version", VersionInfoUtils.getVersion());
        r.put("language", "java " + System.getProperty("java.version"));
        ArrayNode caps = r.putArray("capabilities");
        CAPABILITIES.forEach(caps::add);
        return r;
    }

    private ObjectNode createClient(Args a) {
        String sig = a.optStr("signatureVersion");
        if (sig != null && !sig.equals("v1") && !sig.equals("v4")) {
            throw new DriverError("DriverProtocolError", "signatureVersion must be v1 or v4");
        }
        SdkClient.Spec spec = new SdkClient.Spec(
                a.str("endpoint"),
                a.str("accessKeyId"),
                a.str("accessKeySecret"),
                a.optStr("securityToken"),
                a.str("region"),
                sig == null ? "v1" : sig,
                a.has("retries") ? a.integer("retries") : null,
                a.has("connectTimeoutMs") ? a.integer("connectTimeoutMs") : null,
                a.has("clockOffsetMs") ? a.longValue("clockOffsetMs") : 0,
                a.has("correctClockSkew") && a.bool("correctClockSkew"));
        String id = String.valueOf(nextClient.getAndIncrement());
        clients.put(id, new SdkClient(spec));
        return obj().put("client", id);
    }

    private ObjectNode putObject(OSS oss, Request req) throws IOException {
        Args a = req.args;
        byte[] body = body(a.node("body"));
        ObjectMetadata meta = new ObjectMetadata();
        meta.setContentLength(body.length);
        PutObjectRequest r = new PutObjectRequest(a.str("bucket"), a.str("key"), new ByteArrayInputStream(body), meta);
        applyHeaders(r, a, "PutObject");
        progress(r, req);
        PutObjectResult res = oss.putObject(r);
        ObjectNode out = obj().put("etag", res.getETag());
        putCrc(out, res.getServerCRC());
        return out;
    }

    private ObjectNode getObject(OSS oss, Request req) throws IOException {
        Args a = req.args;
        GetObjectRequest r = new GetObjectRequest(a.str("bucket"), a.str("key"));
        boolean ranged = false;
        for (Map.Entry<String, String> h : headers(a).entrySet()) {
            String name = h.getKey().toLowerCase();
            if (name.equals("range")) {
                // The SDK's own Range, so that it knows not to check the whole object's CRC-64 on a slice.
                Matcher m = RANGE.matcher(h.getValue().trim());
                if (!m.matches()) throw new DriverError("DriverProtocolError", "unsupported Range " + h.getValue());
                long start = m.group(1).isEmpty() ? -1 : Long.parseLong(m.group(1));
                long end = m.group(2).isEmpty() ? -1 : Long.parseLong(m.group(2));
                r.setRange(start, end);
                ranged = true;
            } else if (name.equals(TRAFFIC_LIMIT)) {
                r.setTrafficLimit(trafficLimit(h.getValue()));
            } else {
                r.addHeader(h.getKey(), h.getValue());
            }
        }
        progress(r, req);
        try (OSSObject o = oss.getObject(r)) {
            InputStream content = o.getObjectContent();
            byte[] body = content.readAllBytes();
            // As OSSObjectOperation#getObject(GetObjectRequest, File) does after reading a whole object: the SDK's
            // CRC-64 of the bytes read against the server's x-oss-hash-crc64ecma (InconsistentException on mismatch).
            if (!ranged && oss instanceof com.aliyun.oss.OSSClient c && c.getClientConfiguration().isCrcCheckEnabled()) {
                OSSUtils.checkChecksum(IOUtils.getCRCValue(content), o.getServerCRC(), o.getRequestId());
            }
            ObjectNode out = obj().put("etag", o.getObjectMetadata().getETag());
            putCrc(out, o.getObjectMetadata().getServerCRC());
            out.putObject("body").put("base64", Base64.getEncoder().encodeToString(body));
            return out;
        }
    }

    private ObjectNode appendObject(OSS oss, Request req) throws IOException {
        Args a = req.args;
        byte[] body = body(a.node("body"));
        ObjectMetadata meta = new ObjectMetadata();
        meta.setContentLength(body.length);
        AppendObjectRequest r =
                new AppendObjectRequest(a.str("bucket"), a.str("key"), new ByteArrayInputStream(body), meta);
        long position = a.longValue("position");
        r.setPosition(position);
        // The SDK checks an append's CRC-64 only when told the CRC of what came before; for the first append that
        // is the empty object's, 0. Later appends would need the previous object's CRC, which the protocol does not
        // carry, so they go unchecked as in the SDK's default.
        if (position == 0) r.setInitCRC(0L);
        applyHeaders(r, a, "AppendObject");
        progress(r, req);
        AppendObjectResult res = oss.appendObject(r);
        ObjectNode out = obj().put("nextPosition", res.getNextPosition());
        if (res.getObjectCRC() != null) out.put("crc64", res.getObjectCRC());
        return out;
    }

    private ObjectNode uploadPart(OSS oss, Request req) throws IOException {
        Args a = req.args;
        byte[] body = body(a.node("body"));
        UploadPartRequest r = new UploadPartRequest(
                a.str("bucket"),
                a.str("key"),
                a.str("uploadId"),
                a.integer("partNumber"),
                new ByteArrayInputStream(body),
                body.length);
        applyHeaders(r, a, "UploadPart");
        progress(r, req);
        UploadPartResult res = oss.uploadPart(r);
        ObjectNode out = obj().put("etag", res.getETag());
        putCrc(out, res.getServerCRC());
        return out;
    }

    private ObjectNode listParts(OSS oss, Args a) {
        ListPartsRequest r = new ListPartsRequest(a.str("bucket"), a.str("key"), a.str("uploadId"));
        ObjectNode out = obj();
        ArrayNode parts = out.putArray("parts");
        while (true) {
            PartListing page = oss.listParts(r);
            for (PartSummary p : page.getParts()) {
                parts.addObject()
                        .put("partNumber", p.getPartNumber())
                        .put("etag", p.getETag())
                        .put("size", p.getSize());
            }
            if (!page.isTruncated() || page.getNextPartNumberMarker() == null) return out;
            r.setPartNumberMarker(page.getNextPartNumberMarker());
        }
    }

    private ObjectNode listMultipartUploads(OSS oss, Args a) {
        ListMultipartUploadsRequest r = new ListMultipartUploadsRequest(a.str("bucket"));
        String prefix = a.optStr("prefix");
        if (prefix != null) r.setPrefix(prefix);
        ObjectNode out = obj();
        ArrayNode uploads = out.putArray("uploads");
        while (true) {
            MultipartUploadListing page = oss.listMultipartUploads(r);
            for (MultipartUpload u : page.getMultipartUploads()) {
                uploads.addObject().put("key", u.getKey()).put("uploadId", u.getUploadId());
            }
            if (!page.isTruncated()) return out;
            r.setKeyMarker(page.getNextKeyMarker());
            r.setUploadIdMarker(page.getNextUploadIdMarker());
        }
    }

    private ObjectNode completeMultipartUpload(OSS oss, Args a) {
        List<PartETag> parts = new ArrayList<>();
        for (JsonNode p : a.node("parts")) {
            parts.add(new PartETag(p.path("partNumber").asInt(), p.path("etag").asText()));
        }
        CompleteMultipartUploadResult res = oss.completeMultipartUpload(
                new CompleteMultipartUploadRequest(a.str("bucket"), a.str("key"), a.str("uploadId"), parts));
        ObjectNode out = obj().put("etag", res.getETag());
        putCrc(out, res.getServerCRC());
        return out;
    }

    /**
     * The SDK's checkpointing uploader, OSS#uploadFile, with its checkpoint file in checkpointDir under a name made
     * from bucket, key and file only, so a fresh driver process finds it. The driver keeps nothing else: resuming
     * (same upload ID, only the missing parts) is the SDK's (aliyun-sdk-oss OSSUploadOperation#uploadFileWithCheckpoint).
     */
    private ObjectNode resumableUpload(OSS oss, Args a) throws Throwable {
        String bucket = a.str("bucket");
        String key = a.str("key");
        String file = a.str("file");
        UploadFileRequest r = new UploadFileRequest(bucket, key);
        r.setUploadFile(file);
        r.setPartSize(a.longValue("partSize"));
        r.setTaskNum(Math.max(1, a.integer("parallel")));
        r.setEnableCheckpoint(true);
        r.setCheckpointFile(checkpointFile(a.str("checkpointDir"), bucket, key, file).toString());
        for (Map.Entry<String, String> h : headers(a).entrySet()) {
            if (h.getKey().equalsIgnoreCase(TRAFFIC_LIMIT)) {
                // UploadFileRequest#setTrafficLimit puts x-oss-traffic-limit on every UploadPart.
                r.setTrafficLimit(trafficLimit(h.getValue()));
            } else {
                throw new DriverError("NotSupported", "uploadFile sends only x-oss-traffic-limit on every part; it"
                        + " has no way to add " + h.getKey() + " to its UploadPart requests");
            }
        }
        UploadFileResult res = oss.uploadFile(r);
        CompleteMultipartUploadResult done = res.getMultipartUploadResult();
        ObjectNode out = obj().put("etag", done.getETag());
        putCrc(out, done.getServerCRC());
        return out;
    }

    static Path checkpointFile(String dir, String bucket, String key, String file) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] d = sha.digest((bucket + "\n" + key + "\n" + file).getBytes(StandardCharsets.UTF_8));
            return Path.of(dir, "upload-" + HexFormat.of().formatHex(d, 0, 16) + ".ucp");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode presignUrl(Args a) {
        SdkClient client = client(a);
        String version = a.optStr("signatureVersion");
        String method = a.optStr("method");
        GeneratePresignedUrlRequest r = new GeneratePresignedUrlRequest(
                a.str("bucket"), a.str("key"), "PUT".equals(method) ? HttpMethod.PUT : HttpMethod.GET);
        r.setExpiration(new Date(System.currentTimeMillis() + a.longValue("expiresSeconds") * 1000));
        // The SDK presigns with its client's signature version; another version needs an instance configured so.
        OSS signer = client.presigner(version == null ? "v1" : version);
        return obj().put("url", signer.generatePresignedUrl(r).toString());
    }

    /** x-oss-traffic-limit through the SDK's own setTrafficLimit where the request has one; other headers as they are. */
    private static void applyHeaders(WebServiceRequest r, Args a, String what) {
        for (Map.Entry<String, String> h : headers(a).entrySet()) {
            if (h.getKey().equalsIgnoreCase(TRAFFIC_LIMIT)) {
                int limit = trafficLimit(h.getValue());
                if (r instanceof PutObjectRequest p) p.setTrafficLimit(limit);
                else if (r instanceof AppendObjectRequest p) p.setTrafficLimit(limit);
                else if (r instanceof UploadPartRequest p) p.setTrafficLimit(limit);
                else r.addHeader(h.getKey(), h.getValue());
            } else {
                r.addHeader(h.getKey(), h.getValue());
            }
        }
    }

    private static int trafficLimit(String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new DriverError("DriverProtocolError", "x-oss-traffic-limit must be an integer (bit/s): " + v);
        }
    }

    /** `progress: true`: the SDK's ProgressListener, as cumulative bytes of the body read to be sent (or received). */
    private void progress(WebServiceRequest r, Request req) {
        if (!req.args.has("progress") || !req.args.bool("progress")) return;
        r.setProgressListener(new ProgressListener() {
            private long bytes;

            @Override
            public void progressChanged(ProgressEvent e) {
                ProgressEventType t = e.getEventType();
                if (t == ProgressEventType.REQUEST_BYTE_TRANSFER_EVENT
                        || t == ProgressEventType.RESPONSE_BYTE_TRANSFER_EVENT) {
                    bytes += e.getBytes();
                    wire.progress(req.id, bytes);
                }
            }
        });
    }

    private static Map<String, String> headers(Args a) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        JsonNode h = a.node("headers");
        if (h == null || h.isNull() || h.isMissingNode()) return out;
        if (!h.isObject()) throw new DriverError("DriverProtocolError", "headers must be an object");
        for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static byte[] body(JsonNode b) throws IOException {
        if (b != null && b.isObject()) {
            if (b.path("base64").isTextual()) return Base64.getDecoder().decode(b.get("base64").asText());
            if (b.path("path").isTextual()) return Files.readAllBytes(Path.of(b.get("path").asText()));
        }
        throw new DriverError("DriverProtocolError", "argument body must be {base64} or {path}");
    }

    private static void putCrc(ObjectNode out, Long crc) {
        if (crc != null) out.put("crc64", Long.toUnsignedString(crc));
    }

    private SdkClient client(Args a) {
        String id = a.str("client");
        SdkClient c = clients.get(id);
        if (c == null) throw new DriverError("DriverProtocolError", "unknown client " + id);
        return c;
    }

    private static ObjectNode obj() {
        return Wire.JSON.createObjectNode();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** Typed access to a request's args; a missing or mistyped one is a DriverProtocolError. */
    static final class Args {
        private final JsonNode n;

        Args(JsonNode n) {
            this.n = n;
        }

        boolean has(String f) {
            return n.hasNonNull(f);
        }

        JsonNode node(String f) {
            return n.get(f);
        }

        String str(String f) {
            JsonNode v = n.get(f);
            if (v == null || !v.isTextual()) throw new DriverError("DriverProtocolError", "argument " + f + " must be a string");
            return v.asText();
        }

        String optStr(String f) {
            JsonNode v = n.get(f);
            return v == null || !v.isTextual() ? null : v.asText();
        }

        int integer(String f) {
            JsonNode v = n.get(f);
            if (v == null || !v.canConvertToInt()) throw new DriverError("DriverProtocolError", "argument " + f + " must be an integer");
            return v.asInt();
        }

        long longValue(String f) {
            JsonNode v = n.get(f);
            if (v == null || !v.isNumber()) throw new DriverError("DriverProtocolError", "argument " + f + " must be a number");
            return v.asLong();
        }

        boolean bool(String f) {
            JsonNode v = n.get(f);
            if (v == null || !v.isBoolean()) throw new DriverError("DriverProtocolError", "argument " + f + " must be a boolean");
            return v.asBoolean();
        }
    }
}
