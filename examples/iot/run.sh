#!/usr/bin/env bash
# The IoT pipeline end to end on the embedded log: build streamsql, start it on a temporary
# data directory with examples/iot/pipeline.sql, load examples/iot/sample-data.sql, show the
# alerts with PRINT and push queries (LIMIT), stop the server.
#
# Run from the repository root:  bash examples/iot/run.sh
# Needs go and psql. Every wait is bounded; the server and the data directory are removed on
# exit, whatever happens. PORT=NNNN picks the Postgres port (default: a free one from 54330).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
EXAMPLE=examples/iot

WORK=$(mktemp -d "${TMPDIR:-/tmp}/streamsql-iot.XXXXXX")
SERVER_PID=

cleanup() {
    status=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ $status -ne 0 && -f "$WORK/server.log" ]]; then
        echo "--- server log ---" >&2
        cat "$WORK/server.log" >&2
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [[ -z "${PORT:-}" ]]; then
    PORT=54330
    while port_in_use "$PORT"; do PORT=$((PORT + 1)); done
fi

# psql with a bound on its run time; -X ignores ~/.psqlrc, ON_ERROR_STOP fails on any error.
sql() {
    local secs=$1; shift
    timeout "$secs" psql -h 127.0.0.1 -p "$PORT" -X -v ON_ERROR_STOP=1 "$@"
}

step() { printf '\n== %s\n' "$*"; }

step "build"
go build -o "$WORK/streamsql" ./cmd/streamsql
echo "built $WORK/streamsql"

step "start streamsql on 127.0.0.1:$PORT with --queries-file $EXAMPLE/pipeline.sql"
"$WORK/streamsql" --data-dir "$WORK/data" --pg-addr "127.0.0.1:$PORT" \
    --queries-file "$EXAMPLE/pipeline.sql" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 150); do
    if sql 5 -Atq -c 'SHOW QUERIES;' >/dev/null 2>&1; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "streamsql exited during start" >&2; exit 1; }
    sleep 0.2
done
sql 5 -c 'SHOW STREAMS;'
echo "persistent queries (SHOW QUERIES: id, status, sink topic):"
sql 5 -At -F '|' -c 'SHOW QUERIES;' | awk -F'|' 'NF >= 6 { printf "  %-30s %-8s %s\n", $1, $3, $5 }'

step "load $EXAMPLE/sample-data.sql"
sql 30 -q -f "$EXAMPLE/sample-data.sql"
echo "loaded $(grep -c '^INSERT' "$EXAMPLE/sample-data.sql") readings"

step "the alerts: PRINT 'iot.alerts.humidity' FROM BEGINNING LIMIT 3"
sql 30 -c "PRINT 'iot.alerts.humidity' FROM BEGINNING LIMIT 3;"

step "the alerts again, as a push query (LIMIT 3)"
sql 30 -c "SET 'auto.offset.reset'='earliest';" \
    -c "SELECT device_id, site, humidity FROM high_humidity_alerts EMIT CHANGES LIMIT 3;"

step "a push query over temperature_fahrenheit (LIMIT 4)"
sql 30 -c "SET 'auto.offset.reset'='earliest';" \
    -c "SELECT device_id, celsius, fahrenheit, status FROM temperature_fahrenheit EMIT CHANGES LIMIT 4;"

step "the re-keyed stream: PRINT 'iot.humidity.by_site' FROM BEGINNING LIMIT 6"
sql 30 -c "PRINT 'iot.humidity.by_site' FROM BEGINNING LIMIT 6;"

step "the 5-minute averages (EMIT FINAL): PRINT 'iot.temperature.avg_5m' FROM BEGINNING LIMIT 3"
sql 30 -c "PRINT 'iot.temperature.avg_5m' FROM BEGINNING LIMIT 3;"

step "a pull query: greenhouse-1's 5-minute windows, from the state store"
sql 10 -c "SELECT device_id, TIMESTAMPTOSTRING(WINDOWSTART, 'HH:mm', 'UTC') AS window_start, avg_celsius, min_celsius, max_celsius, readings FROM temp_5m WHERE device_id = 'greenhouse-1';"

step "stop streamsql"
kill -TERM "$SERVER_PID"
for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "streamsql did not stop within 10s" >&2
    exit 1
fi
wait "$SERVER_PID" || { echo "streamsql exited with status $?" >&2; exit 1; }
SERVER_PID=
echo "stopped"
