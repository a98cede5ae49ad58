package ossmock.driver;

import com.aliyun.oss.ClientBuilderConfiguration;
import com.aliyun.oss.ClientConfiguration;
import com.aliyun.oss.OSS;
import com.aliyun.oss.OSSClientBuilder;
import com.aliyun.oss.common.auth.DefaultCredentialProvider;
import java.net.InetAddress;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One protocol client: the SDK's OSS instance plus what is needed to replace it after an {@code interrupt}.
 *
 * <p>Interruption. aliyun-sdk-oss 3.x has no per-call cancellation (no cancel token, no abort on the request
 * objects; ProgressEventType.TRANSFER_CANCELED_EVENT is declared but never published, and thread interruption does
 * not stop a blocking socket write). What stops calls in flight is {@link OSS#shutdown()}: it shuts down the HTTP
 * client's connection pool, and HttpClient 4.5's PoolingHttpClientConnectionManager#shutdown shuts down every leased
 * connection (SO_LINGER 0, so the server sees a reset), so every call in flight on that instance fails with a
 * ClientException, including the part uploads of uploadFile, which then fails and keeps its checkpoint. A shut-down
 * instance refuses every later call ("Connection pool shut down"), so {@link #interrupt()} builds a fresh instance
 * from the same settings first and calls started afterwards use it: the protocol client id stays valid.
 */
final class SdkClient {
    /** What createClient said; everything needed to build another OSS instance like the first. */
    record Spec(
            String endpoint,
            String accessKeyId,
            String accessKeySecret,
            String securityToken,
            String region,
            String signatureVersion,
            Integer retries,
            Integer connectTimeoutMs,
            long clockOffsetMs,
            boolean correctClockSkew) {}

    /** A call in flight on one OSS instance. */
    static final class Call {
        final OSS oss;
        volatile boolean interrupted;

        Call(OSS oss) {
            this.oss = oss;
        }
    }

    private final Spec spec;
    private final Object lock = new Object();
    private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, OSS> presigners = new ConcurrentHashMap<>();
    private OSS current;
    private boolean closed;

    SdkClient(Spec spec) {
        this.spec = spec;
        this.current = build(spec, spec.signatureVersion(), spec.clockOffsetMs());
    }

    Call begin() {
        synchronized (lock) {
            if (closed) throw new DriverError("DriverProtocolError", "the client was closed");
            Call c = new Call(current);
            inFlight.add(c);
            return c;
        }
    }

    void end(Call c) {
        inFlight.remove(c);
    }

    /**
     * Stops every call in flight with OSS#shutdown() after putting a fresh instance in place for later calls.
     * Returns how many calls were in flight.
     */
    int interrupt() {
        OSS old;
        int n = 0;
        synchronized (lock) {
            if (closed) throw new DriverError("DriverProtocolError", "the client was closed");
            old = current;
            // Keep the old instance's clock offset (the configured one, or what it learned from RequestTimeTooSkewed).
            current = build(spec, spec.signatureVersion(), tickOffsetOf(old));
            for (Call c : inFlight) {
                if (c.oss == old) {
                    c.interrupted = true;
                    n++;
                }
            }
        }
        old.shutdown();
        return n;
    }

    /** An OSS instance that only signs URLs locally with the given version (the SDK presigns as its client signs). */
    OSS presigner(String signatureVersion) {
        if (signatureVersion.equals(spec.signatureVersion())) {
            synchronized (lock) {
                return current;
            }
        }
        return presigners.computeIfAbsent(signatureVersion, v -> build(spec, v, spec.clockOffsetMs()));
    }

    void close() {
        OSS last;
        synchronized (lock) {
            closed = true;
            last = current;
        }
        last.shutdown();
        presigners.values().forEach(OSS::shutdown);
    }

    private static long tickOffsetOf(OSS oss) {
        ClientConfiguration c = ((com.aliyun.oss.OSSClient) oss).getClientConfiguration();
        return c.getTickOffset();
    }

    private static OSS build(Spec s, String signatureVersion, long tickOffsetMs) {
        ClientBuilderConfiguration conf = new ClientBuilderConfiguration();
        if (s.retries() != null) conf.setMaxErrorRetry(s.retries());
        if (s.connectTimeoutMs() != null) conf.setConnectionTimeout(s.connectTimeoutMs());
        // An IP or localhost endpoint has no bucket subdomains: address path-style (the SDK's "second-level domain"
        // mode). Without it the SDK takes a non-aliyuncs.com host for a CNAME and drops the bucket from the URL.
        if (isIpOrLocalhost(s.endpoint())) conf.setSLDEnabled(true);
        // Every response is logged with its status, which OSSException lacks (see SdkLog).
        conf.setSlowRequestsThreshold(-1);
        if ("v4".equals(signatureVersion)) {
            if (!Compat.hasV4()) throw new DriverError("NotSupported", "this SDK version cannot sign V4");
            conf.setSignatureVersion(Compat.V4);
        }
        if (s.correctClockSkew()) Compat.enableClockSkewCorrection(conf);
        // setTickOffset takes the time the SDK should believe it is now.
        if (tickOffsetMs != 0) conf.setTickOffset(System.currentTimeMillis() + tickOffsetMs);
        DefaultCredentialProvider creds =
                s.securityToken() == null
                        ? new DefaultCredentialProvider(s.accessKeyId(), s.accessKeySecret())
                        : new DefaultCredentialProvider(s.accessKeyId(), s.accessKeySecret(), s.securityToken());
        // What OSSClientBuilder.create()...build() does in the SDK versions that have it.
        OSS oss = new OSSClientBuilder().build(s.endpoint(), creds, conf);
        Compat.setRegion(oss, s.region());
        return oss;
    }

    static boolean isIpOrLocalhost(String endpoint) {
        String host;
        try {
            host = URI.create(endpoint.contains("://") ? endpoint : "http://" + endpoint).getHost();
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (host == null) return false;
        if (host.equalsIgnoreCase("localhost")) return true;
        if (host.startsWith("[")) return true;
        if (!host.matches("[0-9.]+")) return false;
        try {
            return InetAddress.getByName(host) != null;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
