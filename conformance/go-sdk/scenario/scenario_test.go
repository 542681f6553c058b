package scenario

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.com/dataarts-release/conformance/go-sdk/internal/deployseq"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	dasm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1/model"
	dlfm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dlf/v1/model"
)

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// deployed is the answer to the one release of package 23, kept for the system-task test.
var deployed *dasm.DeployPackagesResponseDeployPackageDetails

func TestDeployDocumentedExample(t *testing.T) {
	resp, err := studio.DeployFactoryPackages(deployRequest("23"))
	if err != nil {
		t.Fatalf("deploy 23: %v", err)
	}
	got, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(specExample(t, "/v2/{project_id}/factory/release-packages/deploy", "post"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("the decoded answer, marshalled back, differs from the spec's example:\n got %s\nwant %s", got, want)
	}
	details := deref(resp.DeployPackageDetails)
	if len(details) != 1 || deref(details[0].PackageId) != 23 || !hex32.MatchString(deref(details[0].AsyTaskId)) {
		t.Fatalf("unexpected details %s", resp)
	}
	deployed = &details[0]
}

func TestDeployWithWrongSKIs401APIGW0301(t *testing.T) {
	swap := "x"
	if strings.HasSuffix(emu.SK, "x") {
		swap = "y"
	}
	wrong := emu.SK[:len(emu.SK)-1] + swap
	_, err := studioWith(t, emu.AK, wrong).DeployFactoryPackages(deployRequest("23"))
	se := serviceError(t, err, 401, "APIGW.0301")
	if se.RequestId == "" {
		t.Fatalf("no request id in the 401: %v", se)
	}
}

func TestDeployWithUnknownAKIs401(t *testing.T) {
	_, err := studioWith(t, "UNKNOWNAK00000000000", emu.SK).DeployFactoryPackages(deployRequest("13"))
	serviceError(t, err, 401, "APIGW.0301")
}

func TestListReleasePackages(t *testing.T) {
	limit, offset := int32(100), int32(0)
	resp, err := studio.ListFactoryReleasePackages(&dasm.ListFactoryReleasePackagesRequest{
		Body: &dasm.ListReleasePackagesRequestBody{Limit: &limit, Offset: &offset},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range deref(resp.Data) {
		ids = append(ids, deref(p.PackageId))
		if p.PackageApprovers == nil {
			t.Fatalf("package %s has no package_approvers list", deref(p.PackageId))
		}
	}
	for _, id := range []string{"12", "13", "23"} {
		if !slices.Contains(ids, id) {
			t.Fatalf("package %s not listed: %v", id, ids)
		}
	}
	if deref(resp.Total) < 3 {
		t.Fatalf("total %d, want at least 3", deref(resp.Total))
	}
	if deref(resp.XRequestId) == "" {
		t.Fatal("no X-Request-Id header on the list response")
	}
}

func TestListReleasePackagesWithoutABody(t *testing.T) {
	resp, err := studio.ListFactoryReleasePackages(&dasm.ListFactoryReleasePackagesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if deref(resp.Total) < 1 {
		t.Fatalf("total %d, want at least 1", deref(resp.Total))
	}
}

func TestListReleasePackagesByStatus(t *testing.T) {
	limit := int32(100)
	resp, err := studio.ListFactoryReleasePackages(&dasm.ListFactoryReleasePackagesRequest{
		Body: &dasm.ListReleasePackagesRequestBody{DeployStatusFilter: &[]int32{1}, Limit: &limit},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range deref(resp.Data) {
		ids = append(ids, deref(p.PackageId))
		if deref(p.DeployStatus) != 1 {
			t.Fatalf("package %s has deploy_status %d in a deploy_status_filter [1] listing", deref(p.PackageId), deref(p.DeployStatus))
		}
	}
	// 12 and 13 still await review; 23 was released by the first test.
	if !slices.Contains(ids, "12") || !slices.Contains(ids, "13") || slices.Contains(ids, "23") {
		t.Fatalf("awaiting review: %v, want 12 and 13 but not 23", ids)
	}
}

func TestShowPackage(t *testing.T) {
	resp := show(t, "13")
	p := resp.ReleasePackage
	if deref(p.PackageId) != "13" || deref(p.WorkspaceId) == "" || p.PackageApprovers == nil {
		t.Fatalf("unexpected package %s", resp)
	}
	if resp.TaskDetails == nil {
		t.Fatalf("no task_details list: %s", resp)
	}
	if deref(resp.XRequestId) == "" {
		t.Fatal("no X-Request-Id on the show response")
	}
}

func TestShowUnknownPackageIs400DLF0810(t *testing.T) {
	_, err := studio.ShowFactoryPackageDetail(&dasm.ShowFactoryPackageDetailRequest{PackageId: "987654321"})
	serviceError(t, err, 400, "DLF.0810")
}

func TestCancelDocumentedExample(t *testing.T) {
	resp, err := studio.CancelFactoryPackages(&dasm.CancelFactoryPackagesRequest{
		Body: &dasm.CancelFactoryPackagesRequestBody{PackageIds: &[]string{"12", "13"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.HttpStatusCode != 200 {
		t.Fatalf("cancel answered %d", resp.HttpStatusCode)
	}
	for _, id := range []string{"12", "13"} {
		if flag := deref(show(t, id).ReleasePackage.DeleteFlag); flag != 1 {
			t.Fatalf("package %s has delete_flag %d after the cancel, want 1", id, flag)
		}
	}
}

func pendingItems(t *testing.T) []dasm.ListFactoryPendingItemsRespData {
	t.Helper()
	limit, offset := int32(100), int32(0)
	resp, err := studio.ListFactoryPendingItems(&dasm.ListFactoryPendingItemsRequest{
		Workspace: emu.WorkspaceID, Limit: &limit, Offset: &offset,
	})
	if err != nil {
		t.Fatal(err)
	}
	if deref(resp.Total) < 1 {
		t.Fatalf("total %d, want at least 1", deref(resp.Total))
	}
	return deref(resp.Data)
}

func findItem(items []dasm.ListFactoryPendingItemsRespData, id string) *dasm.ListFactoryPendingItemsRespData {
	for i := range items {
		if deref(items[i].PendingItemId) == id {
			return &items[i]
		}
	}
	return nil
}

func TestListPendingItems(t *testing.T) {
	if items := pendingItems(t); findItem(items, "26") == nil {
		t.Fatalf("pending item 26 not listed: %+v", items)
	}
}

func TestListPendingItemsWithoutWorkspaceIs400(t *testing.T) {
	// Workspace is a plain string in this request (required); the zero value sends no header.
	_, err := studio.ListFactoryPendingItems(&dasm.ListFactoryPendingItemsRequest{})
	serviceError(t, err, 400, "")
}

// createPackage packages pending items and checks the new package is awaiting review.
func createPackage(t *testing.T, name string, itemIDs ...string) string {
	t.Helper()
	items := pendingItems(t)
	item := findItem(items, itemIDs[0])
	if item == nil {
		t.Fatalf("pending item %s not listed", itemIDs[0])
	}
	approvers := show(t, "23").ReleasePackage.PackageApprovers
	if len(approvers) == 0 {
		t.Fatal("package 23 has no approvers to reuse")
	}
	resp, err := studio.CreateFactoryPendingItemsPackage(&dasm.CreateFactoryPendingItemsPackageRequest{
		Workspace: emu.WorkspaceID,
		Body: &dasm.CreateFactoryPendingItemsPackageBody{
			ApplyUserId:     deref(item.SubmitUserId),
			PackageName:     name,
			PendingItemList: itemIDs,
			ApproverIds:     []string{deref(approvers[0].UserId)},
		},
	})
	if err != nil {
		t.Fatalf("packaging %v: %v", itemIDs, err)
	}
	id := deref(resp.ReleasePackageId)
	if deref(resp.PackageName) != name {
		t.Fatalf("package_name %q, want %q", deref(resp.PackageName), name)
	}
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		t.Fatalf("release_package_id %q is not a decimal id: %s", id, resp)
	}
	created := show(t, id)
	if deref(created.ReleasePackage.DeployStatus) != 1 {
		t.Fatalf("new package %s has deploy_status %d, want 1", id, deref(created.ReleasePackage.DeployStatus))
	}
	var got []string
	for _, d := range deref(created.TaskDetails) {
		got = append(got, deref(d.PendingItemId))
	}
	if !slices.Equal(got, itemIDs) {
		t.Fatalf("new package %s holds items %v, want %v", id, got, itemIDs)
	}
	return id
}

func TestPackagePendingItem26(t *testing.T) {
	createPackage(t, "conformance_go_sdk_package", "26")
}

func TestSystemTaskOfTheDeploy(t *testing.T) {
	if deployed == nil {
		t.Fatal("the deploy of package 23 (TestDeployDocumentedExample) failed; nothing to poll")
	}
	taskID := deref(deployed.AsyTaskId)
	req := &dlfm.ListSystemTasksRequest{TaskId: taskID}

	// Documented wire format: times are JSON numbers; the SDK declares them strings.
	_, err := tasks.ListSystemTasks(req)
	if err == nil {
		t.Fatal("the Go SDK decoded numeric system task times; expected its decode error")
	}
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) || se.StatusCode != 200 || se.ErrorCode != "" {
		t.Fatalf("want the SDK's decode failure (ServiceResponseError, status 200, no error code), got %T: %v", err, err)
	}
	if !strings.Contains(se.ErrorMessage, "ListSystemTasksResponse.") ||
		!regexp.MustCompile(`(StartTime|EndTime|LastUpdate): ReadString`).MatchString(se.ErrorMessage) {
		t.Fatalf("the decode error does not name a time field: %s", se.ErrorMessage)
	}
	t.Logf("numeric times, as documented: the Go SDK fails with %q", se.ErrorMessage)

	if err := emu.SetSystemTaskTimes("string"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := emu.SetSystemTaskTimes("number"); err != nil {
			t.Errorf("switching the emulator back to numeric times: %v", err)
		}
	})
	statuses := []string{"RUNNING", "SUCCESSFUL", "FAILED"}
	deadline := time.Now().Add(10 * time.Second)
	var task *dlfm.ListSystemTasksResponse
	for {
		task, err = tasks.ListSystemTasks(req)
		if err != nil {
			t.Fatalf("list_system_tasks in string mode: %v", err)
		}
		if deref(task.Id) != taskID || task.Status == nil || !slices.Contains(statuses, task.Status.Value()) {
			t.Fatalf("unexpected task %s", task)
		}
		subs := deref(task.SubTasks)
		if len(subs) != int(deref(deployed.AsySubtaskNum)) {
			t.Fatalf("%d subTasks, want asy_subtask_num %d: %s", len(subs), deref(deployed.AsySubtaskNum), task)
		}
		for _, s := range subs {
			if deref(s.Id) == "" || s.Status == nil || !slices.Contains(statuses, s.Status.Value()) {
				t.Fatalf("unexpected subtask in %s", task)
			}
		}
		if task.Status.Value() != "RUNNING" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if task.Status.Value() != "SUCCESSFUL" {
		t.Fatalf("task ended %s, want SUCCESSFUL", task)
	}
	start, err1 := strconv.ParseInt(deref(task.StartTime), 10, 64)
	end, err2 := strconv.ParseInt(deref(task.EndTime), 10, 64)
	if err1 != nil || err2 != nil || start > end {
		t.Fatalf("startTime %q / endTime %q are not ordered millisecond strings", deref(task.StartTime), deref(task.EndTime))
	}
	for _, s := range deref(task.SubTasks) {
		if s.Status.Value() != "SUCCESSFUL" || deref(s.EndTime) == "" {
			t.Fatalf("subtask not finished in a finished task: %s", task)
		}
	}
	if status := deref(show(t, "23").ReleasePackage.DeployStatus); status != 2 {
		t.Fatalf("package 23 has deploy_status %d after its task succeeded, want 2", status)
	}
}

func TestSystemTaskUnknownIdIs400(t *testing.T) {
	_, err := tasks.ListSystemTasks(&dlfm.ListSystemTasksRequest{TaskId: strings.Repeat("0", 32)})
	serviceError(t, err, 400, "")
}

// The benchmark driver's loop, 3 calls: packages made here from the items that the cancel of
// 12 and 13 freed (20, 21, 22), so their ids are consecutive.
func TestDeploySeqDriverThreeCalls(t *testing.T) {
	first := createPackage(t, "conformance_go_sdk_seq_1", "20")
	second := createPackage(t, "conformance_go_sdk_seq_2", "21")
	third := createPackage(t, "conformance_go_sdk_seq_3", "22")
	id, _ := strconv.ParseInt(first, 10, 64)
	if second != strconv.FormatInt(id+1, 10) || third != strconv.FormatInt(id+2, 10) {
		t.Fatalf("new package ids %s, %s, %s are not consecutive", first, second, third)
	}
	res, err := deployseq.Run(studio, deployseq.Options{First: id, Calls: 3, Warmup: 0, Workspace: emu.WorkspaceID})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^GO_SDK calls=3 seconds=\d+\.\d{3} calls_per_s=\d+\.\d$`).MatchString(res.Line()) {
		t.Fatalf("driver line %q", res.Line())
	}
	for _, pid := range []string{first, second, third} {
		if status := deref(show(t, pid).ReleasePackage.DeployStatus); status != 5 && status != 2 {
			t.Fatalf("package %s has deploy_status %d after the driver released it, want 5 or 2", pid, status)
		}
	}
	// A fourth call on the next id, which does not exist, must fail the run.
	if _, err := deployseq.Run(studio, deployseq.Options{First: id + 3, Calls: 1}); err == nil {
		t.Fatalf("the driver released package %d, which does not exist", id+3)
	}
}
