package dev.glimpse.serving.cli;

/** Bad command-line arguments or input: reported with the usage, exit code 2. */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
