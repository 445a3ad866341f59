package dev.glimpse.jobs.kafka;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** An {@link EmbeddedKafkaBroker} as a process of its own (the demo's process cluster, tools). */
public final class BrokerProcess {

    private BrokerProcess() {}

    /**
     * Runs a broker as a standalone process: prints {@code BOOTSTRAP=host:port} on standard output
     * once it answers, creates the topics named as arguments, and stops cleanly on SIGTERM/Ctrl-C.
     * {@code --log-dir DIR --port P --controller-port C} first make it {@link
     * EmbeddedKafkaBroker#persistent}.
     */
    public static void main(String[] args) throws InterruptedException {
        Path dir = null;
        int port = 0;
        int controllerPort = 0;
        int i = 0;
        for (; i + 1 < args.length && args[i].startsWith("--"); i += 2) {
            switch (args[i]) {
                case "--log-dir" -> dir = Path.of(args[i + 1]);
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--controller-port" -> controllerPort = Integer.parseInt(args[i + 1]);
                default ->
                        throw new IllegalArgumentException(
                                "Unknown flag "
                                        + args[i]
                                        + "; expected --log-dir, --port, --controller-port");
            }
        }
        EmbeddedKafkaBroker broker =
                (dir != null
                                ? EmbeddedKafkaBroker.persistent(dir, port, controllerPort)
                                : EmbeddedKafkaBroker.create())
                        .start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    broker.close();
                                    stopped.countDown();
                                },
                                "kafka-broker-shutdown"));
        for (String topic : Arrays.asList(args).subList(i, args.length)) {
            broker.createTopic(topic, 1);
        }
        System.out.println("BOOTSTRAP=" + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}
