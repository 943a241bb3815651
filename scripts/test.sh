#!/usr/bin/env bash
# Runs every test against a real Kafka broker that this script starts and always stops.
set -euo pipefail
cd "$(dirname "$0")/.."

export KAFKA_PORT=${KAFKA_PORT:-19092}
export KAFKA_RUN_DIR=${KAFKA_RUN_DIR:-$(pwd)/.kafka-test}
started=0
cleanup() { if [ $started = 1 ]; then ./scripts/kafka.sh stop || true; fi; }
trap cleanup EXIT INT TERM

if (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; then
  echo "test.sh: using the Kafka broker already listening on 127.0.0.1:$KAFKA_PORT"
else
  ./scripts/kafka.sh start
  started=1
fi
export STREAMSQL_KAFKA=127.0.0.1:$KAFKA_PORT

# -p 2: the machine has two cores; the broker needs some of them too.
go test -count=1 -p 2 -timeout 15m ./... "$@"

# Conformance: every case of ksqlDB's corpus on the embedded log; a listed passing case that
# fails is a regression and fails the run. The corpus lives beside the repository.
corpus=${STREAMSQL_QTT_CORPUS:-}
if [ -z "$corpus" ]; then
  for c in ../shared/conformance/ksqldb-qtt.jsonl /work/shared/conformance/ksqldb-qtt.jsonl; do
    if [ -f "$c" ]; then corpus=$c; break; fi
  done
fi
if [ -z "$corpus" ]; then
  echo "test.sh: conformance corpus not found (set STREAMSQL_QTT_CORPUS)" >&2
  exit 1
fi
go run ./cmd/qtt -corpus "$corpus" -report .qtt-report.json -check-passing conformance/passing.txt
