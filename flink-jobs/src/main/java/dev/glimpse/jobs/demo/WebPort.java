package dev.glimpse.jobs.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Picks the web UI port: the requested one when it is free, else any free port. */
final class WebPort {

    private WebPort() {}

    /** {@code requested} if it can be bound on 127.0.0.1, else a free port (also for 0). */
    static int choose(int requested) {
        if (requested > 0 && isFree(requested)) {
            return requested;
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on 127.0.0.1", e);
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
