package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.com/dataarts-release/examples/go/client"
)

// These tests need a running emulator (`cargo xtask test` starts one and sets the variables).
// They share it and run in file order: package 23 is released once, by the first test.
var emu struct{ url, token, projectID, workspaceID string }

func TestMain(m *testing.M) {
	vars := []struct {
		name string
		dst  *string
	}{
		{"DATAARTS_EMULATOR_URL", &emu.url}, {"DATAARTS_EMULATOR_TOKEN", &emu.token},
		{"DATAARTS_EMULATOR_PROJECT_ID", &emu.projectID}, {"DATAARTS_EMULATOR_WORKSPACE_ID", &emu.workspaceID},
	}
	var missing []string
	for _, v := range vars {
		*v.dst = strings.TrimRight(strings.TrimSpace(os.Getenv(v.name)), "/")
		if *v.dst == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: these tests need a running emulator, but it is not configured (unset: %s).\n"+
			"Run them with `cargo xtask test --only go-client`, or start one (see README.md) and set "+
			"DATAARTS_EMULATOR_URL, DATAARTS_EMULATOR_TOKEN, DATAARTS_EMULATOR_PROJECT_ID and DATAARTS_EMULATOR_WORKSPACE_ID.\n",
			strings.Join(missing, ", "))
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func emulatorClient(t *testing.T, token string) *client.ClientWithResponses {
	t.Helper()
	c, err := newClient(emu.url, token)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func deploy(t *testing.T, c *client.ClientWithResponses, ids ...string) *client.DeployFactoryPackagesResponse {
	t.Helper()
	mode := client.N0
	resp, err := c.DeployFactoryPackagesWithApplicationJSONCharsetUTF8BodyWithResponse(context.Background(),
		emu.projectID, nil, client.DeployBody{PackageIds: ids, StartupMode: &mode})
	if err != nil {
		t.Fatalf("deploy %v: %v", ids, err)
	}
	return resp
}

// documentedExample returns the deploy operation's 200 example from the spec the emulator serves.
func documentedExample(t *testing.T) []byte {
	t.Helper()
	resp, err := http.Get(emu.url + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json answered %d", resp.StatusCode)
	}
	// A path item also holds non-operation keys (e.g. `parameters`), so decode it loosely.
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&spec); err != nil {
		t.Fatalf("decoding /openapi.json: %v", err)
	}
	var operation struct {
		Responses map[string]struct {
			Content map[string]struct {
				Example json.RawMessage `json:"example"`
			} `json:"content"`
		} `json:"responses"`
	}
	raw := spec.Paths["/v2/{project_id}/factory/release-packages/deploy"]["post"]
	if err := json.Unmarshal(raw, &operation); err != nil {
		t.Fatalf("decoding the deploy operation of /openapi.json: %v", err)
	}
	example := operation.Responses["200"].Content["application/json;charset=UTF-8"].Example
	if len(example) == 0 {
		t.Fatal("/openapi.json has no 200 example for deploy_factory_packages")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, example); err != nil {
		t.Fatal(err)
	}
	return compact.Bytes()
}

var deployed client.DeployPackageDetail

func TestDeployDecodesTheDocumentedExample(t *testing.T) {
	resp := deploy(t, emulatorClient(t, emu.token), "23")
	if resp.StatusCode() != http.StatusOK || resp.ApplicationjsonCharsetUTF8200 == nil {
		t.Fatalf("deploy 23: HTTP %d %s", resp.StatusCode(), resp.Body)
	}
	example := documentedExample(t)
	var fromSpec client.DeployResponse
	if err := json.Unmarshal(example, &fromSpec); err != nil {
		t.Fatalf("the generated model cannot decode the documented example %s: %v", example, err)
	}
	if !reflect.DeepEqual(*resp.ApplicationjsonCharsetUTF8200, fromSpec) {
		t.Fatalf("deploy 23 decoded to %+v, the documented example to %+v", *resp.ApplicationjsonCharsetUTF8200, fromSpec)
	}
	again, err := json.Marshal(resp.ApplicationjsonCharsetUTF8200)
	if err != nil || !bytes.Equal(again, example) {
		t.Fatalf("marshalled back: %s (%v), documented: %s", again, err, example)
	}
	if resp.Headers200 == nil || deref(resp.Headers200.XRequestId) == "" {
		t.Fatal("no X-Request-Id header decoded on the 200")
	}
	deployed = (*resp.ApplicationjsonCharsetUTF8200.DeployPackageDetails)[0]
}

func TestSystemTaskWithNumericTimes(t *testing.T) {
	if deployed.AsyTaskId == nil {
		t.Fatal("the deploy of package 23 failed earlier; no task to poll")
	}
	if k := reflect.TypeOf(client.EpochMillis(0)).Kind(); k != reflect.Int64 {
		t.Fatalf("EpochMillis is %s, want int64 (see output-options.type-mapping in oapi-codegen.yaml)", k)
	}
	c := emulatorClient(t, emu.token)
	deadline := time.Now().Add(10 * time.Second)
	var task *client.SystemTask
	for {
		resp, err := c.ListSystemTasksWithResponse(context.Background(), emu.projectID, *deployed.AsyTaskId, nil)
		if err != nil {
			t.Fatal(err)
		}
		if task = resp.ApplicationjsonCharsetUTF8200; task == nil {
			t.Fatalf("list_system_tasks: HTTP %d %s", resp.StatusCode(), resp.Body)
		}
		if task.Id != *deployed.AsyTaskId {
			t.Fatalf("task id %q, want %q", task.Id, *deployed.AsyTaskId)
		}
		if task.Status != "RUNNING" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if task.Status != "SUCCESSFUL" {
		t.Fatalf("task ended %q, want SUCCESSFUL", task.Status)
	}
	// Milliseconds since the epoch: after 2020-01-01 and start <= end.
	start, end := deref(task.StartTime), deref(task.EndTime)
	if start < 1_577_836_800_000 || end < start {
		t.Fatalf("startTime %d, endTime %d", start, end)
	}
	subs := deref(task.Subtasks)
	if len(subs) != int(deref(deployed.AsySubtaskNum)) {
		t.Fatalf("%d subtasks, want asy_subtask_num %d", len(subs), deref(deployed.AsySubtaskNum))
	}
	for _, s := range subs {
		if deref(s.Status) != "SUCCESSFUL" || deref(s.EndTime) < deref(s.StartTime) {
			t.Fatalf("subtask %+v", s)
		}
	}
	// The spec declares both keys (the docs' `subtasks`, the SDKs' `subTasks`); both are sent.
	if !reflect.DeepEqual(subs, deref(task.SubTasks)) {
		t.Fatalf("subtasks %+v differ from subTasks %+v", subs, deref(task.SubTasks))
	}
}

func TestWrongTokenIs401WithTheErrorBody(t *testing.T) {
	resp := deploy(t, emulatorClient(t, emu.token+"-wrong"), "13")
	if resp.StatusCode() != http.StatusUnauthorized {
		t.Fatalf("HTTP %d, want 401: %s", resp.StatusCode(), resp.Body)
	}
	e := resp.ApplicationjsonCharsetUTF84XX
	if e == nil || deref(e.ErrorCode) != "APIGW.0301" || deref(e.ErrorMsg) == "" || deref(e.RequestId) == "" {
		t.Fatalf("401 error body not decoded as APIGW.0301 with message and request id: %s", resp.Body)
	}
}

// TestExampleProgram builds the example and runs it once: it releases package 13 and waits.
func TestExampleProgram(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "release")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := append(os.Environ(),
		"DATAARTS_AUTH_TOKEN="+emu.token, "DATAARTS_ENDPOINT="+emu.url,
		"HUAWEICLOUD_SDK_PROJECT_ID="+emu.projectID, "DATAARTS_WORKSPACE="+emu.workspaceID)
	runIt := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if exit, ok := err.(*exec.ExitError); ok {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), code
	}
	out, errOut, code := runIt("-timeout", "30s", "13")
	if code != 0 || !regexp.MustCompile(`^package 13: task [0-9a-f]{32} SUCCESSFUL\n$`).MatchString(out) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Package 13 is released now: a second release is refused by the service.
	out, errOut, code = runIt("13")
	if code != 1 || out != "" || !strings.Contains(errOut, "HTTP 400") {
		t.Fatalf("releasing 13 again: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if strings.Contains(errOut, emu.token) {
		t.Fatal("the program printed the token")
	}
	if _, errOut, code = runIt(); code != 2 || !strings.Contains(errOut, "usage:") {
		t.Fatalf("no arguments: exit %d, stderr %q", code, errOut)
	}
}
