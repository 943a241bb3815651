#!/usr/bin/env bash
# scripts/kafka.sh start|stop|status|env
#
# Runs a real single-node Apache Kafka (KRaft, combined broker+controller) on loopback for the
# tests, from the jars Maven Central serves. Nothing is left running after `stop`.
#
#   KAFKA_VERSION   broker version (default 4.3.1)
#   KAFKA_CACHE     where the resolved jars live (default ~/.cache/streamsql/kafka-$KAFKA_VERSION)
#   KAFKA_RUN_DIR   log dirs, config, pid and log file (default ./.kafka)
#   KAFKA_PORT      broker port (default 19092; the controller uses KAFKA_PORT+1)
set -euo pipefail

KAFKA_VERSION=${KAFKA_VERSION:-4.3.1}
KAFKA_CACHE=${KAFKA_CACHE:-$HOME/.cache/streamsql/kafka-$KAFKA_VERSION}
KAFKA_RUN_DIR=${KAFKA_RUN_DIR:-$(pwd)/.kafka}
KAFKA_PORT=${KAFKA_PORT:-19092}
CONTROLLER_PORT=$((KAFKA_PORT + 1))
PID_FILE=$KAFKA_RUN_DIR/kafka.pid
LOG_FILE=$KAFKA_RUN_DIR/kafka.log

log() { echo "kafka.sh: $*" >&2; }

resolve_jars() {
  if [ -f "$KAFKA_CACHE/libs/.complete" ]; then return; fi
  log "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION from Maven Central into $KAFKA_CACHE"
  local pomdir
  pomdir=$(mktemp -d)
  cat >"$pomdir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>streamsql</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-server</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.17</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>2.25.4</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.25.4</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>2.25.4</version></dependency>
  </dependencies>
</project>
POM
  rm -rf "$KAFKA_CACHE/libs"
  mkdir -p "$KAFKA_CACHE/libs"
  (cd "$pomdir" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_CACHE/libs") >&2
  rm -rf "$pomdir"
  # Quiet logging: warnings only, to the broker's own log file.
  cat >"$KAFKA_CACHE/log4j2.properties" <<'L4J'
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = warn
logger.apache.name = org.apache.kafka
logger.apache.level = warn
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
L4J
  touch "$KAFKA_CACHE/libs/.complete"
}

running() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  if running; then log "already running (pid $(cat "$PID_FILE"))"; return; fi
  command -v java >/dev/null || { log "java not found (Kafka 4.x needs Java 17+)"; exit 1; }
  resolve_jars
  rm -rf "$KAFKA_RUN_DIR"
  mkdir -p "$KAFKA_RUN_DIR/logs"
  cat >"$KAFKA_RUN_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
num.partitions=1
auto.create.topics.enable=false
log.dirs=$KAFKA_RUN_DIR/logs
log.segment.bytes=16777216
log.cleaner.backoff.ms=1000
# Tests write records with historical event times (ksqlDB's corpus, fixed dates); the
# retention check (30 s after start, then every 5 minutes) would delete them in the middle of
# a test. Topics keep Kafka's default retention; the check waits an hour.
log.initial.task.delay.ms=3600000
log.retention.check.interval.ms=3600000
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
PROPS
  local cp="$KAFKA_CACHE/libs/*"
  local jopts=(-Xms256m -Xmx768m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "-Dlog4j2.configurationFile=$KAFKA_CACHE/log4j2.properties")
  local id
  id=$(java "${jopts[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid 2>>"$LOG_FILE" | tail -1)
  java "${jopts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$KAFKA_RUN_DIR/server.properties" >>"$LOG_FILE" 2>&1 \
    || { log "storage format failed; see $LOG_FILE"; tail -20 "$LOG_FILE" >&2; exit 1; }
  nohup java "${jopts[@]}" -cp "$cp" kafka.Kafka "$KAFKA_RUN_DIR/server.properties" >>"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local deadline=$((SECONDS + 90))
  until port_open "$KAFKA_PORT" && grep -q "Kafka Server started\|KafkaRaftServer.*started\|Kafka startTimeMs" "$LOG_FILE"; do
    if ! running; then log "broker exited during start-up; see $LOG_FILE"; tail -30 "$LOG_FILE" >&2; exit 1; fi
    if [ $SECONDS -ge $deadline ]; then log "broker not ready after 90s; see $LOG_FILE"; tail -30 "$LOG_FILE" >&2; stop; exit 1; fi
    sleep 0.5
  done
  log "broker ready on 127.0.0.1:$KAFKA_PORT (pid $(cat "$PID_FILE"))"
}

stop() {
  if running; then
    local pid
    pid=$(cat "$PID_FILE")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    log "broker stopped"
  fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running 127.0.0.1:$KAFKA_PORT"; else echo "stopped"; exit 1; fi ;;
  resolve) resolve_jars ;;
  env) echo "STREAMSQL_KAFKA=127.0.0.1:$KAFKA_PORT" ;;
  *) echo "usage: $0 start|stop|status|resolve|env" >&2; exit 2 ;;
esac
