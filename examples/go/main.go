// Command release releases DataArts Factory release packages with a client generated from
// the repository's OpenAPI spec (client/client.gen.go, by oapi-codegen), authenticating with
// an IAM token, and waits for each release's system task to finish.
//
//	go run . [-start-jobs] [-timeout 10m] PACKAGE_ID...
//
// Settings come from the environment, with the names the dataarts-release CLI uses:
//
//	DATAARTS_AUTH_TOKEN or DATAARTS_AUTH_TOKEN_FILE   IAM token, sent as X-Auth-Token
//	HUAWEICLOUD_SDK_PROJECT_ID                          IAM project id
//	DATAARTS_ENDPOINT or DATAARTS_REGION                endpoint (e.g. the emulator), or the region
//	DATAARTS_V1_ENDPOINT                                optional: the system-task API's endpoint
//	DATAARTS_WORKSPACE                                  optional: the workspace id
//
// Exit status: 0 when every package was released, 1 when a call or a release failed, 2 for
// a usage error.
package main

//go:generate go tool -modfile=tools/go.mod oapi-codegen -config oapi-codegen.yaml ../../openapi/deploy.yaml

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"example.com/dataarts-release/examples/go/client"
)

// settings are what the program reads from the environment.
type settings struct {
	token      string
	projectID  string
	endpoint   string // the release-package API (V2)
	v1Endpoint string // the system-task API (V1)
	workspace  string
}

func settingsFromEnv(getenv func(string) string) (settings, error) {
	s := settings{
		token:      getenv("DATAARTS_AUTH_TOKEN"),
		projectID:  getenv("HUAWEICLOUD_SDK_PROJECT_ID"),
		endpoint:   strings.TrimRight(getenv("DATAARTS_ENDPOINT"), "/"),
		v1Endpoint: strings.TrimRight(getenv("DATAARTS_V1_ENDPOINT"), "/"),
		workspace:  getenv("DATAARTS_WORKSPACE"),
	}
	if s.token == "" {
		if path := getenv("DATAARTS_AUTH_TOKEN_FILE"); path != "" {
			data, err := os.ReadFile(path)
			if err != nil {
				return s, fmt.Errorf("reading DATAARTS_AUTH_TOKEN_FILE: %w", err)
			}
			s.token = strings.TrimSpace(string(data))
		}
	}
	if s.token == "" {
		return s, errors.New("no IAM token: set DATAARTS_AUTH_TOKEN or DATAARTS_AUTH_TOKEN_FILE")
	}
	if s.projectID == "" {
		return s, errors.New("no project id: set HUAWEICLOUD_SDK_PROJECT_ID")
	}
	if s.endpoint == "" {
		region := getenv("DATAARTS_REGION")
		if region == "" {
			return s, errors.New("no endpoint: set DATAARTS_ENDPOINT (e.g. the emulator's URL) or DATAARTS_REGION (e.g. cn-north-4)")
		}
		s.endpoint = "https://dayu." + region + ".myhuaweicloud.com"
		if s.v1Endpoint == "" {
			s.v1Endpoint = "https://dayu-dlf." + region + ".myhuaweicloud.com"
		}
	}
	if s.v1Endpoint == "" {
		s.v1Endpoint = s.endpoint
	}
	return s, nil
}

// newClient returns a generated client for one endpoint that sends the token on every call.
func newClient(endpoint, token string) (*client.ClientWithResponses, error) {
	httpClient := &http.Client{Timeout: 30 * time.Second}
	return client.NewClientWithResponses(endpoint,
		client.WithHTTPClient(httpClient),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("X-Auth-Token", token)
			return nil
		}))
}

// apiError describes a non-200 answer: status, the service's error code and message, request id.
func apiError(op string, status int, body *client.ErrorBody, requestID *string, raw []byte) error {
	msg := fmt.Sprintf("%s: HTTP %d", op, status)
	if body != nil && body.ErrorCode != nil {
		msg += fmt.Sprintf(" %s: %s", *body.ErrorCode, deref(body.ErrorMsg))
	} else if len(raw) > 0 {
		msg += ": " + strings.TrimSpace(string(raw))
	}
	if requestID != nil {
		msg += " (request id " + *requestID + ")"
	}
	return errors.New(msg)
}

func run(ctx context.Context, s settings, ids []string, startJobs bool, out io.Writer) error {
	v2, err := newClient(s.endpoint, s.token)
	if err != nil {
		return err
	}
	v1, err := newClient(s.v1Endpoint, s.token)
	if err != nil {
		return err
	}
	var ws *client.WorkspaceOptional
	if s.workspace != "" {
		ws = &s.workspace
	}
	mode := client.DeployBodyStartupMode(0)
	if startJobs {
		mode = 1
	}
	resp, err := v2.DeployFactoryPackagesWithApplicationJSONCharsetUTF8BodyWithResponse(ctx, s.projectID,
		&client.DeployFactoryPackagesParams{Workspace: ws},
		client.DeployBody{PackageIds: ids, StartupMode: &mode})
	if err != nil {
		return fmt.Errorf("deploy_factory_packages: %w", err)
	}
	if resp.ApplicationjsonCharsetUTF8200 == nil {
		var rid *string
		if resp.Headers4XX != nil {
			rid = resp.Headers4XX.XRequestId
		}
		body := resp.ApplicationjsonCharsetUTF84XX
		if body == nil {
			body = resp.ApplicationjsonCharsetUTF85XX
		}
		return apiError("deploy_factory_packages", resp.StatusCode(), body, rid, resp.Body)
	}
	failed := 0
	for _, d := range deref(resp.ApplicationjsonCharsetUTF8200.DeployPackageDetails) {
		task, err := waitForTask(ctx, v1, s, deref(d.AsyTaskId))
		if err != nil {
			return fmt.Errorf("package %d: %w", deref(d.PackageId), err)
		}
		fmt.Fprintf(out, "package %d: task %s %s\n", deref(d.PackageId), task.Id, task.Status)
		if task.Status != "SUCCESSFUL" {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d releases did not succeed", failed, len(ids))
	}
	return nil
}

// waitForTask polls list_system_tasks until the task leaves RUNNING.
func waitForTask(ctx context.Context, v1 *client.ClientWithResponses, s settings, taskID string) (*client.SystemTask, error) {
	var ws *client.WorkspaceOptional
	if s.workspace != "" {
		ws = &s.workspace
	}
	delay := 50 * time.Millisecond
	for {
		resp, err := v1.ListSystemTasksWithResponse(ctx, s.projectID, taskID, &client.ListSystemTasksParams{Workspace: ws})
		if err != nil {
			return nil, fmt.Errorf("list_system_tasks %s: %w", taskID, err)
		}
		task := resp.ApplicationjsonCharsetUTF8200
		if task == nil {
			body := resp.ApplicationjsonCharsetUTF84XX
			if body == nil {
				body = resp.ApplicationjsonCharsetUTF85XX
			}
			return nil, apiError("list_system_tasks "+taskID, resp.StatusCode(), body, nil, resp.Body)
		}
		if task.Status != "RUNNING" {
			return task, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("task %s still RUNNING: %w", taskID, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func main() {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	startJobs := fs.Bool("start-jobs", false, "start the packages' jobs after a successful release (startup_mode 1)")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up waiting for the releases after this long")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: release [-start-jobs] [-timeout 10m] PACKAGE_ID...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		os.Exit(2)
	}
	s, err := settingsFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, s, fs.Args(), *startJobs, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}
