package ossmock.driver;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The driver process: JSON lines on stdin, one response line per request on stdout (conformance/PROTOCOL.md).
 * Every request runs on its own thread, so an {@code interrupt} overtakes the uploads it stops.
 */
public final class Main {
    private Main() {}

    public static void main(String[] argv) throws Exception {
        // Before any SDK class loads: the SDK logs through commons-logging, which must pick our Log (SdkLog).
        SdkLog.install();
        // stdout belongs to the protocol; anything a library prints goes to stderr instead.
        Wire wire = new Wire(new FileOutputStream(FileDescriptor.out));
        System.setOut(System.err);
        SdkLog.attach(wire);

        Driver driver = new Driver(wire);
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "driver-request");
            t.setDaemon(true);
            return t;
        });
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            final String request = line;
            pool.execute(() -> driver.handleLine(request));
        }
        // stdin closed: answer what is still running (a test harness may close stdin right after its requests), then
        // leave; the bound keeps a driver whose suite has gone from lingering.
        pool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
        driver.closeAll();
        System.exit(0);
    }
}
