package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"example.com/dataarts-release/conformance/go-sdk/internal/deployseq"
	"example.com/dataarts-release/conformance/go-sdk/internal/emulator"
	"github.com/goccy/go-yaml"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	das "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1"
	dasm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1/model"
	dlf "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dlf/v1"
)

// The spec, relative to this package's directory (go test runs in it).
const specPath = "../../../openapi/deploy.yaml"

var (
	emu    emulator.Env
	studio *das.DataArtsStudioClient
	tasks  *dlf.DlfClient
)

func TestMain(m *testing.M) {
	var err error
	emu, err = emulator.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	studio, err = deployseq.NewClient(deployseq.Options{Endpoint: emu.URL, AK: emu.AK, SK: emu.SK, ProjectID: emu.ProjectID})
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	tasks, err = newDlfClient(emu.AK, emu.SK)
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func newDlfClient(ak, sk string) (*dlf.DlfClient, error) {
	cred, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(emu.ProjectID).SafeBuild()
	if err != nil {
		return nil, err
	}
	built, err := dlf.DlfClientBuilder().WithEndpoints([]string{emu.URL}).WithCredential(cred).
		WithHttpConfig(config.DefaultHttpConfig().WithRetries(0)).SafeBuild()
	if err != nil {
		return nil, err
	}
	return dlf.NewDlfClient(built), nil
}

func studioWith(t *testing.T, ak, sk string) *das.DataArtsStudioClient {
	t.Helper()
	c, err := deployseq.NewClient(deployseq.Options{Endpoint: emu.URL, AK: ak, SK: sk, ProjectID: emu.ProjectID})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func deployRequest(ids ...string) *dasm.DeployFactoryPackagesRequest {
	mode := int32(0)
	return &dasm.DeployFactoryPackagesRequest{
		Body: &dasm.DeployFactoryPackagesRequestBody{PackageIds: ids, StartupMode: &mode},
	}
}

func show(t *testing.T, id string) *dasm.ShowFactoryPackageDetailResponse {
	t.Helper()
	resp, err := studio.ShowFactoryPackageDetail(&dasm.ShowFactoryPackageDetailRequest{PackageId: id})
	if err != nil {
		t.Fatalf("show package %s: %v", id, err)
	}
	if resp.ReleasePackage == nil {
		t.Fatalf("show package %s: no release_package in %s", id, resp)
	}
	return resp
}

// serviceError asserts err is the SDK's service error with this status (and code, if not empty).
func serviceError(t *testing.T, err error, status int, code string) *sdkerr.ServiceResponseError {
	t.Helper()
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		t.Fatalf("want *sdkerr.ServiceResponseError %d %s, got %T: %v", status, code, err, err)
	}
	if se.StatusCode != status || (code != "" && se.ErrorCode != code) {
		t.Fatalf("want %d %s, got %d %s (%s)", status, code, se.StatusCode, se.ErrorCode, se.ErrorMessage)
	}
	return se
}

// specExample returns the documented example of one operation's 200 answer, from the spec file.
func specExample(t *testing.T, path, method string) any {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(specPath))
	if err != nil {
		t.Fatalf("reading the spec (run the tests from the repository checkout): %v", err)
	}
	var spec map[string]any
	if err := yaml.Unmarshal(data, &spec); err != nil {
		t.Fatalf("parsing %s: %v", specPath, err)
	}
	node := any(spec)
	for _, key := range []string{"paths", path, method, "responses", "200", "content", "application/json;charset=UTF-8", "example"} {
		m, ok := node.(map[string]any)
		if !ok || m[key] == nil {
			t.Fatalf("%s has no %q under %s %s's 200 example path", specPath, key, method, path)
		}
		node = m[key]
	}
	return node
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
