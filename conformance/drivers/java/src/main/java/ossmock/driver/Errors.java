package ossmock.driver;

import com.aliyun.oss.ClientException;
import com.aliyun.oss.InconsistentException;
import com.aliyun.oss.ServiceException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** The SDK's exceptions as protocol errors: {code, status, message, requestId?, interrupted?, sdkError}. */
final class Errors {
    private Errors() {}

    /**
     * OSS's documented status of an error code, used only when the SDK did not log the response (a response without
     * a request ID, or an SDK version without the response log), and said so in sdkError. The "Common OSS error
     * codes" table of https://www.alibabacloud.com/help/en/object-storage-service/latest/php-exception-handling
     * gives each code's status.
     */
    private static final Map<String, Integer> DOCUMENTED_STATUS = Map.ofEntries(
            Map.entry("NoSuchKey", 404),
            Map.entry("NoSuchBucket", 404),
            Map.entry("NoSuchUpload", 404),
            Map.entry("AccessDenied", 403),
            Map.entry("SignatureDoesNotMatch", 403),
            Map.entry("InvalidAccessKeyId", 403),
            Map.entry("RequestTimeTooSkewed", 403),
            Map.entry("InvalidArgument", 400),
            Map.entry("InvalidPart", 400),
            Map.entry("InvalidPartOrder", 400),
            Map.entry("EntityTooSmall", 400),
            Map.entry("InvalidDigest", 400),
            Map.entry("PositionNotEqualToLength", 409),
            Map.entry("ObjectNotAppendable", 409),
            Map.entry("BucketAlreadyExists", 409),
            Map.entry("BucketNotEmpty", 409),
            Map.entry("PreconditionFailed", 412));

    static ObjectNode toWire(Throwable thrown, boolean interrupted) {
        Throwable t = unwrap(thrown);
        ObjectNode e = Wire.JSON.createObjectNode();
        String code;
        int status = 0;
        String message;
        String requestId = null;
        String sdkError;
        if (t instanceof DriverError d) {
            code = d.code;
            message = d.getMessage();
            sdkError = null;
        } else if (t instanceof ServiceException se) {
            requestId = known(se.getRequestId());
            code = se.getErrorCode() != null ? se.getErrorCode() : "ServiceException";
            Integer logged = SdkLog.statusOf(requestId);
            String statusNote;
            if (logged != null) {
                status = logged;
                statusNote = "HTTP " + status + " (as the SDK logged the response)";
            } else {
                status = DOCUMENTED_STATUS.getOrDefault(code, 0);
                statusNote = "HTTP status not reported by the SDK" + (status == 0 ? "" : "; " + status + " is OSS's documented one for " + code);
            }
            message = String.valueOf(se.getErrorMessage());
            sdkError = t.getClass().getName() + ": " + message + " [ErrorCode: " + se.getErrorCode() + "] [RequestId: "
                    + se.getRequestId() + "] [HostId: " + se.getHostId() + "]" + ec(se) + " [" + statusNote + "]" + causes(t);
        } else if (t instanceof ClientException ce) {
            code = "ClientException:" + ce.getErrorCode();
            requestId = known(ce.getRequestId());
            message = String.valueOf(ce.getErrorMessage());
            sdkError = t.getClass().getName() + ": " + message + " [ErrorCode: " + ce.getErrorCode() + "]" + causes(t);
        } else if (t instanceof InconsistentException ie) {
            // The SDK's CRC-64 check failed after a complete response.
            code = "InconsistentException";
            status = 200;
            requestId = known(ie.getRequestId());
            message = "CRC-64 mismatch: client " + unsigned(ie.getClientChecksum()) + ", server "
                    + unsigned(ie.getServerChecksum());
            sdkError = t.getClass().getName() + ": " + message;
        } else {
            code = t.getClass().getSimpleName();
            message = String.valueOf(t.getMessage());
            sdkError = t.getClass().getName() + ": " + message + causes(t);
        }
        e.put("code", code);
        e.put("status", status);
        e.put("message", oneLine(message));
        if (requestId != null) e.put("requestId", requestId);
        if (interrupted) e.put("interrupted", true);
        if (sdkError != null) e.put("sdkError", oneLine(sdkError));
        return e;
    }

    private static String ec(ServiceException se) {
        String ec = Compat.ec(se);
        return ec == null ? "" : " [EC: " + ec + "]";
    }

    private static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            b.append(" (caused by ").append(c.getClass().getName()).append(": ").append(c.getMessage()).append(')');
        }
        return b.toString();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof InvocationTargetException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String known(String requestId) {
        return requestId == null || requestId.isEmpty() || requestId.equals("Unknown") ? null : requestId;
    }

    static String unsigned(Long v) {
        return v == null ? null : Long.toUnsignedString(v);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace("\r", " ").replace('\n', ' ');
    }
}
