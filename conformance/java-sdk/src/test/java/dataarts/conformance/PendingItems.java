package dataarts.conformance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.huaweicloud.sdk.core.HcClient;
import com.huaweicloud.sdk.core.SdkResponse;
import com.huaweicloud.sdk.core.http.FieldExistence;
import com.huaweicloud.sdk.core.http.HttpMethod;
import com.huaweicloud.sdk.core.http.HttpRequestDef;
import com.huaweicloud.sdk.core.http.LocationType;
import com.huaweicloud.sdk.dataartsstudio.v1.DataArtsStudioClient;
import java.util.List;

/**
 * The two pending-item operations that {@code huaweicloud-sdk-dataartsstudio} 3.1.143 (the newest
 * Java release) lacks, declared with the SDK core's own request definitions so that the core
 * builds, signs (AK/SK) and decodes them exactly as it does its generated operations.
 */
final class PendingItems {
    private PendingItems() {}

    /** {@code GET /v2/{project_id}/factory/pending-items}. */
    static final class ListRequest {
        private String workspace;
        private Integer limit;
        private Integer offset;

        ListRequest workspace(String v) { workspace = v; return this; }
        ListRequest limit(Integer v) { limit = v; return this; }
        ListRequest offset(Integer v) { offset = v; return this; }
        String getWorkspace() { return workspace; }
        void setWorkspace(String v) { workspace = v; }
        Integer getLimit() { return limit; }
        void setLimit(Integer v) { limit = v; }
        Integer getOffset() { return offset; }
        void setOffset(Integer v) { offset = v; }
    }

    /** One item waiting to be packaged. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Item {
        @JsonProperty("pending_item_id") public String pendingItemId;
        @JsonProperty("item_name") public String itemName;
        @JsonProperty("task_type") public Integer taskType;
        @JsonProperty("submit_timestamp") public Long submitTimestamp;
        @JsonProperty("submit_user_id") public String submitUserId;
    }

    /** One page of pending items. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class ListResponse extends SdkResponse {
        @JsonProperty("total") public Integer total;
        @JsonProperty("data") public List<Item> data;
    }

    /** The body of {@code create_factory_pending_items_package}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class PackageBody {
        @JsonProperty("apply_user_id") public String applyUserId;
        @JsonProperty("package_name") public String packageName;
        @JsonProperty("pending_item_list") public List<String> pendingItemList;
        @JsonProperty("approver_ids") public List<String> approverIds;
    }

    /** {@code POST /v2/{project_id}/factory/pending-items/package}. */
    static final class PackageRequest {
        private String workspace;
        private PackageBody body;

        PackageRequest workspace(String v) { workspace = v; return this; }
        PackageRequest body(PackageBody v) { body = v; return this; }
        String getWorkspace() { return workspace; }
        void setWorkspace(String v) { workspace = v; }
        PackageBody getBody() { return body; }
        void setBody(PackageBody v) { body = v; }
    }

    /** The new package. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class PackageResponse extends SdkResponse {
        @JsonProperty("package_name") public String packageName;
        @JsonProperty("release_package_id") public String releasePackageId;
    }

    static final HttpRequestDef<ListRequest, ListResponse> LIST = listDef();
    static final HttpRequestDef<PackageRequest, PackageResponse> PACKAGE = packageDef();

    private static HttpRequestDef<ListRequest, ListResponse> listDef() {
        HttpRequestDef.Builder<ListRequest, ListResponse> b = HttpRequestDef
                .builder(HttpMethod.GET, ListRequest.class, ListResponse.class)
                .withName("ListFactoryPendingItems")
                .withUri("/v2/{project_id}/factory/pending-items")
                .withContentType("application/json");
        b.<String>withRequestField("workspace", LocationType.Header, FieldExistence.NULL_IGNORE, String.class,
                f -> f.withMarshaller(ListRequest::getWorkspace, ListRequest::setWorkspace));
        b.<Integer>withRequestField("limit", LocationType.Query, FieldExistence.NULL_IGNORE, Integer.class,
                f -> f.withMarshaller(ListRequest::getLimit, ListRequest::setLimit));
        b.<Integer>withRequestField("offset", LocationType.Query, FieldExistence.NULL_IGNORE, Integer.class,
                f -> f.withMarshaller(ListRequest::getOffset, ListRequest::setOffset));
        return b.build();
    }

    private static HttpRequestDef<PackageRequest, PackageResponse> packageDef() {
        HttpRequestDef.Builder<PackageRequest, PackageResponse> b = HttpRequestDef
                .builder(HttpMethod.POST, PackageRequest.class, PackageResponse.class)
                .withName("CreateFactoryPendingItemsPackage")
                .withUri("/v2/{project_id}/factory/pending-items/package")
                .withContentType("application/json;charset=UTF-8");
        b.<String>withRequestField("workspace", LocationType.Header, FieldExistence.NULL_IGNORE, String.class,
                f -> f.withMarshaller(PackageRequest::getWorkspace, PackageRequest::setWorkspace));
        b.<PackageBody>withRequestField("body", LocationType.Body, FieldExistence.NON_NULL_NON_EMPTY,
                PackageBody.class, f -> f.withMarshaller(PackageRequest::getBody, PackageRequest::setBody));
        return b.build();
    }

    /** A DataArtsStudioClient that also offers the two missing operations through its own core. */
    static final class Client extends DataArtsStudioClient {
        Client(HcClient hc) {
            super(hc);
        }

        ListResponse listFactoryPendingItems(ListRequest request) {
            return hcClient.syncInvokeHttp(request, LIST);
        }

        PackageResponse createFactoryPendingItemsPackage(PackageRequest request) {
            return hcClient.syncInvokeHttp(request, PACKAGE);
        }
    }
}
