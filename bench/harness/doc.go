// Package harness runs the peer benchmarks of issue 7 (docs/benchmarks.md, "Against the
// peers"): it generates the Nexmark and IoT data sets (bench/nexmark, bench/iot), preloads them
// into the embedded log and, when a Kafka broker is given, into Kafka; runs each query on
// streamsql (a child process built from cmd/streamsql, driven by --queries-file), on the Kafka
// Streams peer (bench/peer) and on the raw kafka-go ceiling (bench/ceiling), interleaved;
// measures wall throughput, events per CPU-second of the engine process (/proc/<pid>/stat),
// peak RSS (VmHWM) and state on disk; measures alert latency at a paced rate (through Kafka,
// and on the embedded log through the Postgres endpoint: INSERTs in, a push query out); checks every
// system's output against a reference model of the query (a fast wrong answer is a failure);
// and writes a markdown section between markers in docs/benchmarks.md.
//
// Every process it starts listens on 127.0.0.1 only, is bounded by a timeout and is stopped
// by its pid before the next run.
package harness
