// Command deployseq is the Go SDK driver of the speed benchmark: sequential deploys through
// Huawei's official Go SDK (AK/SK, retries off, one client), one package per call.
//
//	deployseq --endpoint URL --ak AK --sk SK --project-id P --first ID --calls N --warmup W [--workspace WS]
//
// It releases ids first .. first+W-1 untimed, then first+W .. first+W+N-1 timed, and prints one
// line: GO_SDK calls=N seconds=S calls_per_s=R. With --calls 1 --warmup 0 it is the one-deploy
// program whose cold start the benchmark measures.
package main

import (
	"flag"
	"fmt"
	"os"

	"example.com/dataarts-release/conformance/go-sdk/internal/deployseq"
)

func main() {
	var o deployseq.Options
	fs := flag.NewFlagSet("deployseq", flag.ContinueOnError)
	fs.StringVar(&o.Endpoint, "endpoint", "", "service endpoint, e.g. http://127.0.0.1:41234 (required)")
	fs.StringVar(&o.AK, "ak", "", "access key id (required)")
	fs.StringVar(&o.SK, "sk", "", "secret access key (required)")
	fs.StringVar(&o.ProjectID, "project-id", "", "project id (required)")
	fs.StringVar(&o.Workspace, "workspace", "", "workspace id (optional)")
	fs.Int64Var(&o.First, "first", 1000, "first package id")
	fs.IntVar(&o.Calls, "calls", 1000, "timed calls")
	fs.IntVar(&o.Warmup, "warmup", 20, "untimed calls before the timed ones")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments: %v", fs.Args()))
	}
	client, err := deployseq.NewClient(o)
	if err != nil {
		fail(err)
	}
	res, err := deployseq.Run(client, o)
	if err != nil {
		fail(err)
	}
	fmt.Println(res.Line())
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "deployseq: %v\n", err)
	os.Exit(1)
}
