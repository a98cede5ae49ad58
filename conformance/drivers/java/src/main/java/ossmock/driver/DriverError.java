package ossmock.driver;

/** A failure of the driver itself (bad arguments, an op it cannot express), not of the SDK. */
final class DriverError extends RuntimeException {
    final String code;

    DriverError(String code, String message) {
        super(message);
        this.code = code;
    }
}
