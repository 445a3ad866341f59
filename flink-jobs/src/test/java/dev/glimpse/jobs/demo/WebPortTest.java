package dev.glimpse.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class WebPortTest {

    @Test
    void aTakenPortFallsBackToAFreeOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = WebPort.choose(taken.getLocalPort());
            assertThat(port).isPositive().isNotEqualTo(taken.getLocalPort());
            assertThat(WebPort.isFree(port)).isTrue();
        }
    }

    @Test
    void zeroMeansAnyFreePortAndAFreePortIsKept() {
        int any = WebPort.choose(0);
        assertThat(any).isPositive();
        assertThat(WebPort.choose(any)).isEqualTo(any);
    }
}
