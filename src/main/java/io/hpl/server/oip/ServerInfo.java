package io.hpl.server.oip;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The server's name and version, as ServerMetadata states them. */
@ApplicationScoped
public class ServerInfo {
    private final String name;
    private final String version;

    public ServerInfo(@ConfigProperty(name = "quarkus.application.name", defaultValue = "hpl-server") String name,
                      @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.name = name;
        this.version = version;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }
}
