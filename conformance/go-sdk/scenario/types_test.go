package scenario

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	dasm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1/model"
	dlfm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dlf/v1/model"
)

// TestGoSDKModelsVersusTheSpec pins how the Go SDK (v0.1.207) declares the fields where it
// differs from openapi/deploy.yaml, or where the spec itself differs between operations. If
// an SDK upgrade changes one, this fails and docs/service-notes.md needs a look.
func TestGoSDKModelsVersusTheSpec(t *testing.T) {
	cases := []struct {
		model    any
		field    string
		goType   string
		jsonName string
		why      string
	}{
		// package ids: a string everywhere except in the deploy answer (as in the spec).
		{dasm.DeployFactoryPackagesRequestBody{}, "PackageIds", "[]string", "package_ids", "ids sent as strings"},
		{dasm.DeployPackagesResponseDeployPackageDetails{}, "PackageId", "*int64", "package_id", "the deploy answer's package_id is a number"},
		{dasm.ListReleasePackagesRespData{}, "PackageId", "*string", "package_id", "listed package_id is a string"},
		{dasm.ShowFactoryPackageDetailRequest{}, "PackageId", "string", "package_id", "path parameter"},
		{dasm.CreateFactoryPendingItemsPackageResponse{}, "ReleasePackageId", "*string", "release_package_id", "new id as a string"},
		// startup_mode: spec enum [0, 1]; the SDK takes any int32.
		{dasm.DeployFactoryPackagesRequestBody{}, "StartupMode", "*int32", "startup_mode", "no enum type"},
		// workspace header: optional (pointer) on most operations, required (plain string) on the pending-items ones.
		{dasm.DeployFactoryPackagesRequest{}, "Workspace", "*string", "workspace", "optional header"},
		{dasm.ListFactoryPendingItemsRequest{}, "Workspace", "string", "workspace", "required header, zero value = not sent"},
		{dasm.CreateFactoryPendingItemsPackageRequest{}, "Workspace", "string", "workspace", "required header"},
		// X-Request-Id: only list and show expose it, as a field of the response model.
		{dasm.ListFactoryReleasePackagesResponse{}, "XRequestId", "*string", "X-request-id", "header copied into the model"},
		{dasm.ShowFactoryPackageDetailResponse{}, "XRequestId", "*string", "X-request-id", "header copied into the model"},
		// system task (dlf/v1): times are strings in the SDK, integers (ms) in the spec.
		{dlfm.ListSystemTasksResponse{}, "StartTime", "*string", "startTime", "spec: EpochMillis integer"},
		{dlfm.ListSystemTasksResponse{}, "EndTime", "*string", "endTime", "spec: EpochMillis integer"},
		{dlfm.ListSystemTasksResponse{}, "LastUpdate", "*string", "lastUpdate", "spec: EpochMillis integer"},
		{dlfm.SubTaskStatus{}, "StartTime", "*string", "startTime", "spec: EpochMillis integer"},
		{dlfm.SubTaskStatus{}, "EndTime", "*string", "endTime", "spec: EpochMillis integer"},
		{dlfm.SubTaskStatus{}, "LastUpdate", "*string", "lastUpdate", "spec: EpochMillis integer"},
		// subtasks: the documentation's key is `subtasks`; the SDK reads `subTasks`.
		{dlfm.ListSystemTasksResponse{}, "SubTasks", "*[]model.SubTaskStatus", "subTasks", "spec documents subtasks"},
		{dlfm.ListSystemTasksResponse{}, "Status", "*model.ListSystemTasksResponseStatus", "status", "enum type"},
	}
	for _, c := range cases {
		typ := reflect.TypeOf(c.model)
		f, ok := typ.FieldByName(c.field)
		if !ok {
			t.Errorf("%s has no field %s (%s)", typ, c.field, c.why)
			continue
		}
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		if f.Type.String() != c.goType || name != c.jsonName {
			t.Errorf("%s.%s is %s `json:%q`, want %s %q (%s)", typ, c.field, f.Type, name, c.goType, c.jsonName, c.why)
		}
	}

	// Fields in the spec that the SDK's models lack, so they are dropped when decoding.
	missing := []struct {
		model any
		field string
	}{
		{dlfm.ListSystemTasksResponse{}, "ProjectId"},
		{dlfm.SubTaskStatus{}, "TaskId"},
		{dasm.DeployFactoryPackagesResponse{}, "XRequestId"},
		{dasm.ListFactoryPendingItemsResponse{}, "XRequestId"},
	}
	for _, m := range missing {
		if _, ok := reflect.TypeOf(m.model).FieldByName(m.field); ok {
			t.Errorf("%T now has %s: update docs/service-notes.md", m.model, m.field)
		}
	}

	// Status enums: the SDK knows WARNING, which the spec does not list.
	e := dlfm.GetListSystemTasksResponseStatusEnum()
	got := []string{e.RUNNING.Value(), e.SUCCESSFUL.Value(), e.FAILED.Value(), e.WARNING.Value()}
	if strings.Join(got, ",") != "RUNNING,SUCCESSFUL,FAILED,WARNING" {
		t.Errorf("task status enum %v", got)
	}
	se := dlfm.GetSubTaskStatusStatusEnum()
	if se.WARNING.Value() != "WARNING" {
		t.Errorf("subtask status enum WARNING is %q", se.WARNING.Value())
	}
	// The enum type accepts any string: a status outside the enum decodes without an error.
	var task dlfm.ListSystemTasksResponse
	if err := json.Unmarshal([]byte(`{"id":"x","status":"PAUSED"}`), &task); err != nil || task.Status.Value() != "PAUSED" {
		t.Errorf("an unknown status: err %v, value %v", err, task.Status)
	}
	// Marshalling a list answer back writes the X-Request-Id header as a body key.
	id := "abc"
	b, err := json.Marshal(dasm.ListFactoryReleasePackagesResponse{XRequestId: &id})
	if err != nil || string(b) != `{"X-request-id":"abc"}` {
		t.Errorf("list response marshals as %s (%v)", b, err)
	}
}
