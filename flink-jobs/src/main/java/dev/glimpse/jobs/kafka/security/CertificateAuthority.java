package dev.glimpse.jobs.kafka.security;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority, generated in memory (EC P-256, SHA256withECDSA), that issues
 * certificates for the embedded broker. Nothing is written to disk: Kafka reads the PEM strings of
 * {@link #certificatePem()} and {@link IssuedCertificate} directly ({@code
 * ssl.truststore.type=PEM}, {@code ssl.keystore.type=PEM}).
 *
 * <p>Valid for one day from its creation. Immutable and thread-safe.
 */
public final class CertificateAuthority {

    private static final Duration VALIDITY = Duration.ofDays(1);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private CertificateAuthority(X500Name name, KeyPair keys, X509Certificate certificate) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new self-signed CA named {@code CN=<commonName>}. */
    public static CertificateAuthority create(String commonName) {
        try {
            X500Name name = new X500Name("CN=" + commonName);
            KeyPair keys = newKeyPair();
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder =
                    new JcaX509v3CertificateBuilder(
                            name,
                            serial(),
                            Date.from(now.minus(Duration.ofMinutes(5))),
                            Date.from(now.plus(VALIDITY)),
                            name,
                            keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(
                    Extension.subjectKeyIdentifier,
                    false,
                    ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new CertificateAuthority(name, keys, toCertificate(builder.build(signer(keys))));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("Cannot create certificate authority " + commonName, e);
        }
    }

    /**
     * Issues a certificate for {@code CN=<commonName>}, usable by a TLS server and as a client
     * certificate, valid for the DNS names and IP addresses given as subject alternative names.
     */
    public IssuedCertificate issue(String commonName, List<String> dnsNames, List<String> ips) {
        try {
            KeyPair pair = newKeyPair();
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder =
                    new JcaX509v3CertificateBuilder(
                            name,
                            serial(),
                            Date.from(now.minus(Duration.ofMinutes(5))),
                            Date.from(now.plus(VALIDITY)),
                            new X500Name("CN=" + commonName),
                            pair.getPublic());
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
            ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            builder.addExtension(
                    Extension.extendedKeyUsage,
                    false,
                    new ExtendedKeyUsage(
                            new KeyPurposeId[] {
                                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                            }));
            builder.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
            builder.addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    ext.createAuthorityKeyIdentifier(certificate));
            X509Certificate issued = toCertificate(builder.build(signer(keys)));
            return new IssuedCertificate(
                    "CN=" + commonName, pem(issued) + certificatePem(), pkcs8Pem(pair));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("Cannot issue a certificate for " + commonName, e);
        }
    }

    /** The CA certificate, PEM-encoded: what clients trust. */
    public String certificatePem() {
        return pem(certificate);
    }

    /** The CA's distinguished name, e.g. {@code CN=glimpse-test-ca}. */
    public String distinguishedName() {
        return name.toString();
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).abs().add(BigInteger.ONE);
    }

    private static ContentSigner signer(KeyPair keys) throws OperatorCreationException {
        return new JcaContentSignerBuilder(SIGNATURE).build(keys.getPrivate());
    }

    private static X509Certificate toCertificate(X509CertificateHolder holder)
            throws GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Unencrypted PKCS#8, the only unencrypted key form Kafka's PEM keystore accepts. */
    private static String pkcs8Pem(KeyPair pair) throws IOException {
        return pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate());
    }
}
