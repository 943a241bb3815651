// Command qtt runs a corpus of ksqlDB query-validation test cases (the format of
// ../shared/conformance/README.md) against a fresh engine per case on the embedded log, prints
// a per-feature summary ending in `qtt: P/N cases pass (X%)`, and can write a JSON report, write
// the list of passing cases, or fail when a listed case no longer passes (-check-passing).
//
// Being a command, it may import anything in the module.
package main
