// Command benchrun runs the peer benchmarks (package harness) and writes their section of
// docs/benchmarks.md. scripts/bench.sh (make bench) runs it after the Go benchmarks, with a
// broker started by scripts/kafka.sh; QUICK=1 shrinks it to a few minutes.
//
//	go build -o bin/streamsql ./cmd/streamsql && go build -o bin/ceiling ./bench/cmd/ceiling
//	mvn -q -f bench/peer/pom.xml package
//	STREAMSQL_KAFKA=127.0.0.1:39092 go run ./bench/cmd/benchrun --quick
//
// Every run saves its results (--save, default $TMPDIR/streamsql-bench-results.json);
// --render re-renders the section from them, e.g. after editing the hand-written profile
// subsection (bench/harness/profile.md) or the notes.
package main
