package dataarts.conformance;

import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.core.http.HttpConfig;
import com.huaweicloud.sdk.dataartsstudio.v1.DataArtsStudioClient;
import com.huaweicloud.sdk.dataartsstudio.v1.model.DeployFactoryPackagesRequest;
import com.huaweicloud.sdk.dataartsstudio.v1.model.DeployFactoryPackagesRequestBody;
import com.huaweicloud.sdk.dataartsstudio.v1.model.DeployFactoryPackagesResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sequential deploys with Huawei's official Java SDK against a running dataarts-emulator, for the
 * official-SDK benchmark.
 *
 * <pre>
 * DeploySeq --endpoint URL --ak AK --sk SK --project-id P --first ID --calls N --warmup W [--workspace WS]
 * </pre>
 *
 * <p>Releases ids {@code first .. first+W-1} untimed, then {@code first+W .. first+W+N-1} timed,
 * one package per call (AK/SK, one client reused, no SDK retries: a plain synchronous call of the
 * Java SDK never retries; retrying needs the invoker's {@code retryTimes}, which is not used).
 * Prints one line: {@code JAVA_SDK calls=N seconds=S calls_per_s=R}.
 */
public final class DeploySeq {
    private DeploySeq() {}

    /** Parsed command line. */
    record Options(String endpoint, String ak, String sk, String projectId, String workspace,
                   long first, long calls, long warmup) {}

    public static void main(String[] args) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("DeploySeq: " + e.getMessage());
            System.err.println("usage: DeploySeq --endpoint URL --ak AK --sk SK --project-id P"
                    + " --first ID --calls N --warmup W [--workspace WS]");
            System.exit(2);
            return;
        }
        try {
            double seconds = run(o);
            System.out.println(line(o.calls(), seconds));
        } catch (RuntimeException e) {
            System.err.println("DeploySeq: deploy failed: " + e);
            System.exit(1);
        }
    }

    /** The result line, the same shape as the other drivers'. */
    static String line(long calls, double seconds) {
        return String.format(Locale.ROOT, "JAVA_SDK calls=%d seconds=%.3f calls_per_s=%.1f",
                calls, seconds, calls / seconds);
    }

    /** Builds the client the benchmark uses: AK/SK with the project id, one endpoint, defaults otherwise. */
    static DataArtsStudioClient client(String endpoint, String ak, String sk, String projectId) {
        BasicCredentials credentials = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId);
        return DataArtsStudioClient.newBuilder()
                .withCredential(credentials)
                .withEndpoints(List.of(endpoint))
                .withHttpConfig(HttpConfig.getDefaultHttpConfig())
                .build();
    }

    /** Runs the warm-up and the timed loop; returns the timed seconds. */
    static double run(Options o) {
        DataArtsStudioClient client = client(o.endpoint(), o.ak(), o.sk(), o.projectId());
        for (long k = o.first(); k < o.first() + o.warmup(); k++) {
            deploy(client, o.workspace(), k);
        }
        long start = System.nanoTime();
        for (long k = o.first() + o.warmup(); k < o.first() + o.warmup() + o.calls(); k++) {
            deploy(client, o.workspace(), k);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Releases one package and checks the answer names exactly one package. */
    static DeployFactoryPackagesResponse deploy(DataArtsStudioClient client, String workspace, long packageId) {
        DeployFactoryPackagesRequest request = new DeployFactoryPackagesRequest()
                .withBody(new DeployFactoryPackagesRequestBody()
                        .withPackageIds(List.of(Long.toString(packageId)))
                        .withStartupMode(0));
        if (workspace != null) {
            request.withWorkspace(workspace);
        }
        DeployFactoryPackagesResponse response = client.deployFactoryPackages(request);
        if (response.getDeployPackageDetails() == null || response.getDeployPackageDetails().size() != 1) {
            throw new IllegalStateException("deploy of package " + packageId
                    + " did not answer exactly one detail: " + response);
        }
        return response;
    }

    static Options parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("unexpected argument " + a + " (options take a value)");
            }
            m.put(a.substring(2), args[++i]);
        }
        for (String k : m.keySet()) {
            if (!List.of("endpoint", "ak", "sk", "project-id", "workspace", "first", "calls", "warmup").contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k);
            }
        }
        return new Options(required(m, "endpoint"), required(m, "ak"), required(m, "sk"),
                required(m, "project-id"), m.get("workspace"),
                number(m, "first", 1000), number(m, "calls", 1000), number(m, "warmup", 20));
    }

    private static String required(Map<String, String> m, String name) {
        String v = m.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    private static long number(Map<String, String> m, String name, long dflt) {
        String v = m.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs a non-negative whole number, got " + v);
        }
    }
}
