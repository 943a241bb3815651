#!/usr/bin/env bash
# Runs the Go benchmarks (the embedded log always; Kafka ones when a broker is started here).
set -euo pipefail
cd "$(dirname "$0")/.."
export KAFKA_PORT=${KAFKA_PORT:-19092}
export KAFKA_RUN_DIR=${KAFKA_RUN_DIR:-$(pwd)/.kafka-bench}
started=0
cleanup() { if [ $started = 1 ]; then ./scripts/kafka.sh stop || true; fi; }
trap cleanup EXIT INT TERM
if ! (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; then ./scripts/kafka.sh start; started=1; fi
export STREAMSQL_KAFKA=127.0.0.1:$KAFKA_PORT
go test -run '^$' -bench "${BENCH:-.}" -benchmem -benchtime "${BENCHTIME:-1s}" "${@:-./...}"
