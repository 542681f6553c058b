package dataarts.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.huaweicloud.sdk.core.ClientBuilder;
import com.huaweicloud.sdk.core.HttpListener;
import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.core.exception.ServerResponseException;
import com.huaweicloud.sdk.core.exception.ServiceResponseException;
import com.huaweicloud.sdk.core.http.HttpConfig;
import com.huaweicloud.sdk.core.utils.JsonUtils;
import com.huaweicloud.sdk.dataartsstudio.v1.DataArtsStudioClient;
import com.huaweicloud.sdk.dataartsstudio.v1.model.CancelFactoryPackagesRequest;
import com.huaweicloud.sdk.dataartsstudio.v1.model.CancelFactoryPackagesRequestBody;
import com.huaweicloud.sdk.dataartsstudio.v1.model.CancelFactoryPackagesResponse;
import com.huaweicloud.sdk.dataartsstudio.v1.model.DeployFactoryPackagesRequest;
import com.huaweicloud.sdk.dataartsstudio.v1.model.DeployFactoryPackagesRequestBody;
import com.huaweicloud.sdk.dataartsstudio.v1.model.DeployFactoryPackagesResponse;
import com.huaweicloud.sdk.dataartsstudio.v1.model.DeployPackagesResponseDeployPackageDetails;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ListFactoryReleasePackagesRequest;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ListFactoryReleasePackagesResponse;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ListReleasePackagesRequestBody;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ListReleasePackagesRespData;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ShowFactoryPackageDetailRequest;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ShowFactoryPackageDetailResponse;
import com.huaweicloud.sdk.dlf.v1.DlfClient;
import com.huaweicloud.sdk.dlf.v1.model.ListSystemTasksRequest;
import com.huaweicloud.sdk.dlf.v1.model.ListSystemTasksResponse;
import com.huaweicloud.sdk.dlf.v1.model.SubTaskStatus;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.Yaml;

/**
 * Huawei's official Java SDK ({@code huaweicloud-sdk-dataartsstudio} 3.1.143 and
 * {@code huaweicloud-sdk-dlf} 3.1.130), signing with AK/SK, against one emulator. The tests run
 * in order on one emulator state: package 23 is released first, and later tests rely on it.
 */
@TestMethodOrder(OrderAnnotation.class)
class OfficialJavaSdkTest {
    private static final Pattern HEX32 = Pattern.compile("^[0-9a-f]{32}$");
    private static final Set<String> TASK_STATUSES = Set.of("RUNNING", "SUCCESSFUL", "FAILED");
    private static final String DEPLOY_PATH = "/v2/{project_id}/factory/release-packages/deploy";

    private static Emulator emu;
    private static DataArtsStudioClient studio;
    private static DlfClient dlf;
    /** Raw response bodies the SDK received, by request path ending ("/deploy", ...). */
    private static final Map<String, String> RAW = new ConcurrentHashMap<>();
    private static DeployFactoryPackagesResponse deployed;

    @BeforeAll
    static void clients() {
        emu = Emulator.fromEnv();
        HttpConfig config = HttpConfig.getDefaultHttpConfig();
        config.addHttpListener(HttpListener.forResponseListener(r -> {
            if (r.uri().endsWith("/release-packages/deploy")) {
                r.body().ifPresent(b -> RAW.put("deploy", b));
            }
        }));
        studio = DataArtsStudioClient.newBuilder().withCredential(credentials(emu.ak(), emu.sk()))
                .withEndpoints(List.of(emu.url())).withHttpConfig(config).build();
        dlf = DlfClient.newBuilder().withCredential(credentials(emu.ak(), emu.sk()))
                .withEndpoints(List.of(emu.url())).withHttpConfig(HttpConfig.getDefaultHttpConfig()).build();
    }

    static BasicCredentials credentials(String ak, String sk) {
        return new BasicCredentials().withAk(ak).withSk(sk).withProjectId(emu.projectId());
    }

    static DeployFactoryPackagesRequest deployRequest(String... ids) {
        return new DeployFactoryPackagesRequest().withBody(new DeployFactoryPackagesRequestBody()
                .withPackageIds(List.of(ids)).withStartupMode(0));
    }

    static ShowFactoryPackageDetailResponse show(String id) {
        return studio.showFactoryPackageDetail(new ShowFactoryPackageDetailRequest().withPackageId(id));
    }

    /** The documented example of an operation's 200 answer, read from the spec. */
    @SuppressWarnings("unchecked")
    static Object specExample(String path, String method) throws IOException {
        Path spec = Path.of("..", "..", "openapi", "deploy.yaml");
        Map<String, Object> root;
        try (Reader r = Files.newBufferedReader(spec, StandardCharsets.UTF_8)) {
            root = new Yaml().load(r);
        }
        Map<String, Object> op = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) root
                .get("paths")).get(path)).get(method);
        Map<String, Object> ok = (Map<String, Object>) ((Map<String, Object>) op.get("responses")).get("200");
        Map<String, Object> content = (Map<String, Object>) ok.get("content");
        Map<String, Object> media = (Map<String, Object>) content.values().iterator().next();
        return media.get("example");
    }

    @Test
    @Order(1)
    void deployIsTheDocumentedExampleByteForByte() throws IOException {
        deployed = studio.deployFactoryPackages(deployRequest("23"));
        String expected = new ObjectMapper().writeValueAsString(specExample(DEPLOY_PATH, "post"));
        assertEquals(expected, RAW.get("deploy"), "the raw deploy body differs from the spec's example");
        // The SDK's own mapper, writing the decoded model, gives the same bytes back: every
        // field was decoded, under the documented name.
        assertEquals(expected, JsonUtils.toJSON(deployed), "the SDK model re-encodes differently");
        List<DeployPackagesResponseDeployPackageDetails> details = deployed.getDeployPackageDetails();
        assertEquals(1, details.size());
        assertEquals(23L, details.get(0).getPackageId()); // a JSON number here, a Long in the SDK
        assertEquals(1, details.get(0).getAsySubtaskNum());
        assertTrue(HEX32.matcher(details.get(0).getAsyTaskId()).matches(), details.get(0).getAsyTaskId());
    }

    @Test
    @Order(2)
    void wrongSecretKeyIs401Apigw0301WithRequestId() {
        String sk = emu.sk();
        String wrong = sk.substring(0, sk.length() - 1) + (sk.endsWith("x") ? "y" : "x");
        DataArtsStudioClient bad = DataArtsStudioClient.newBuilder().withCredential(credentials(emu.ak(), wrong))
                .withEndpoints(List.of(emu.url())).withHttpConfig(HttpConfig.getDefaultHttpConfig()).build();
        ServiceResponseException e = assertThrows(ServiceResponseException.class,
                () -> bad.deployFactoryPackages(deployRequest("13")));
        assertEquals(401, e.getHttpStatusCode(), e.toString());
        assertEquals("APIGW.0301", e.getErrorCode(), e.toString());
        assertNotNull(e.getRequestId(), "no request id in the 401");
        assertTrue(HEX32.matcher(e.getRequestId()).matches(), e.getRequestId());
    }

    @Test
    @Order(3)
    void unknownAccessKeyIs401() {
        DataArtsStudioClient bad = DataArtsStudioClient.newBuilder()
                .withCredential(credentials("UNKNOWNAK00000000000", emu.sk()))
                .withEndpoints(List.of(emu.url())).withHttpConfig(HttpConfig.getDefaultHttpConfig()).build();
        ServiceResponseException e = assertThrows(ServiceResponseException.class,
                () -> bad.deployFactoryPackages(deployRequest("13")));
        assertEquals(401, e.getHttpStatusCode(), e.toString());
        assertEquals("APIGW.0301", e.getErrorCode(), e.toString());
    }

    @Test
    @Order(4)
    void listReleasePackages() {
        ListFactoryReleasePackagesResponse r = studio.listFactoryReleasePackages(new ListFactoryReleasePackagesRequest()
                .withBody(new ListReleasePackagesRequestBody().withLimit(100).withOffset(0)));
        Set<String> ids = r.getData().stream().map(ListReleasePackagesRespData::getPackageId)
                .collect(Collectors.toSet());
        assertTrue(ids.containsAll(List.of("12", "13", "23")), ids.toString());
        assertNotNull(r.getTotal());
        assertTrue(r.getTotal() >= 3, "total " + r.getTotal());
        for (ListReleasePackagesRespData p : r.getData()) {
            assertNotNull(p.getPackageApprovers(), "package_approvers missing on " + p.getPackageId());
            assertNotNull(p.getApplyTimestamp(), "apply_timestamp missing on " + p.getPackageId());
        }
    }

    @Test
    @Order(5)
    void listByStatus() {
        ListFactoryReleasePackagesResponse r = studio.listFactoryReleasePackages(new ListFactoryReleasePackagesRequest()
                .withBody(new ListReleasePackagesRequestBody().withDeployStatusFilter(List.of(1)).withLimit(100)));
        assertFalse(r.getData().isEmpty(), "12 and 13 await review");
        for (ListReleasePackagesRespData p : r.getData()) {
            assertEquals(1, p.getDeployStatus(), p.getPackageId());
        }
        Set<String> ids = r.getData().stream().map(ListReleasePackagesRespData::getPackageId)
                .collect(Collectors.toSet());
        assertFalse(ids.contains("23"), "23 is being released, not awaiting review");
    }

    @Test
    @Order(6)
    void showPackage() {
        ShowFactoryPackageDetailResponse r = show("13");
        assertEquals("13", r.getReleasePackage().getPackageId());
        assertEquals(emu.workspaceId(), r.getReleasePackage().getWorkspaceId());
        assertNotNull(r.getReleasePackage().getPackageApprovers());
        assertNotNull(r.getTaskDetails());
        assertFalse(r.getTaskDetails().isEmpty());
    }

    /**
     * The SDK maps the response header {@code X-request-id} into {@code xRequestId}, but it copies
     * the headers into a case-sensitive map under the names as received and looks that exact
     * spelling up. The emulator, like most HTTP/1.1 servers, sends lower-case {@code x-request-id},
     * so the field stays null (any other spelling, e.g. {@code X-Request-Id}, would too). Errors are
     * not affected: the exception reads the request id case-insensitively.
     */
    @Test
    @Order(7)
    void xRequestIdStaysNullBecauseTheSdkMatchesTheHeaderNameCaseSensitively() {
        List<String> names = new ArrayList<>();
        HttpConfig config = HttpConfig.getDefaultHttpConfig();
        config.addHttpListener(HttpListener.forResponseListener(r -> names.addAll(r.headers().keySet())));
        DataArtsStudioClient c = DataArtsStudioClient.newBuilder().withCredential(credentials(emu.ak(), emu.sk()))
                .withEndpoints(List.of(emu.url())).withHttpConfig(config).build();
        ShowFactoryPackageDetailResponse r = c.showFactoryPackageDetail(
                new ShowFactoryPackageDetailRequest().withPackageId("13"));
        assertTrue(names.contains("x-request-id"), "header names received: " + names);
        assertFalse(names.contains("X-request-id"), "header names received: " + names);
        assertNull(r.getXRequestId());
        ListFactoryReleasePackagesResponse l = c.listFactoryReleasePackages(new ListFactoryReleasePackagesRequest()
                .withBody(new ListReleasePackagesRequestBody()));
        assertNull(l.getXRequestId());
    }

    @Test
    @Order(8)
    void showUnknownPackageIs400Dlf0810() {
        ServiceResponseException e = assertThrows(ServiceResponseException.class, () -> show("987654321"));
        assertEquals(400, e.getHttpStatusCode(), e.toString());
        assertEquals("DLF.0810", e.getErrorCode(), e.toString());
    }

    @Test
    @Order(9)
    void cancel12And13() {
        CancelFactoryPackagesResponse r = studio.cancelFactoryPackages(new CancelFactoryPackagesRequest()
                .withBody(new CancelFactoryPackagesRequestBody().withPackageIds(List.of("12", "13"))));
        assertEquals(200, r.getHttpStatusCode());
        for (String id : List.of("12", "13")) {
            assertEquals(1, show(id).getReleasePackage().getDeleteFlag(), id);
        }
    }

    @Test
    @Order(10)
    void pendingItemOperationsAreNotInTheJavaSdk() {
        Set<String> methods = Arrays.stream(DataArtsStudioClient.class.getMethods()).map(Method::getName)
                .collect(Collectors.toSet());
        assertTrue(methods.contains("deployFactoryPackages"));
        assertFalse(methods.contains("listFactoryPendingItems"));
        assertFalse(methods.contains("createFactoryPendingItemsPackage"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName(
                "com.huaweicloud.sdk.dataartsstudio.v1.model.ListFactoryPendingItemsRequest"));
    }

    static PendingItems.Client pendingClient() {
        return new ClientBuilder<>(PendingItems.Client::new).withCredential(credentials(emu.ak(), emu.sk()))
                .withEndpoints(List.of(emu.url())).withHttpConfig(HttpConfig.getDefaultHttpConfig()).build();
    }

    @Test
    @Order(11)
    void listPendingItemsThroughTheSdkCore() {
        PendingItems.ListResponse r = pendingClient().listFactoryPendingItems(
                new PendingItems.ListRequest().workspace(emu.workspaceId()).limit(100).offset(0));
        Set<String> ids = r.data.stream().map(i -> i.pendingItemId).collect(Collectors.toSet());
        assertTrue(ids.contains("26"), ids.toString());
        assertTrue(r.total >= 1, "total " + r.total);
    }

    @Test
    @Order(12)
    void listPendingItemsWithoutWorkspaceIs400() {
        ServiceResponseException e = assertThrows(ServiceResponseException.class,
                () -> pendingClient().listFactoryPendingItems(new PendingItems.ListRequest()));
        assertEquals(400, e.getHttpStatusCode(), e.toString());
    }

    @Test
    @Order(13)
    void packagePendingItem26ThroughTheSdkCore() {
        PendingItems.Client c = pendingClient();
        PendingItems.Item item = c.listFactoryPendingItems(new PendingItems.ListRequest()
                .workspace(emu.workspaceId()).limit(100)).data.stream()
                .filter(i -> "26".equals(i.pendingItemId)).findFirst().orElseThrow();
        var approvers = show("23").getReleasePackage().getPackageApprovers();
        assertFalse(approvers.isEmpty(), "package 23 has no approvers to reuse");
        PendingItems.PackageBody body = new PendingItems.PackageBody();
        body.applyUserId = item.submitUserId;
        body.packageName = "conformance_java_sdk_package";
        body.pendingItemList = List.of("26");
        body.approverIds = List.of(approvers.get(0).getUserId());
        PendingItems.PackageResponse r = c.createFactoryPendingItemsPackage(
                new PendingItems.PackageRequest().workspace(emu.workspaceId()).body(body));
        assertEquals("conformance_java_sdk_package", r.packageName);
        assertTrue(r.releasePackageId != null && r.releasePackageId.matches("\\d+"), r.releasePackageId);
        ShowFactoryPackageDetailResponse created = show(r.releasePackageId);
        assertEquals(1, created.getReleasePackage().getDeployStatus());
        assertEquals(List.of("26"), created.getTaskDetails().stream().map(d -> d.getPendingItemId()).toList());
    }

    static ListSystemTasksResponse task(String id) {
        return dlf.listSystemTasks(new ListSystemTasksRequest().withTaskId(id));
    }

    /**
     * The documented system task carries its times as numbers (ms); the Java SDK declares them
     * strings and refuses the numbers. With the emulator switched to numeric strings, it decodes
     * the task and its subtasks.
     */
    @Test
    @Order(14)
    void systemTaskTimesNumbersFailStringsDecode() throws InterruptedException {
        String taskId = deployed.getDeployPackageDetails().get(0).getAsyTaskId();
        assertTrue(emu.admin("GET", "/system-task-times", null).contains("\"number\""),
                "the emulator should send numbers by default");
        // The SDK reports a body it cannot decode as a ServerResponseException carrying the
        // HTTP status of the (successful) answer and no error code.
        ServerResponseException e = assertThrows(ServerResponseException.class, () -> task(taskId));
        assertEquals(200, e.getHttpStatusCode(), e.toString());
        assertNull(e.getErrorCode(), e.toString());
        assertTrue(e.getErrorMsg() != null && e.getErrorMsg().matches("(?s).*\\[\"(startTime|endTime|lastUpdate)\"\\].*"),
                "the decode error should name the time field: " + e.getErrorMsg());
        emu.admin("PUT", "/system-task-times", "{\"format\":\"string\"}");
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            ListSystemTasksResponse t;
            while (true) {
                t = task(taskId);
                assertEquals(taskId, t.getId());
                assertTrue(TASK_STATUSES.contains(t.getStatus().getValue()), t.toString());
                // The SDK reads `subTasks`; the documented key is `subtasks` (the emulator sends both).
                assertNotNull(t.getSubTasks(), t.toString());
                assertEquals(deployed.getDeployPackageDetails().get(0).getAsySubtaskNum(), t.getSubTasks().size());
                for (SubTaskStatus s : t.getSubTasks()) {
                    assertNotNull(s.getId());
                    assertTrue(TASK_STATUSES.contains(s.getStatus().getValue()), s.toString());
                }
                if (!"RUNNING".equals(t.getStatus().getValue()) || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(50);
            }
            assertEquals("SUCCESSFUL", t.getStatus().getValue(), t.toString());
            assertNotNull(t.getEndTime());
            assertTrue(Long.parseLong(t.getStartTime()) <= Long.parseLong(t.getEndTime()), t.toString());
            for (SubTaskStatus s : t.getSubTasks()) {
                assertEquals("SUCCESSFUL", s.getStatus().getValue(), s.toString());
                Long.parseLong(s.getLastUpdate());
            }
            assertEquals(2, show("23").getReleasePackage().getDeployStatus());
        } finally {
            emu.admin("PUT", "/system-task-times", "{\"format\":\"number\"}");
        }
    }

    @Test
    @Order(16)
    void systemTaskUnknownIdIs400() {
        ServiceResponseException e = assertThrows(ServiceResponseException.class, () -> task("0".repeat(32)));
        assertEquals(400, e.getHttpStatusCode(), e.toString());
    }

    /**
     * DeploySeq's loop (the benchmark driver) for three calls. The demo state has no three
     * consecutive packages awaiting review, so the test resets the emulator (last test) and runs
     * 12 untimed + 13 timed, then 23 timed; an unknown id makes the loop fail.
     */
    @Test
    @Order(17)
    void deploySeqLoopThreeCalls() {
        emu.admin("POST", "/reset", null);
        double s1 = DeploySeq.run(new DeploySeq.Options(emu.url(), emu.ak(), emu.sk(), emu.projectId(), null,
                12, 1, 1));
        double s2 = DeploySeq.run(new DeploySeq.Options(emu.url(), emu.ak(), emu.sk(), emu.projectId(),
                emu.workspaceId(), 23, 1, 0));
        assertTrue(s1 > 0 && s2 > 0);
        for (String id : List.of("12", "13", "23")) {
            int status = show(id).getReleasePackage().getDeployStatus();
            assertTrue(status == 5 || status == 2, id + " has deploy_status " + status);
        }
        assertTrue(DeploySeq.line(1, s2).matches("JAVA_SDK calls=1 seconds=\\d+\\.\\d{3} calls_per_s=\\d+\\.\\d"),
                DeploySeq.line(1, s2));
        ServiceResponseException e = assertThrows(ServiceResponseException.class,
                () -> DeploySeq.run(new DeploySeq.Options(emu.url(), emu.ak(), emu.sk(), emu.projectId(), null,
                        14, 1, 0)));
        assertEquals("DLF.0810", e.getErrorCode(), e.toString());
    }
}
