package ossmock.driver;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.logging.Log;

/**
 * The SDK's own logging (it logs through commons-logging as "com.aliyun.oss"; its HTTP client as "org.apache.http"),
 * turned into protocol {@code log} events instead of text on stdout/stderr.
 *
 * <p>It is also where the driver learns the HTTP status of a failed call: the SDK's OSSException carries the OSS
 * code, request ID and EC but not the status. ServiceClient logs "... statusCode N, requestId R." for every response
 * slower than ClientConfiguration#getSlowRequestsThreshold (aliyun-sdk-oss src/main/java/com/aliyun/oss/common/comm/
 * ServiceClient.java, formatSlowRequestLog); the driver sets that threshold to -1 so every response is logged, and
 * keeps the status by request ID here (those lines are not forwarded: the driver asked for them).
 */
public final class SdkLog implements Log {
    private static final Pattern RESPONSE = Pattern.compile("statusCode (\\d+), requestId (\\S+?)\\.?$");
    private static final int KEEP = 4096;
    private static final Map<String, Integer> STATUS_BY_REQUEST_ID = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > KEEP;
        }
    };
    private static volatile Wire wire;

    private final String name;

    public SdkLog(String name) {
        this.name = name;
    }

    static void install() {
        System.setProperty("org.apache.commons.logging.Log", SdkLog.class.getName());
    }

    static void attach(Wire w) {
        wire = w;
    }

    /** The HTTP status the SDK saw for the response with this request ID, or null if it was not logged. */
    static Integer statusOf(String requestId) {
        if (requestId == null) return null;
        synchronized (STATUS_BY_REQUEST_ID) {
            return STATUS_BY_REQUEST_ID.get(requestId);
        }
    }

    private void emit(String level, Object message, Throwable t) {
        String text = String.valueOf(message);
        Matcher m = RESPONSE.matcher(text);
        if (text.startsWith("Request cost ") && m.find()) {
            synchronized (STATUS_BY_REQUEST_ID) {
                STATUS_BY_REQUEST_ID.put(m.group(2), Integer.valueOf(m.group(1)));
            }
            return;
        }
        Wire w = wire;
        if (w == null) return;
        String line = name + ": " + text + (t == null ? "" : " (" + t + ")");
        w.log(level, line.replace('\n', ' '));
    }

    @Override
    public boolean isDebugEnabled() {
        return false;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }

    @Override
    public boolean isFatalEnabled() {
        return true;
    }

    @Override
    public boolean isInfoEnabled() {
        return true;
    }

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public void trace(Object message) {}

    @Override
    public void trace(Object message, Throwable t) {}

    @Override
    public void debug(Object message) {}

    @Override
    public void debug(Object message, Throwable t) {}

    @Override
    public void info(Object message) {
        emit("info", message, null);
    }

    @Override
    public void info(Object message, Throwable t) {
        emit("info", message, t);
    }

    @Override
    public void warn(Object message) {
        emit("warn", message, null);
    }

    @Override
    public void warn(Object message, Throwable t) {
        emit("warn", message, t);
    }

    @Override
    public void error(Object message) {
        emit("error", message, null);
    }

    @Override
    public void error(Object message, Throwable t) {
        emit("error", message, t);
    }

    @Override
    public void fatal(Object message) {
        emit("error", message, null);
    }

    @Override
    public void fatal(Object message, Throwable t) {
        emit("error", message, t);
    }
}
