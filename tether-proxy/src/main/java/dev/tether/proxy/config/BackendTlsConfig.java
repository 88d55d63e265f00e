package dev.tether.proxy.config;

import java.nio.file.Path;

/**
 * TLS to a pool's servers ({@code pools.<pool>.tls}), used by requests and health checks alike.
 *
 * @param caFile PEM certificates of the authorities to trust, or {@code null} for the JDK's default
 *     trust store ({@code ca-file})
 * @param serverName the SNI name sent and the name the certificate must carry, or {@code null} for
 *     each server's configured host ({@code server-name})
 * @param verify whether the server's certificate is checked (chain and name; {@code verify},
 *     default true)
 */
public record BackendTlsConfig(Path caFile, String serverName, boolean verify) {}
