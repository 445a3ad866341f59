package dev.glimpse.schemas.codec;

/** A Kafka payload that is not a valid Avro record of the expected type and version. */
public final class MalformedRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedRecordException(String message) {
        super(message);
    }

    public MalformedRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
