// Package scenario runs Huawei's official Go SDK (huaweicloud-sdk-go-v3, AK/SK signing)
// against the DataArts emulator: the same scenario as the Python conformance suite, plus
// assertions that pin every place where the Go SDK's models differ from the spec.
//
// The tests share one emulator and run in file order (go test runs the top-level tests of a
// package sequentially, in source order): package 23 is released once, by the first test.
package scenario
