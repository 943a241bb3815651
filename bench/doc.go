// Package bench holds end-to-end benchmarks of the engine: whole queries over the embedded
// log, measured with go test -bench (see docs/benchmarks.md for the figures and commands).
// Being a measurement harness it may import anything in the module.
package bench
