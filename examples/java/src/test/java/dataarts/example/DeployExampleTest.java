package dataarts.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dataarts.example.client.ApiClient;
import dataarts.example.client.ApiException;
import dataarts.example.client.model.CreatePackageResponse;
import dataarts.example.client.model.DeployResponse;
import dataarts.example.client.model.ErrorBody;
import dataarts.example.client.model.ListPendingItemsResponse;
import dataarts.example.client.model.ListReleasePackagesBody;
import dataarts.example.client.model.ListReleasePackagesResponse;
import dataarts.example.client.model.ShowPackageDetailResponse;
import dataarts.example.client.model.SubTask;
import dataarts.example.client.model.SystemTask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The generated client and the example program against one emulator, in order: package 23 is
 * released first and its system task polled later; the example program releases package 12.
 */
@TestMethodOrder(OrderAnnotation.class)
class DeployExampleTest {
    private static final ObjectMapper MAPPER = ApiClient.createDefaultObjectMapper();
    /** Model class of each operation's documented 200 answer. */
    private static final Map<String, Class<?>> MODELS = Map.of(
            "deploy_factory_packages", DeployResponse.class,
            "list_factory_release_packages", ListReleasePackagesResponse.class,
            "show_factory_package_detail", ShowPackageDetailResponse.class,
            "list_factory_pending_items", ListPendingItemsResponse.class,
            "create_factory_pending_items_package", CreatePackageResponse.class,
            "list_system_tasks", SystemTask.class);

    private static Emulator emu;
    private static DeployExample example;
    private static DeployResponse deployed;

    @BeforeAll
    static void setUp() {
        emu = Emulator.fromEnv();
        example = new DeployExample(emu.config(emu.token()));
    }

    static JsonNode spec() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(
                Path.of(System.getProperty("spec", "../../openapi/deploy.yaml")).toFile());
    }

    /** operationId -> the documented example of its 200 answer. */
    static Map<String, JsonNode> okExamples() throws IOException {
        Map<String, JsonNode> out = new java.util.TreeMap<>();
        for (JsonNode path : spec().get("paths")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = path.fields(); it.hasNext(); ) {
                JsonNode op = it.next().getValue();
                JsonNode ok = op.path("responses").path("200").path("content");
                if (op.has("operationId") && ok.isObject() && ok.size() > 0) {
                    JsonNode example = ok.elements().next().get("example");
                    if (example != null) {
                        out.put(op.get("operationId").asText(), example);
                    }
                }
            }
        }
        return out;
    }

    @Test
    @Order(1)
    void deployAnswersTheDocumentedExample() throws Exception {
        deployed = example.deploy(List.of("23"), false);
        DeployResponse documented = MAPPER.treeToValue(okExamples().get("deploy_factory_packages"), DeployResponse.class);
        assertEquals(documented, deployed);
        assertEquals(23L, deployed.getDeployPackageDetails().get(0).getPackageId());
    }

    /** Every documented 200 example decodes into its generated model and re-encodes with every field kept. */
    @Test
    @Order(2)
    void documentedExamplesDecode() throws Exception {
        Map<String, JsonNode> examples = okExamples();
        assertEquals(MODELS.keySet(), examples.keySet(), "operations with a documented 200 example");
        for (Map.Entry<String, JsonNode> e : examples.entrySet()) {
            Object decoded = MAPPER.treeToValue(e.getValue(), MODELS.get(e.getKey()));
            JsonNode again = MAPPER.valueToTree(decoded);
            List<String> lost = new ArrayList<>();
            missing(e.getValue(), again, e.getKey(), lost);
            assertTrue(lost.isEmpty(), "fields lost or changed by the model: " + lost);
        }
        SystemTask task = MAPPER.treeToValue(examples.get("list_system_tasks"), SystemTask.class);
        assertEquals(1544777081000L, task.getStartTime()); // past Integer.MAX_VALUE: needs the long mapping
        assertEquals(1544777083000L, task.getSubtasks().get(0).getLastUpdate());
    }

    /** Collects the places where {@code expected} has something {@code actual} lacks or differs on. */
    static void missing(JsonNode expected, JsonNode actual, String at, List<String> out) {
        if (expected.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (actual == null || !actual.has(f.getKey())) {
                    out.add(at + "." + f.getKey());
                } else {
                    missing(f.getValue(), actual.get(f.getKey()), at + "." + f.getKey(), out);
                }
            }
        } else if (expected.isArray()) {
            if (actual == null || !actual.isArray() || actual.size() != expected.size()) {
                out.add(at + "[]");
                return;
            }
            for (int i = 0; i < expected.size(); i++) {
                missing(expected.get(i), actual.get(i), at + "[" + i + "]", out);
            }
        } else if (expected.isNumber() && actual != null && actual.isNumber()) {
            if (expected.decimalValue().compareTo(actual.decimalValue()) != 0) {
                out.add(at + " = " + actual + " (documented " + expected + ")");
            }
        } else if (!expected.equals(actual)) {
            out.add(at + " = " + actual + " (documented " + expected + ")");
        }
    }

    @Test
    @Order(3)
    void listShowsTheDemoPackages() throws Exception {
        ListReleasePackagesResponse r = example.packages().listFactoryReleasePackages(emu.projectId(),
                new ListReleasePackagesBody().limit(100), emu.workspaceId());
        Set<String> ids = r.getData().stream().map(p -> p.getPackageId()).collect(Collectors.toSet());
        assertTrue(ids.containsAll(List.of("12", "13", "23")), ids.toString());
        for (var p : r.getData()) {
            assertNotNull(p.getApplyTimestamp(), p.getPackageId());
            assertTrue(p.getApplyTimestamp() > Integer.MAX_VALUE, "a millisecond timestamp: " + p.getApplyTimestamp());
        }
    }

    @Test
    @Order(4)
    void systemTaskPolledWithLongTimesAndSubtasks() throws Exception {
        var detail = deployed.getDeployPackageDetails().get(0);
        SystemTask task = example.waitForTask(detail.getAsyTaskId(), Duration.ofSeconds(10));
        assertEquals(detail.getAsyTaskId(), task.getId());
        assertEquals("SUCCESSFUL", task.getStatus(), task.toString());
        Long start = task.getStartTime();
        Long end = task.getEndTime();
        assertNotNull(start, task.toString());
        assertNotNull(end, task.toString());
        assertTrue(start > Integer.MAX_VALUE && start <= end, task.toString());
        assertEquals(detail.getAsySubtaskNum(), task.getSubtasks().size(), task.toString());
        for (SubTask s : task.getSubtasks()) {
            assertEquals("SUCCESSFUL", s.getStatus(), s.toString());
            assertNotNull(s.getLastUpdate(), s.toString());
            assertTrue(s.getLastUpdate() >= start, s.toString());
        }
    }

    @Test
    @Order(5)
    void wrongTokenIs401WithTheErrorCode() throws Exception {
        DeployExample bad = new DeployExample(emu.config(emu.token() + "-wrong"));
        ApiException e = assertThrows(ApiException.class, () -> bad.deploy(List.of("13"), false));
        assertEquals(401, e.getCode());
        ErrorBody body = MAPPER.readValue(e.getResponseBody(), ErrorBody.class);
        assertEquals("APIGW.0301", body.getErrorCode(), e.getResponseBody());
        assertNotNull(body.getRequestId(), e.getResponseBody());
        assertTrue(DeployExample.describe(e).startsWith("HTTP 401 APIGW.0301: "), DeployExample.describe(e));
    }

    @Test
    @Order(6)
    void theExampleProgramReleasesPackage12() {
        Map<String, String> env = Map.of(
                "DATAARTS_AUTH_TOKEN", emu.token(),
                "HUAWEICLOUD_SDK_PROJECT_ID", emu.projectId(),
                "DATAARTS_ENDPOINT", emu.url(),
                "DATAARTS_WORKSPACE", emu.workspaceId());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DeployExample.run(new String[] {"12"}, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed + err.toString(StandardCharsets.UTF_8));
        assertTrue(printed.startsWith("package 12: SUCCESSFUL (task "), printed);
        assertFalse(printed.contains(emu.token()), "the token must not be printed");
    }

    @Test
    @Order(7)
    void theExampleProgramExplainsMissingConfiguration() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DeployExample.run(new String[] {"13"}, Map.of("DATAARTS_AUTH_TOKEN", "t"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("HUAWEICLOUD_SDK_PROJECT_ID"), err.toString());
    }
}
