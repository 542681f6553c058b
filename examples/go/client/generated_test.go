package client_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedClientIsFresh regenerates the client with the pinned oapi-codegen (tools/go.mod)
// from the spec into a temporary file and compares it with the checked-in one.
func TestGeneratedClientIsFresh(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	config, err := os.ReadFile(filepath.Join(root, "oapi-codegen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const output = "output: client/client.gen.go"
	if !bytes.Contains(config, []byte(output+"\n")) {
		t.Fatalf("oapi-codegen.yaml has no %q line; update this test with the new output path", output)
	}
	fresh := filepath.Join(t.TempDir(), "client.gen.go")
	tmpConfig := filepath.Join(t.TempDir(), "oapi-codegen.yaml")
	config = bytes.Replace(config, []byte(output), []byte("output: "+fresh), 1)
	if err := os.WriteFile(tmpConfig, config, 0o644); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(root, "..", "..", "openapi", "deploy.yaml")
	cmd := exec.Command("go", "tool", "-modfile=tools/go.mod", "oapi-codegen", "-config", tmpConfig, spec)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("running the pinned oapi-codegen (%s): %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	want, err := os.ReadFile(fresh)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("client.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("client/client.gen.go is stale: it differs from what oapi-codegen makes of openapi/deploy.yaml now.\n" +
			"Regenerate it with `go generate ./...` in examples/go (never edit it by hand), then commit it.")
	}
}
