package dataarts.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.huaweicloud.sdk.dataartsstudio.v1.model.CancelFactoryPackagesRequestBody;
import com.huaweicloud.sdk.dataartsstudio.v1.model.DeployFactoryPackagesRequestBody;
import com.huaweicloud.sdk.dataartsstudio.v1.model.DeployFactoryPackagesResponse;
import com.huaweicloud.sdk.dataartsstudio.v1.model.DeployPackagesResponseDeployPackageDetails;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ListFactoryReleasePackagesResponse;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ListReleasePackagesRequestBody;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ListReleasePackagesRespData;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ListReleasePackagesRespPackageApprovers;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ShowFactoryPackageDetailResponse;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ShowPackageDetailRespReleasePackage;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ShowPackageDetailRespReleasePackagePackageApprovers;
import com.huaweicloud.sdk.dataartsstudio.v1.model.ShowPackageDetailRespTaskDetails;
import com.huaweicloud.sdk.dlf.v1.model.ListSystemTasksResponse;
import com.huaweicloud.sdk.dlf.v1.model.SubTaskStatus;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every field of the Java SDK's models for our seven operations against the spec's schemas:
 * names and JSON types. The differences are listed exactly, so a new SDK version or a spec change
 * that adds one fails here. Needs no emulator.
 */
class SdkModelsVsSpecTest {

    /** SDK model class -> spec schema it decodes. */
    private static final Map<Class<?>, String> PAIRS = new LinkedHashMap<>();

    static {
        PAIRS.put(DeployFactoryPackagesRequestBody.class, "DeployBody");
        PAIRS.put(DeployFactoryPackagesResponse.class, "DeployResponse");
        PAIRS.put(DeployPackagesResponseDeployPackageDetails.class, "DeployPackageDetail");
        PAIRS.put(ListReleasePackagesRequestBody.class, "ListReleasePackagesBody");
        PAIRS.put(ListFactoryReleasePackagesResponse.class, "ListReleasePackagesResponse");
        PAIRS.put(ListReleasePackagesRespData.class, "ReleasePackage");
        PAIRS.put(ListReleasePackagesRespPackageApprovers.class, "PackageApprover");
        PAIRS.put(ShowFactoryPackageDetailResponse.class, "ShowPackageDetailResponse");
        PAIRS.put(ShowPackageDetailRespReleasePackage.class, "ReleasePackage");
        PAIRS.put(ShowPackageDetailRespReleasePackagePackageApprovers.class, "PackageApprover");
        PAIRS.put(ShowPackageDetailRespTaskDetails.class, "TaskDetail");
        PAIRS.put(CancelFactoryPackagesRequestBody.class, "CancelBody");
        PAIRS.put(ListSystemTasksResponse.class, "SystemTask");
        PAIRS.put(SubTaskStatus.class, "SubTask");
    }

    /** What the SDK does differently from the spec, one line each. */
    private static final List<String> EXPECTED = List.of(
            // The response models map the X-Request-Id header, spelled X-request-id (see
            // OfficialJavaSdkTest: it stays null).
            "ListReleasePackagesResponse.X-request-id: only in the SDK (string)",
            "ShowPackageDetailResponse.X-request-id: only in the SDK (string)",
            // Documented as numbers (ms); the SDK refuses numbers.
            "SubTask.endTime: spec int64, SDK string",
            "SubTask.lastUpdate: spec int64, SDK string",
            "SubTask.startTime: spec int64, SDK string",
            "SubTask.status: spec string, SDK enum",
            "SubTask.taskId: not in the SDK",
            "SystemTask.endTime: spec int64, SDK string",
            "SystemTask.lastUpdate: spec int64, SDK string",
            "SystemTask.projectId: not in the SDK",
            "SystemTask.startTime: spec int64, SDK string",
            "SystemTask.status: spec string, SDK enum",
            // The documentation's key; the SDK reads subTasks (the emulator sends both).
            "SystemTask.subtasks: not in the SDK");

    @Test
    void sdkModelsDifferFromTheSpecExactlyAsListed() throws IOException {
        Map<String, Object> schemas = schemas();
        TreeSet<String> diffs = new TreeSet<>();
        for (Map.Entry<Class<?>, String> pair : PAIRS.entrySet()) {
            String schema = pair.getValue();
            Map<String, String> spec = specFields(schemas, schema);
            Map<String, String> sdk = sdkFields(pair.getKey());
            for (Map.Entry<String, String> f : spec.entrySet()) {
                String theirs = sdk.get(f.getKey());
                if (theirs == null) {
                    diffs.add(schema + "." + f.getKey() + ": not in the SDK");
                } else if (!theirs.equals(f.getValue())) {
                    diffs.add(schema + "." + f.getKey() + ": spec " + f.getValue() + ", SDK " + theirs);
                }
            }
            for (Map.Entry<String, String> f : sdk.entrySet()) {
                if (!spec.containsKey(f.getKey())) {
                    diffs.add(schema + "." + f.getKey() + ": only in the SDK (" + f.getValue() + ")");
                }
            }
        }
        assertEquals(new TreeSet<>(EXPECTED), diffs);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> schemas() throws IOException {
        try (Reader r = Files.newBufferedReader(Path.of("..", "..", "openapi", "deploy.yaml"), StandardCharsets.UTF_8)) {
            Map<String, Object> root = new Yaml().load(r);
            return (Map<String, Object>) ((Map<String, Object>) root.get("components")).get("schemas");
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> specFields(Map<String, Object> schemas, String name) {
        Map<String, Object> props = (Map<String, Object>) ((Map<String, Object>) schemas.get(name)).get("properties");
        Map<String, String> out = new LinkedHashMap<>();
        props.forEach((k, v) -> out.put(k, specType(schemas, (Map<String, Object>) v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    static String specType(Map<String, Object> schemas, Map<String, Object> prop) {
        Object ref = prop.get("$ref");
        if (ref != null) {
            Map<String, Object> target = (Map<String, Object>) schemas.get(ref.toString()
                    .substring("#/components/schemas/".length()));
            return target.containsKey("properties") ? "object" : specType(schemas, target);
        }
        String type = String.valueOf(prop.get("type"));
        String format = String.valueOf(prop.get("format"));
        return switch (type) {
            case "integer" -> "int32".equals(format) ? "int32" : "int64"; // int64 and unix-ms
            default -> type;
        };
    }

    static Map<String, String> sdkFields(Class<?> type) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Field f : type.getDeclaredFields()) {
            JsonProperty p = f.getAnnotation(JsonProperty.class);
            if (p == null) {
                continue;
            }
            Class<?> t = f.getType();
            String json;
            if (t == String.class) {
                json = "string";
            } else if (t == Integer.class) {
                json = "int32";
            } else if (t == Long.class) {
                json = "int64";
            } else if (List.class.isAssignableFrom(t)) {
                json = "array";
            } else if (t.getSimpleName().endsWith("Enum")) {
                json = "enum";
            } else {
                json = "object";
            }
            out.put(p.value(), json);
        }
        return out;
    }
}
