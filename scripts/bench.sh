#!/usr/bin/env bash
# Runs the Go benchmarks (the embedded log always; Kafka ones when a broker is started here),
# then the peer benchmarks (bench/cmd/benchrun: streamsql vs the Kafka Streams peer vs the raw
# kafka-go ceiling, Nexmark and IoT), which rewrite their section of docs/benchmarks.md.
#
#   (default)    Go benchmarks at -benchtime 1s; 1,000,000-event preloads, 3 interleaved runs per
#                system and query, then every query paced at 50 % of the peer's rate for 15 s
#                (+5 s warm-up) per system and run, and at 80 % once on the Kafka systems
#                (about an hour on 2 cores)
#   QUICK=1      a few minutes: Go benchmarks once each (-benchtime 1x), 200k-event preloads,
#                one run per system, an 8 s latency phase at 50 % only
#   BENCHRUN_ARGS extra arguments for bin/benchrun (e.g. "--runs 3 --nexmark 500000")
#   GO_BENCH=0   skip the Go benchmarks;  PEER_BENCH=0  skip the peer benchmarks
#   BENCH, BENCHTIME, and package arguments are passed to go test as before.
#
# Not part of `make test`. A broker it starts (scripts/kafka.sh) is always stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export KAFKA_PORT=${KAFKA_PORT:-19092}
export KAFKA_RUN_DIR=${KAFKA_RUN_DIR:-$(pwd)/.kafka-bench}
started=0
cleanup() { if [ $started = 1 ]; then ./scripts/kafka.sh stop || true; fi; }
trap cleanup EXIT INT TERM
if ! (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; then
  ./scripts/kafka.sh start
  started=1
  # The broker gets core 0, so that the system under test has core 1 to itself (the harness
  # pins it there); only a broker started here is moved.
  if [ "$(nproc)" -gt 1 ] && command -v taskset >/dev/null; then
    taskset -apc 0 "$(cat "$KAFKA_RUN_DIR/kafka.pid")" >/dev/null || true
  fi
fi
export STREAMSQL_KAFKA=127.0.0.1:$KAFKA_PORT

if [ "${GO_BENCH:-1}" != 0 ]; then
  default_benchtime=1s
  if [ "${QUICK:-}" = 1 ]; then default_benchtime=1x; fi
  go test -run '^$' -bench "${BENCH:-.}" -benchmem -benchtime "${BENCHTIME:-$default_benchtime}" "${@:-./...}"
fi

if [ "${PEER_BENCH:-1}" != 0 ]; then
  go build -o bin/streamsql ./cmd/streamsql
  go build -o bin/ceiling ./bench/cmd/ceiling
  go build -o bin/benchrun ./bench/cmd/benchrun
  peer_flag=()
  if command -v mvn >/dev/null && command -v java >/dev/null; then
    # Offline first: after the first download everything is in ~/.m2.
    mvn -B -q -o -f bench/peer/pom.xml package 2>/dev/null || mvn -B -q -f bench/peer/pom.xml package \
      || { echo "bench.sh: building the Kafka Streams peer failed; running without it" >&2; peer_flag=(--no-peer); }
  else
    echo "bench.sh: no mvn/java: running without the Kafka Streams peer" >&2
    peer_flag=(--no-peer)
  fi
  cmd="make bench"
  if [ "${QUICK:-}" = 1 ]; then cmd="QUICK=1 make bench"; fi
  pin=()
  if [ "$(nproc)" -gt 1 ] && command -v taskset >/dev/null; then pin=(taskset -c 0); fi
  if [ -n "${BENCHRUN_ARGS:-}" ]; then cmd="BENCHRUN_ARGS='$BENCHRUN_ARGS' $cmd"; fi
  if [ "${GO_BENCH:-1}" = 0 ]; then cmd="GO_BENCH=0 $cmd"; fi
  # shellcheck disable=SC2086 # BENCHRUN_ARGS is a list of words
  "${pin[@]}" bin/benchrun --command "$cmd (KAFKA_PORT=$KAFKA_PORT)" "${peer_flag[@]}" ${BENCHRUN_ARGS:-}
fi
