package deployseq

import (
	"strings"
	"testing"
	"time"
)

func TestLineHasTheHarnessFormat(t *testing.T) {
	got := Result{Calls: 250, Elapsed: 500 * time.Millisecond}.Line()
	if got != "GO_SDK calls=250 seconds=0.500 calls_per_s=500.0" {
		t.Fatalf("line %q", got)
	}
}

func TestNewClientNeedsEveryCredential(t *testing.T) {
	_, err := NewClient(Options{Endpoint: "http://127.0.0.1:1", AK: "AK"})
	if err == nil || !strings.Contains(err.Error(), "required") {
		t.Fatalf("want a missing-settings error, got %v", err)
	}
}

func TestRunRejectsZeroCalls(t *testing.T) {
	c, err := NewClient(Options{Endpoint: "http://127.0.0.1:1", AK: "AK", SK: "SK", ProjectID: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(c, Options{Calls: 0}); err == nil || !strings.Contains(err.Error(), "calls must be") {
		t.Fatalf("want a calls error, got %v", err)
	}
}
