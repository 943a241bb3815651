// Package conformance runs ksqlDB query-validation test cases (the corpus format of
// ../shared/conformance/README.md) against a fresh streamsql engine on the embedded log, one
// engine per case, and judges the outputs. cmd/qtt is its command line; TestConformance makes
// CI fail when a case listed in passing.txt stops passing.
//
// It may import anything: it sits at the top of the graph beside cmd.
package conformance
