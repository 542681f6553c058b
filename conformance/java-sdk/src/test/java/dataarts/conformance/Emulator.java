package dataarts.conformance;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The emulator the test command started, read from the environment. A run without it fails at
 * once and says how to get one.
 */
record Emulator(String url, String ak, String sk, String token, String projectId, String workspaceId) {

    private static final HttpClient ADMIN = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static Emulator fromEnv() {
        return new Emulator(env("DATAARTS_EMULATOR_URL"), env("DATAARTS_EMULATOR_AK"),
                env("DATAARTS_EMULATOR_SK"), env("DATAARTS_EMULATOR_TOKEN"),
                env("DATAARTS_EMULATOR_PROJECT_ID"), env("DATAARTS_EMULATOR_WORKSPACE_ID"));
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException(name + " is not set. These tests need a running emulator: run "
                    + "`cargo xtask test --only java-sdk` from the repository root, or start "
                    + "`dataarts-emulator --demo --port 0 --ak AK --sk SK --token TOKEN --no-rate-limit "
                    + "--task-duration 50ms` and export DATAARTS_EMULATOR_URL, DATAARTS_EMULATOR_AK, "
                    + "DATAARTS_EMULATOR_SK, DATAARTS_EMULATOR_TOKEN, DATAARTS_EMULATOR_PROJECT_ID and "
                    + "DATAARTS_EMULATOR_WORKSPACE_ID");
        }
        return v;
    }

    /** Calls an emulator admin route ({@code /_emulator/...}); returns the body, fails on a non-2xx. */
    String admin(String method, String path, String jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + "/_emulator" + path))
                .timeout(Duration.ofSeconds(10));
        b.method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
        }
        // Only an emulator started with --admin-token asks for it.
        String adminToken = System.getenv("DATAARTS_EMULATOR_ADMIN_TOKEN");
        if (adminToken != null && !adminToken.isEmpty()) {
            b.header("Authorization", "Bearer " + adminToken);
        }
        try {
            HttpResponse<String> r = ADMIN.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new AssertionError(method + " /_emulator" + path + " answered " + r.statusCode() + ": "
                        + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new AssertionError(method + " /_emulator" + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
