package ossmock.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;

/** stdout of the protocol: one JSON object per line, each written whole under one lock. */
final class Wire {
    static final ObjectMapper JSON = new ObjectMapper();

    private final OutputStream out;

    Wire(OutputStream out) {
        this.out = out;
    }

    void send(ObjectNode message) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(message);
        } catch (IOException e) {
            System.err.println("driver: cannot encode a message: " + e);
            return;
        }
        synchronized (this) {
            try {
                out.write(bytes);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                // stdout is closed: the suite has gone away; nothing to tell it.
            }
        }
    }

    void log(String level, String message) {
        ObjectNode m = JSON.createObjectNode();
        m.put("event", "log");
        m.put("level", level);
        m.put("message", message);
        send(m);
    }

    void progress(long id, long bytes) {
        ObjectNode m = JSON.createObjectNode();
        m.put("event", "progress");
        m.put("id", id);
        m.put("bytes", bytes);
        send(m);
    }
}
