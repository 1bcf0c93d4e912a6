package io.cargohold.edge.http;

import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;

/**
 * A parsed registry API path (distribution's {@code routes.go}). Names may contain slashes, so a
 * path is split at its last route keyword.
 */
public record RegistryPath(Route route, RepositoryName name, String reference) {

    public enum Route { BASE, CATALOG, TAGS, MANIFEST, BLOB, REFERRERS, NOT_FOUND }

    private static final String PREFIX = "/v2/";

    public static RegistryPath parse(String path) {
        if (path.equals("/v2") || path.equals(PREFIX)) {
            return new RegistryPath(Route.BASE, null, null);
        }
        if (!path.startsWith(PREFIX)) {
            return new RegistryPath(Route.NOT_FOUND, null, null);
        }
        String rest = path.substring(PREFIX.length());
        if (rest.equals("_catalog")) {
            return new RegistryPath(Route.CATALOG, null, null);
        }
        if (rest.endsWith("/tags/list")) {
            return new RegistryPath(Route.TAGS, name(rest.substring(0, rest.length() - "/tags/list".length())), null);
        }
        for (Route route : new Route[] {Route.MANIFEST, Route.BLOB, Route.REFERRERS}) {
            String keyword = switch (route) {
                case MANIFEST -> "/manifests/";
                case BLOB -> "/blobs/";
                default -> "/referrers/";
            };
            int at = rest.lastIndexOf(keyword);
            if (at > 0) {
                String reference = rest.substring(at + keyword.length());
                if (reference.isEmpty() || reference.contains("/")) {
                    break;
                }
                return new RegistryPath(route, name(rest.substring(0, at)), reference);
            }
        }
        return new RegistryPath(Route.NOT_FOUND, null, null);
    }

    private static RepositoryName name(String value) {
        if (value.isEmpty()) {
            throw new RegistryException(OciErrorCode.NAME_INVALID, "invalid repository name", value);
        }
        return RepositoryName.parse(value);
    }
}
