package dataarts.example;

/** The emulator the test command started, from the environment; fails at once without it. */
record Emulator(String url, String token, String projectId, String workspaceId) {

    static Emulator fromEnv() {
        return new Emulator(env("DATAARTS_EMULATOR_URL"), env("DATAARTS_EMULATOR_TOKEN"),
                env("DATAARTS_EMULATOR_PROJECT_ID"), env("DATAARTS_EMULATOR_WORKSPACE_ID"));
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException(name + " is not set. These tests need a running emulator: run "
                    + "`cargo xtask test --only java-client` from the repository root, or start "
                    + "`dataarts-emulator --demo --port 0 --token TOKEN --task-duration 50ms` and export "
                    + "DATAARTS_EMULATOR_URL, DATAARTS_EMULATOR_TOKEN, DATAARTS_EMULATOR_PROJECT_ID and "
                    + "DATAARTS_EMULATOR_WORKSPACE_ID (see README.md)");
        }
        return v;
    }

    /** The example's configuration for this emulator (one URL for both APIs). */
    DeployExample.Config config(String token) {
        return new DeployExample.Config(url, url, token, projectId, workspaceId);
    }
}
