package dev.glimpse.jobs.kafka.security;

/**
 * A certificate issued by a {@link CertificateAuthority}, with its private key, in the PEM forms of
 * Kafka's {@code ssl.keystore.type=PEM}.
 *
 * @param subject the certificate's distinguished name, e.g. {@code CN=glimpse-broker}; the TLS
 *     principal Kafka derives from it is {@code User:<subject>}
 * @param certificateChainPem the certificate followed by the CA's ({@code
 *     ssl.keystore.certificate.chain})
 * @param privateKeyPem the unencrypted PKCS#8 private key ({@code ssl.keystore.key}); {@link
 *     #toString()} leaves it out
 */
public record IssuedCertificate(String subject, String certificateChainPem, String privateKeyPem) {

    public IssuedCertificate {
        if (!certificateChainPem.contains("BEGIN CERTIFICATE")
                || !privateKeyPem.contains("BEGIN PRIVATE KEY")) {
            throw new IllegalArgumentException(
                    "Expected a PEM certificate chain and an unencrypted PKCS#8 PEM key for "
                            + subject);
        }
    }

    @Override
    public String toString() {
        return "IssuedCertificate[" + subject + ", private key hidden]";
    }
}
