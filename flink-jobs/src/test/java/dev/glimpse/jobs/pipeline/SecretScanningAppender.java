package dev.glimpse.jobs.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Captures every log event at INFO and above (Kafka's client and broker configuration dumps,
 * Flink's job and failure logs, ours) into memory while installed, formatted with its stack trace,
 * and records the lines that contain any of the given secrets. Installing it replaces the console
 * output of the test configuration; {@link #close()} restores that configuration.
 */
final class SecretScanningAppender extends AbstractAppender implements AutoCloseable {

    private static final List<String> LOGGERS =
            List.of("", "kafka", "org.apache.kafka", "org.apache.flink", "dev.glimpse");

    private final Set<String> secrets;
    private final List<String> leaks = new ArrayList<>();
    private final AtomicLong events = new AtomicLong();
    private final StringBuilder sample = new StringBuilder();

    private SecretScanningAppender(Set<String> secrets) {
        super(
                "secret-scan",
                null,
                PatternLayout.newBuilder().withPattern("%p %c %m%n%throwable").build(),
                true,
                Property.EMPTY_ARRAY);
        this.secrets = Set.copyOf(secrets);
    }

    /** Routes all logging at INFO and above to a new appender that looks for {@code secrets}. */
    static SecretScanningAppender install(Set<String> secrets) {
        SecretScanningAppender appender = new SecretScanningAppender(secrets);
        appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        config.addAppender(appender);
        for (String name : LOGGERS) {
            LoggerConfig logger = config.getLoggerConfig(name);
            if (!logger.getName().equals(name)) {
                logger = new LoggerConfig(name, Level.INFO, true);
                config.addLogger(name, logger);
            }
            logger.setLevel(Level.INFO);
            for (String ref : List.copyOf(logger.getAppenders().keySet())) {
                logger.removeAppender(ref);
            }
        }
        config.getRootLogger().addAppender(appender, Level.INFO, null);
        context.updateLoggers();
        return appender;
    }

    @Override
    public void append(LogEvent event) {
        String text =
                new String(getLayout().toByteArray(event), java.nio.charset.StandardCharsets.UTF_8);
        events.incrementAndGet();
        synchronized (this) {
            if (text.contains("sasl.jaas.config") && sample.length() < 4096) {
                int at = text.indexOf("sasl.jaas.config");
                sample.append(text, at, Math.min(text.length(), at + 40)).append('\n');
            }
            for (String secret : secrets) {
                if (text.contains(secret)) {
                    leaks.add(text);
                }
            }
        }
    }

    /** Events captured so far. */
    long events() {
        return events.get();
    }

    /** The captured lines that contain a secret. */
    synchronized List<String> leaks() {
        return List.copyOf(leaks);
    }

    /** How captured client configuration dumps showed {@code sasl.jaas.config}. */
    synchronized String jaasConfigSample() {
        return sample.toString();
    }

    /** Restores the logging configuration of the test resources. */
    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.reconfigure();
        stop();
    }
}
