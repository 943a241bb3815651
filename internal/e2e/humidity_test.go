package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The pipeline under test, as a ksqlDB user writes it.
const (
	createReadings = `CREATE STREAM humidity_readings (device_id VARCHAR KEY, humidity DOUBLE) WITH (kafka_topic='iot.sensor.humidity', value_format='JSON', partitions=3);`
	createAlerts   = `CREATE STREAM high_humidity_alerts AS SELECT * FROM humidity_readings WHERE humidity > 85.0;`
	partitions     = 3
	// settle is how long a topic must stay unchanged for "no more records" to pass.
	settle = 2 * time.Second
)

// reading is one humidity reading; alert says whether it passes humidity > 85.0.
type reading struct {
	device   string
	humidity string // as written in SQL and printed by the push query
	alert    bool
}

func (r reading) insert(stream string) string {
	return fmt.Sprintf("INSERT INTO %s (device_id, humidity) VALUES ('%s', %s);", stream, r.device, r.humidity)
}

// pushRow is the row COPY ... TO STDOUT prints for the reading's alert (text format).
func (r reading) pushRow() string { return r.device + "\t" + r.humidity }

// alertRecord is the alert as "key|value|partition": keyed by the device, JSON value with the
// upper-cased column name, in the partition Kafka's murmur2 partitioner gives the key.
func (r reading) alertRecord() string {
	return fmt.Sprintf(`%s|{"HUMIDITY":%s}|%d`, r.device, r.humidity, kafkaPartition(r.device, partitions))
}

func insertAll(stream string, rs []reading) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.insert(stream))
		b.WriteString(" ")
	}
	return b.String()
}

func alertRecords(rs ...[]reading) []string {
	var out []string
	for _, group := range rs {
		for _, r := range group {
			if r.alert {
				out = append(out, r.alertRecord())
			}
		}
	}
	return out
}

// expectCatalog checks SHOW STREAMS lists each stream (name -> topic) and SHOW QUERIES a
// RUNNING query whose id starts with each prefix.
func expectCatalog(t *testing.T, s *server, streams map[string]string, queryPrefixes ...string) {
	t.Helper()
	got := map[string]string{}
	for _, l := range lines(s.mustPSQL("SHOW STREAMS;")) {
		f := strings.Split(l, "|")
		if len(f) >= 2 {
			got[f[0]] = f[1]
		}
	}
	for name, topic := range streams {
		if got[name] != topic {
			t.Errorf("SHOW STREAMS: stream %s over topic %q missing; got %v", name, topic, got)
		}
	}
	queries := lines(s.mustPSQL("SHOW QUERIES;"))
	for _, prefix := range queryPrefixes {
		if !slices.ContainsFunc(queries, func(l string) bool {
			f := strings.Split(l, "|")
			return strings.HasPrefix(f[0], prefix) && slices.Contains(f, "RUNNING")
		}) {
			t.Errorf("SHOW QUERIES: no RUNNING query with id %s*; got:\n%s", prefix, strings.Join(queries, "\n"))
		}
	}
}

func TestHumidityEmbedded(t *testing.T) {
	t.Parallel()
	needTool(t, "psql")
	s := startServer(t, "")

	if got := s.mustPSQL(createReadings); strings.TrimSpace(got) != "CREATE STREAM" {
		t.Fatalf("CREATE STREAM printed %q", got)
	}
	if got := s.mustPSQL(createAlerts); strings.TrimSpace(got) != "CREATE STREAM" {
		t.Fatalf("CREATE STREAM AS SELECT printed %q", got)
	}
	expectCatalog(t, s, map[string]string{"HUMIDITY_READINGS": "iot.sensor.humidity", "HIGH_HUMIDITY_ALERTS": "HIGH_HUMIDITY_ALERTS"}, "CSAS_HIGH_HUMIDITY_ALERTS")

	// A live push query. It starts at the latest offsets (ksqlDB's default), and psql gives
	// no sign of when the server has started it, so warm-up alerts are inserted until one
	// arrives; from then on every new alert must arrive.
	pq := s.startPush("COPY (SELECT device_id, humidity FROM high_humidity_alerts EMIT CHANGES) TO STDOUT")
	warm := reading{device: "warmup", humidity: "99.75", alert: true}
	warmups := 0
	for deadline := time.Now().Add(waitTimeout); ; {
		if time.Now().After(deadline) {
			t.Fatalf("push query delivered no warm-up alert within %v (%d inserted); stderr: %s", waitTimeout, warmups, pq.stderr.String())
		}
		s.mustPSQL(warm.insert("humidity_readings"))
		warmups++
		l, ok := pq.next(500 * time.Millisecond)
		if ok && l == warm.pushRow() {
			break
		}
		if ok {
			t.Fatalf("push query printed %q before any reading but the warm-up", l)
		}
		select {
		case <-pq.done:
			t.Fatalf("push query psql exited: %v; stderr: %s", pq.cmd.ProcessState, pq.stderr.String())
		default:
		}
	}
	t.Logf("push query ready after %d warm-up insert(s)", warmups)

	phase1 := []reading{
		{"d1", "90.5", true},
		{"d2", "42.25", false},
		{"d3", "85.0", false}, // > is strict
		{"d4", "97.25", true},
		{"d5", "85.5", true},
		{"d6", "12.5", false},
	}
	s.mustPSQL(insertAll("humidity_readings", phase1))
	var want []string
	for _, r := range phase1 {
		if r.alert {
			want = append(want, r.pushRow())
		}
	}
	got := pq.waitFor(want)
	got = append(got, pq.drain(time.Second)...)
	for _, l := range got {
		if l != warm.pushRow() && !slices.Contains(want, l) {
			t.Errorf("push query printed %q, which is not an alert (want only %q and warm-ups)", l, want)
		}
	}

	// SIGINT makes psql send a CancelRequest; the server must end the query with 57014.
	code, stderr := pq.interrupt()
	if code != 1 || !strings.Contains(stderr, "57014") {
		t.Errorf("psql after SIGINT: exit code %d, stderr %q; want exit 1 and ERROR 57014 (query_canceled)", code, stderr)
	}
	if out := s.mustPSQL("SHOW STREAMS;"); !strings.Contains(out, "HIGH_HUMIDITY_ALERTS") {
		t.Errorf("SHOW STREAMS after the cancelled push query: %q", out)
	}

	warmRecs := make([]string, warmups)
	for i := range warmRecs {
		warmRecs[i] = warm.alertRecord()
	}
	s.expectExactlyPrinted("HIGH_HUMIDITY_ALERTS", append(slices.Clone(warmRecs), alertRecords(phase1)...), settle)

	// A restart must keep the catalog and resume the query where it stopped.
	s.restart()
	expectCatalog(t, s, map[string]string{"HUMIDITY_READINGS": "iot.sensor.humidity", "HIGH_HUMIDITY_ALERTS": "HIGH_HUMIDITY_ALERTS"}, "CSAS_HIGH_HUMIDITY_ALERTS")
	phase2 := []reading{
		{"d7", "88.25", true},
		{"d8", "30.5", false},
		{"d1", "93.5", true}, // a device already alerted
	}
	s.mustPSQL(insertAll("humidity_readings", phase2))
	s.expectExactlyPrinted("HIGH_HUMIDITY_ALERTS", append(append(warmRecs, alertRecords(phase1)...), alertRecords(phase2)...), settle)
}

// kafkaReading is a record produced with kcat: key, raw JSON value, and the alert's value as
// streamsql re-serializes it ("" when the reading is not an alert).
type kafkaReading struct {
	name  string
	key   string
	value string
	alert string
}

func TestHumidityKafka(t *testing.T) {
	t.Parallel()
	brokerAddr := kafkaBroker(t)
	needTool(t, "psql")
	needTool(t, "kcat")

	// The catalog lives in the broker's _streamsql_commands topic, shared by every server and
	// run on this broker: names must be unique, and what the test creates is dropped.
	sfx := strconv.FormatInt(time.Now().UnixNano(), 36)
	readings := "humidity_readings_" + sfx
	alerts := "high_humidity_alerts_" + sfx
	topic := "iot.sensor.humidity." + sfx
	sink := strings.ToUpper(alerts)

	s := startServer(t, brokerAddr)
	t.Cleanup(func() {
		if s.cmd == nil {
			return
		}
		for _, sql := range []string{"DROP STREAM IF EXISTS " + alerts + " DELETE TOPIC;", "DROP STREAM IF EXISTS " + readings + " DELETE TOPIC;"} {
			if r := s.psql(sql); r.err != nil {
				t.Logf("cleanup %s: %v %s", sql, r.err, r.stderr)
			}
		}
	})

	s.mustPSQL(strings.NewReplacer("humidity_readings", readings, "'iot.sensor.humidity'", "'"+topic+"'").Replace(createReadings))
	s.mustPSQL(strings.NewReplacer("high_humidity_alerts", alerts, "humidity_readings", readings).Replace(createAlerts))
	expectCatalog(t, s, map[string]string{strings.ToUpper(readings): topic, sink: sink}, "CSAS_"+sink)

	phase1 := []kafkaReading{
		{"upper-case field", "d1", `{"HUMIDITY":90.5}`, `{"HUMIDITY":90.5}`},
		{"lower-case field", "d2", `{"humidity":91.25}`, `{"HUMIDITY":91.25}`},
		{"mixed-case field", "d3", `{"Humidity":97.5}`, `{"HUMIDITY":97.5}`},
		{"integer into DOUBLE", "d4", `{"HUMIDITY":86}`, `{"HUMIDITY":86.0}`},
		{"low, lower-case", "d5", `{"humidity":42.5}`, ""},
		{"boundary 85.0", "d6", `{"HUMIDITY":85.0}`, ""},
		{"low, upper-case", "d7", `{"HUMIDITY":12.5}`, ""},
	}
	phase2 := []kafkaReading{
		{"after restart, lower-case", "d8", `{"humidity":88.25}`, `{"HUMIDITY":88.25}`},
		{"after restart, low", "d9", `{"HUMIDITY":30.5}`, ""},
		{"after restart, device already alerted", "d1", `{"HUMIDITY":93.5}`, `{"HUMIDITY":93.5}`},
	}
	produce := func(rs []kafkaReading) {
		var recs []string
		for _, r := range rs {
			recs = append(recs, r.key+":"+r.value)
		}
		kcatProduce(t, brokerAddr, topic, recs)
	}
	expected := func(groups ...[]kafkaReading) []string {
		var out []string
		for _, g := range groups {
			for _, r := range g {
				if r.alert != "" {
					out = append(out, fmt.Sprintf("%s|%s|%d", r.key, r.alert, kafkaPartition(r.key, partitions)))
				}
			}
		}
		return out
	}
	// checkPartitions: every alert is in the partition its key has in the input topic, which
	// is the murmur2 partition (kcat produced with murmur2_random).
	checkPartitions := func(got []kcatRecord) {
		t.Helper()
		in := map[string]int{}
		for _, r := range kcatConsume(t, brokerAddr, topic) {
			if p, ok := in[r.key]; ok && p != r.partition {
				t.Errorf("input topic: key %s in partitions %d and %d", r.key, p, r.partition)
			}
			in[r.key] = r.partition
			if want := kafkaPartition(r.key, partitions); r.partition != want {
				t.Errorf("input topic: key %s in partition %d, murmur2 gives %d", r.key, r.partition, want)
			}
		}
		for _, a := range got {
			if p, ok := in[a.key]; !ok || p != a.partition {
				t.Errorf("alert %s: partition %d, but the key is in partition %d (present %v) of the input topic", a.key, a.partition, p, ok)
			}
		}
	}
	describe := func(rs []kafkaReading) string {
		var b strings.Builder
		for _, r := range rs {
			fmt.Fprintf(&b, "\n  %s: %s:%s -> alert %q", r.name, r.key, r.value, r.alert)
		}
		return b.String()
	}

	produce(phase1)
	want := expected(phase1)
	got := kcatAwait(t, brokerAddr, sink, len(want), settle)
	sameMultiset(t, "alerts topic "+sink+" after phase 1"+describe(phase1), recordStrings(got), want)
	checkPartitions(got)

	s.restart()
	expectCatalog(t, s, map[string]string{strings.ToUpper(readings): topic, sink: sink}, "CSAS_"+sink)
	produce(phase2)
	want = expected(phase1, phase2)
	got = kcatAwait(t, brokerAddr, sink, len(want), settle)
	sameMultiset(t, "alerts topic "+sink+" after the restart (old + new, none lost or repeated)"+describe(phase2), recordStrings(got), want)
	checkPartitions(got)
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	needTool(t, "psql")
	s := startServer(t, "")

	const topic = "iot.sensor.humidity.bad"
	s.mustPSQL(`CREATE STREAM readings (device_id VARCHAR KEY, humidity DOUBLE) WITH (kafka_topic='` + topic + `', value_format='JSON', partitions=1);`)

	errorCases := []struct {
		name string
		sql  string
		code string
		at   string // the text the error position (caret) points at
	}{
		{"syntax error", "SELEC 1;", "42601", "SELEC"},
		{"unknown stream", "SELECT * FROM nope EMIT CHANGES;", "42P01", "nope"},
		{"unknown column", "SELECT nocol FROM readings EMIT CHANGES;", "42703", "nocol"},
		{"unknown function", "SELECT nofunc(humidity) FROM readings EMIT CHANGES;", "42883", "nofunc"},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.psql(tc.sql)
			if r.err == nil || r.timedOut {
				t.Fatalf("psql -c %q: err %v (timed out %v), want an error; stdout %q", tc.sql, r.err, r.timedOut, r.stdout)
			}
			if !strings.Contains(r.stderr, "ERROR:  "+tc.code+":") {
				t.Errorf("stderr has no SQLSTATE %s:\n%s", tc.code, r.stderr)
			}
			checkCaret(t, tc.sql, tc.at, r.stderr)
		})
	}

	t.Run("error in a multi-statement string", func(t *testing.T) {
		// One -c string is one simple Query: as in Postgres, statements after the failing one
		// do not run.
		r := s.psql("SELECT * FROM nope EMIT CHANGES; SHOW STREAMS;")
		if r.err == nil || !strings.Contains(r.stderr, "42P01") {
			t.Errorf("want error 42P01; err %v, stderr %q", r.err, r.stderr)
		}
		if strings.Contains(r.stdout, "READINGS") {
			t.Errorf("SHOW STREAMS ran after the failed statement in the same query string: %q", r.stdout)
		}
		// Two -c on one connection, without ON_ERROR_STOP: the session survives the error.
		r = s.psqlWithin(waitTimeout, "-v", "VERBOSITY=verbose", "-c", "SELECT * FROM nope EMIT CHANGES;", "-c", "SHOW STREAMS;")
		if !strings.Contains(r.stderr, "42P01") || !strings.Contains(r.stdout, "READINGS") {
			t.Errorf("same connection after an error: stdout %q, stderr %q; want 42P01 then the streams", r.stdout, r.stderr)
		}
		if out := s.mustPSQL("SHOW STREAMS;"); !strings.Contains(out, "READINGS") {
			t.Errorf("new connection: SHOW STREAMS = %q", out)
		}
	})

	t.Run("malformed records are skipped and logged", func(t *testing.T) {
		s.mustPSQL(`CREATE STREAM bad_alerts AS SELECT * FROM readings WHERE humidity > 85.0;`)
		// Two more views of the same topic, to write what a JSON DOUBLE column cannot read.
		s.mustPSQL(`CREATE STREAM raw_text (device_id VARCHAR KEY, humidity VARCHAR) WITH (kafka_topic='` + topic + `', value_format='JSON');`)
		s.mustPSQL(`CREATE STREAM raw_bytes (v STRING) WITH (kafka_topic='` + topic + `', value_format='KAFKA');`)
		s.mustPSQL(strings.Join([]string{
			`INSERT INTO readings (device_id, humidity) VALUES ('g1', 91.5);`,  // offset 0
			`INSERT INTO raw_bytes (v) VALUES ('not json');`,                   // offset 1: malformed JSON
			`INSERT INTO raw_text (device_id, humidity) VALUES ('w1', 'wet');`, // offset 2: wrong type
			`INSERT INTO readings (device_id, humidity) VALUES ('g2', 95.5);`,  // offset 3
			`INSERT INTO readings (device_id, humidity) VALUES ('g3', 10.5);`,  // offset 4: no alert
		}, " "))

		type logEntry struct {
			QueryID     string `json:"QUERY_ID"`
			Stage       string `json:"STAGE"`
			Message     string `json:"MESSAGE"`
			Topic       string `json:"TOPIC"`
			Partition   *int   `json:"PARTITION"`
			Offset      *int64 `json:"OFFSET"`
			RecordValue string `json:"RECORD_VALUE"`
		}
		var entries []logEntry
		for _, p := range s.printN("streamsql_processing_log", 2) {
			var e logEntry
			if err := json.Unmarshal([]byte(p.value), &e); err != nil {
				t.Fatalf("processing-log value is not JSON: %v: %s", err, p.value)
			}
			entries = append(entries, e)
		}
		slices.SortFunc(entries, func(a, b logEntry) int {
			if a.Offset == nil || b.Offset == nil {
				return 0
			}
			return int(*a.Offset - *b.Offset)
		})
		wantLog := []struct {
			offset  int64
			value   string
			message string // a word the reason must mention
		}{
			{1, "not json", "JSON"},
			{2, `{"HUMIDITY":"wet"}`, "DOUBLE"},
		}
		for i, w := range wantLog {
			e := entries[i]
			if !strings.HasPrefix(e.QueryID, "CSAS_BAD_ALERTS") || e.Topic != topic || e.Partition == nil || *e.Partition != 0 ||
				e.Offset == nil || *e.Offset != w.offset || e.RecordValue != w.value || !strings.Contains(strings.ToUpper(e.Message), w.message) {
				t.Errorf("processing-log entry %d = %+v (partition %v, offset %v); want query CSAS_BAD_ALERTS*, topic %s, partition 0, offset %d, record %q, a reason mentioning %s",
					i, e, deref(e.Partition), deref(e.Offset), topic, w.offset, w.value, w.message)
			}
		}

		// The query is still running: a good record after the bad ones still alerts.
		expectCatalog(t, s, nil, "CSAS_BAD_ALERTS")
		s.mustPSQL(`INSERT INTO readings (device_id, humidity) VALUES ('g4', 88.5);`)
		s.expectExactlyPrinted("BAD_ALERTS", []string{
			`g1|{"HUMIDITY":91.5}|0`,
			`g2|{"HUMIDITY":95.5}|0`,
			`g4|{"HUMIDITY":88.5}|0`,
		}, settle)
	})
}

// checkCaret checks psql's verbose error shows "LINE n: <sql>" and a caret under at.
func checkCaret(t *testing.T, sql, at, stderr string) {
	t.Helper()
	ls := strings.Split(stderr, "\n")
	for i, l := range ls {
		if !strings.HasPrefix(l, "LINE 1: ") || i+1 >= len(ls) {
			continue
		}
		caret := strings.Index(ls[i+1], "^")
		col := caret - len("LINE 1: ")
		if caret < 0 || col < 0 || col > len(sql) {
			t.Errorf("no caret under %q:\n%s", l, stderr)
			return
		}
		if !strings.HasPrefix(sql[col:], at) {
			t.Errorf("caret at column %d points at %q, want %q:\n%s", col, sql[col:], at, stderr)
		}
		return
	}
	t.Errorf("stderr has no LINE 1: position:\n%s", stderr)
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
