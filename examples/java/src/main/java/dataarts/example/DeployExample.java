package dataarts.example;

import dataarts.example.client.ApiClient;
import dataarts.example.client.ApiException;
import dataarts.example.client.api.ReleasePackagesApi;
import dataarts.example.client.api.SystemTasksApi;
import dataarts.example.client.model.DeployBody;
import dataarts.example.client.model.DeployPackageDetail;
import dataarts.example.client.model.DeployResponse;
import dataarts.example.client.model.ErrorBody;
import dataarts.example.client.model.SubTask;
import dataarts.example.client.model.SystemTask;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Releases DataArts Factory release packages with the client generated from the OpenAPI spec,
 * then polls each release's system task until it ends.
 *
 * <pre>
 * DeployExample PACKAGE_ID...
 * </pre>
 *
 * <p>Configuration comes from the environment, with the same names as the Rust client's:
 * {@code DATAARTS_AUTH_TOKEN} (or {@code DATAARTS_AUTH_TOKEN_FILE}) an IAM token sent as
 * {@code X-Auth-Token}; {@code HUAWEICLOUD_SDK_PROJECT_ID}; {@code DATAARTS_REGION} (for example
 * {@code cn-north-4}) or {@code DATAARTS_ENDPOINT} (one URL for both APIs, e.g. an emulator) with
 * an optional {@code DATAARTS_V1_ENDPOINT} for the system-task API; optional
 * {@code DATAARTS_WORKSPACE}. Exit status: 0 all releases succeeded, 1 a release failed or did
 * not end in time, 2 bad configuration or a refused request.
 */
public final class DeployExample {

    /** What the example needs to call the service. */
    public record Config(String v2Endpoint, String v1Endpoint, String token, String projectId, String workspace) {

        /** Reads the configuration from environment variables; throws naming what is missing. */
        public static Config fromEnv(Map<String, String> env) {
            String token = nonEmpty(env.get("DATAARTS_AUTH_TOKEN"));
            String tokenFile = nonEmpty(env.get("DATAARTS_AUTH_TOKEN_FILE"));
            if (token == null && tokenFile != null) {
                try {
                    token = nonEmpty(Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).trim());
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read DATAARTS_AUTH_TOKEN_FILE " + tokenFile + ": " + e);
                }
            }
            if (token == null) {
                throw new IllegalArgumentException("set DATAARTS_AUTH_TOKEN (an IAM token) or DATAARTS_AUTH_TOKEN_FILE");
            }
            String project = nonEmpty(env.get("HUAWEICLOUD_SDK_PROJECT_ID"));
            if (project == null) {
                throw new IllegalArgumentException("set HUAWEICLOUD_SDK_PROJECT_ID (the IAM project id of the region)");
            }
            String endpoint = nonEmpty(env.get("DATAARTS_ENDPOINT"));
            String region = nonEmpty(env.get("DATAARTS_REGION"));
            String v2;
            String v1;
            if (endpoint != null) {
                v2 = trimSlash(endpoint);
                v1 = trimSlash(env.getOrDefault("DATAARTS_V1_ENDPOINT", endpoint));
            } else if (region != null) {
                v2 = "https://dayu." + region + ".myhuaweicloud.com";
                v1 = nonEmpty(env.get("DATAARTS_V1_ENDPOINT")) != null ? trimSlash(env.get("DATAARTS_V1_ENDPOINT"))
                        : "https://dayu-dlf." + region + ".myhuaweicloud.com";
            } else {
                throw new IllegalArgumentException("set DATAARTS_REGION (e.g. cn-north-4) or DATAARTS_ENDPOINT (e.g. an emulator's URL)");
            }
            return new Config(v2, v1, token, project, nonEmpty(env.get("DATAARTS_WORKSPACE")));
        }

        @Override
        public String toString() {
            // never print the token
            return "Config[v2Endpoint=" + v2Endpoint + ", v1Endpoint=" + v1Endpoint + ", projectId=" + projectId
                    + ", workspace=" + workspace + "]";
        }
    }

    /** How one package's release ended. */
    public record Outcome(String packageId, String taskId, String status, List<SubTask> subtasks, SystemTask task) {}

    private final Config config;
    private final ReleasePackagesApi packages;
    private final SystemTasksApi tasks;

    /** Builds the two API clients (V2 release packages, V1 system tasks) with token auth. */
    public DeployExample(Config config) {
        this.config = config;
        this.packages = new ReleasePackagesApi(apiClient(config.v2Endpoint(), config.token()));
        this.tasks = new SystemTasksApi(apiClient(config.v1Endpoint(), config.token()));
    }

    /** A generated ApiClient for one endpoint that sends the IAM token on every request. */
    public static ApiClient apiClient(String endpoint, String token) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(endpoint);
        client.setConnectTimeout(Duration.ofSeconds(10));
        client.setReadTimeout(Duration.ofSeconds(30));
        client.setRequestInterceptor(request -> request.header("X-Auth-Token", token));
        return client;
    }

    /** The generated release-package API of this example. */
    public ReleasePackagesApi packages() {
        return packages;
    }

    /** The generated system-task API of this example. */
    public SystemTasksApi tasks() {
        return tasks;
    }

    /** Releases the packages (without starting their jobs when {@code startJobs} is false). */
    public DeployResponse deploy(List<String> packageIds, boolean startJobs) throws ApiException {
        DeployBody body = new DeployBody().packageIds(packageIds)
                .startupMode(startJobs ? DeployBody.StartupModeEnum.NUMBER_1 : DeployBody.StartupModeEnum.NUMBER_0);
        return packages.deployFactoryPackages(config.projectId(), body, config.workspace());
    }

    /** Polls a system task until it is no longer RUNNING or the timeout passes; returns the last answer. */
    public SystemTask waitForTask(String taskId, Duration timeout) throws ApiException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMs = 100;
        while (true) {
            SystemTask task = tasks.listSystemTasks(config.projectId(), taskId, config.workspace());
            if (!"RUNNING".equals(task.getStatus()) || System.nanoTime() > deadline) {
                return task;
            }
            Thread.sleep(pauseMs);
            pauseMs = Math.min(pauseMs * 2, 5_000);
        }
    }

    /** Releases the packages and waits for each release to end. */
    public List<Outcome> releaseAndWait(List<String> packageIds, Duration timeout)
            throws ApiException, InterruptedException {
        DeployResponse response = deploy(packageIds, true);
        List<Outcome> outcomes = new ArrayList<>();
        for (DeployPackageDetail d : response.getDeployPackageDetails()) {
            SystemTask task = waitForTask(d.getAsyTaskId(), timeout);
            // The documentation names the list `subtasks`; the official SDKs read `subTasks`.
            List<SubTask> subtasks = !task.getSubtasks().isEmpty() ? task.getSubtasks() : task.getSubTasks();
            outcomes.add(new Outcome(String.valueOf(d.getPackageId()), d.getAsyTaskId(), task.getStatus(), subtasks,
                    task));
        }
        return outcomes;
    }

    /** The error code and message of a refused request, from the error body when there is one. */
    public static String describe(ApiException e) {
        String body = e.getResponseBody();
        if (body != null && !body.isEmpty()) {
            try {
                ErrorBody error = ApiClient.createDefaultObjectMapper().readValue(body, ErrorBody.class);
                if (error.getErrorCode() != null) {
                    return "HTTP " + e.getCode() + " " + error.getErrorCode() + ": " + error.getErrorMsg()
                            + (error.getRequestId() != null ? " (request id " + error.getRequestId() + ")" : "");
                }
            } catch (IOException ignored) {
                // not a JSON error body: fall through to the raw text
            }
        }
        return e.getCode() == 0 ? String.valueOf(e.getCause()) : "HTTP " + e.getCode() + ": " + body;
    }

    /** Runs the example; returns the exit status. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].startsWith("-")) {
            err.println("usage: DeployExample PACKAGE_ID...  (configuration from DATAARTS_AUTH_TOKEN, "
                    + "HUAWEICLOUD_SDK_PROJECT_ID, DATAARTS_REGION or DATAARTS_ENDPOINT)");
            return 2;
        }
        Config config;
        try {
            config = Config.fromEnv(env);
        } catch (IllegalArgumentException e) {
            err.println("DeployExample: " + e.getMessage());
            return 2;
        }
        try {
            List<Outcome> outcomes = new DeployExample(config).releaseAndWait(List.of(args), Duration.ofMinutes(10));
            boolean ok = true;
            for (Outcome o : outcomes) {
                out.printf("package %s: %s (task %s, %d subtask(s)%s)%n", o.packageId(), o.status(), o.taskId(),
                        o.subtasks().size(), o.task().getMessage() != null ? ", " + o.task().getMessage() : "");
                for (SubTask s : o.subtasks()) {
                    out.printf("  %s: %s%n", s.getName() != null ? s.getName() : s.getId(), s.getStatus());
                }
                ok &= "SUCCESSFUL".equals(o.status());
            }
            return ok ? 0 : 1;
        } catch (ApiException e) {
            err.println("DeployExample: the request was refused: " + describe(e));
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("DeployExample: interrupted");
            return 1;
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
