// Package emulator reads the running emulator's address and credentials from the environment
// (set by `cargo xtask test`) and drives its admin endpoints (/_emulator/...).
package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// Env is one running emulator as the test command describes it.
type Env struct {
	URL         string // no trailing slash
	AK, SK      string
	Token       string
	ProjectID   string
	WorkspaceID string
}

var names = []string{
	"DATAARTS_EMULATOR_URL", "DATAARTS_EMULATOR_AK", "DATAARTS_EMULATOR_SK",
	"DATAARTS_EMULATOR_TOKEN", "DATAARTS_EMULATOR_PROJECT_ID", "DATAARTS_EMULATOR_WORKSPACE_ID",
}

// FromEnv reads the DATAARTS_EMULATOR_* variables; the error names the missing ones and
// how to provide them.
func FromEnv() (Env, error) {
	var missing []string
	get := func(name string) string {
		v := strings.TrimSpace(os.Getenv(name))
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	values := make([]string, len(names))
	for i, n := range names {
		values[i] = get(n)
	}
	if len(missing) > 0 {
		return Env{}, fmt.Errorf("these tests need a running emulator, but it is not configured (unset: %s).\n"+
			"Run them with `cargo xtask test --only go-sdk`, or start one yourself:\n"+
			"  cargo build -p dataarts-emulator --bin dataarts-emulator\n"+
			"  target/debug/dataarts-emulator --demo --port 0 --ak AK --sk SK --token TOKEN --no-rate-limit --task-duration 50ms\n"+
			"and set DATAARTS_EMULATOR_URL (the printed http://127.0.0.1:PORT), DATAARTS_EMULATOR_AK, "+
			"DATAARTS_EMULATOR_SK, DATAARTS_EMULATOR_TOKEN, DATAARTS_EMULATOR_PROJECT_ID=b384b9e9ab9b4ee8994c8633aabc9505 "+
			"and DATAARTS_EMULATOR_WORKSPACE_ID=d1cd7861478748a6925bc02f47c69279",
			strings.Join(missing, ", "))
	}
	return Env{
		URL: strings.TrimRight(values[0], "/"), AK: values[1], SK: values[2], Token: values[3],
		ProjectID: values[4], WorkspaceID: values[5],
	}, nil
}

var admin = &http.Client{Timeout: 10 * time.Second}

// Admin sends a JSON request to {URL}/_emulator{path} and decodes a 2xx JSON answer into out
// (when out is not nil). Any other status is an error carrying the answer's body.
func (e Env) Admin(method, path string, body, out any) error {
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding the %s %s body: %w", method, path, err)
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.URL+"/_emulator"+path, reader)
	if err != nil {
		return fmt.Errorf("building %s %s: %w", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := admin.Do(req)
	if err != nil {
		return fmt.Errorf("%s /_emulator%s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("reading the answer of %s /_emulator%s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s /_emulator%s answered %d: %s (does this emulator build have the endpoint? rebuild it)",
			method, path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("decoding the answer of %s /_emulator%s (%s): %w", method, path, data, err)
		}
	}
	return nil
}

// TimesFormat is the body of GET/PUT /_emulator/system-task-times.
type TimesFormat struct {
	Format string `json:"format"`
}

// SetSystemTaskTimes switches how the emulator encodes system task times: "number" (the
// documented milliseconds) or "string" (what the official Go and Java SDKs decode).
func (e Env) SetSystemTaskTimes(format string) error {
	var got TimesFormat
	if err := e.Admin(http.MethodPut, "/system-task-times", TimesFormat{Format: format}, &got); err != nil {
		return err
	}
	if got.Format != format {
		return fmt.Errorf("PUT /_emulator/system-task-times asked for %q, the emulator answered %q", format, got.Format)
	}
	return nil
}
