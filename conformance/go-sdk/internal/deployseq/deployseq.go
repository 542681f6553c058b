// Package deployseq holds the loop of the Go SDK benchmark driver: sequential
// DeployFactoryPackages calls through Huawei's official Go SDK, one package per call.
package deployseq

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	das "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1"
	dasm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1/model"
)

// Options are the driver's command-line settings.
type Options struct {
	Endpoint  string // e.g. http://127.0.0.1:41234; an http:// endpoint is used as given
	AK, SK    string
	ProjectID string
	Workspace string // optional: sent as the workspace header when not empty
	First     int64  // first package id
	Calls     int    // timed calls
	Warmup    int    // untimed calls before the timed ones
}

// Result is what one run measured.
type Result struct {
	Calls   int
	Elapsed time.Duration
}

// Line formats the result as the benchmark harness expects it.
func (r Result) Line() string {
	secs := r.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(r.Calls) / secs
	}
	return fmt.Sprintf("GO_SDK calls=%d seconds=%.3f calls_per_s=%.1f", r.Calls, secs, rate)
}

// NewClient builds one DataArts Studio client signing with AK/SK. The project id is given,
// so the SDK makes no IAM call; retries are off (the SDK's default, set explicitly).
func NewClient(o Options) (*das.DataArtsStudioClient, error) {
	if o.Endpoint == "" || o.AK == "" || o.SK == "" || o.ProjectID == "" {
		return nil, errors.New("endpoint, AK, SK and project id are all required")
	}
	cred, err := basic.NewCredentialsBuilder().
		WithAk(o.AK).WithSk(o.SK).WithProjectId(o.ProjectID).
		SafeBuild()
	if err != nil {
		return nil, fmt.Errorf("building AK/SK credentials: %w", err)
	}
	hc := config.DefaultHttpConfig().WithRetries(0)
	built, err := das.DataArtsStudioClientBuilder().
		WithEndpoints([]string{o.Endpoint}).
		WithCredential(cred).
		WithHttpConfig(hc).
		SafeBuild()
	if err != nil {
		return nil, fmt.Errorf("building the DataArts Studio client for %s: %w", o.Endpoint, err)
	}
	return das.NewDataArtsStudioClient(built), nil
}

// Deploy releases one package (startup_mode 0) and checks the answer has exactly one detail.
func Deploy(client *das.DataArtsStudioClient, workspace string, packageID int64) error {
	mode := int32(0)
	req := &dasm.DeployFactoryPackagesRequest{
		Body: &dasm.DeployFactoryPackagesRequestBody{
			PackageIds:  []string{strconv.FormatInt(packageID, 10)},
			StartupMode: &mode,
		},
	}
	if workspace != "" {
		req.Workspace = &workspace
	}
	resp, err := client.DeployFactoryPackages(req)
	if err != nil {
		return fmt.Errorf("deploying package %d: %w", packageID, err)
	}
	if resp.DeployPackageDetails == nil || len(*resp.DeployPackageDetails) != 1 {
		return fmt.Errorf("deploying package %d: expected exactly one deploy_package_details entry, got %s",
			packageID, resp.String())
	}
	return nil
}

// Run releases First..First+Warmup-1 untimed, then the next Calls ids timed, on one client.
func Run(client *das.DataArtsStudioClient, o Options) (Result, error) {
	if o.Calls < 1 || o.Warmup < 0 {
		return Result{}, fmt.Errorf("calls must be at least 1 and warmup at least 0 (got %d, %d)", o.Calls, o.Warmup)
	}
	id := o.First
	for i := 0; i < o.Warmup; i++ {
		if err := Deploy(client, o.Workspace, id); err != nil {
			return Result{}, fmt.Errorf("warm-up: %w", err)
		}
		id++
	}
	start := time.Now()
	for i := 0; i < o.Calls; i++ {
		if err := Deploy(client, o.Workspace, id); err != nil {
			return Result{}, err
		}
		id++
	}
	return Result{Calls: o.Calls, Elapsed: time.Since(start)}, nil
}
