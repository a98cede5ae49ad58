package ossmock.driver;

import com.aliyun.oss.ClientConfiguration;
import com.aliyun.oss.OSS;
import com.aliyun.oss.ServiceException;
import com.aliyun.oss.common.comm.SignVersion;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * SDK calls that only newer aliyun-sdk-oss releases have, looked up at run time so the driver builds against older
 * ones too (mvn package -Doss.sdk.version=...): V4 signing and the client's region (not in 3.10), EC on errors,
 * clock-skew correction (not in 3.17). A capability whose call is missing is left out of `hello`.
 */
final class Compat {
    private Compat() {}

    static final SignVersion V4 = signVersion("V4");
    private static final Method SET_REGION = method(com.aliyun.oss.OSSClient.class, "setRegion", String.class);
    private static final Method GET_EC = method(ServiceException.class, "getEC");
    private static final Method SET_CLOCK_SKEW_CORRECTION =
            method(ClientConfiguration.class, "setEnableAutoCorrectClockSkew", boolean.class);

    /** V4 needs both the signer and the region it signs for. */
    static boolean hasV4() {
        return V4 != null && SET_REGION != null;
    }

    static boolean hasClockSkewCorrection() {
        return SET_CLOCK_SKEW_CORRECTION != null;
    }

    static void setRegion(OSS oss, String region) {
        if (SET_REGION != null && region != null && !region.isEmpty()) invoke(SET_REGION, oss, region);
    }

    static void enableClockSkewCorrection(ClientConfiguration conf) {
        if (SET_CLOCK_SKEW_CORRECTION == null) {
            throw new DriverError("NotSupported", "this SDK version has no ClientConfiguration#setEnableAutoCorrectClockSkew");
        }
        invoke(SET_CLOCK_SKEW_CORRECTION, conf, true);
    }

    static String ec(ServiceException e) {
        return GET_EC == null ? null : (String) invoke(GET_EC, e);
    }

    private static SignVersion signVersion(String name) {
        try {
            return SignVersion.valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Method method(Class<?> c, String name, Class<?>... types) {
        try {
            return c.getMethod(name, types);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Object invoke(Method m, Object target, Object... args) {
        try {
            return m.invoke(target, args);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof RuntimeException r) throw r;
            throw new IllegalStateException(t);
        }
    }
}
