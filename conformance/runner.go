package conformance

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/embedded"
	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

// Result is the verdict on one case.
type Result struct {
	ID       string `json:"id"`
	Feature  string `json:"feature"`
	Pass     bool   `json:"pass"`
	Reason   string `json:"reason,omitempty"`
	Expected any    `json:"expected,omitempty"`
	Got      any    `json:"got,omitempty"`
	Millis   int64  `json:"ms"`
	// Stateless marks a case whose statements use neither JOIN, GROUP BY nor WINDOW.
	Stateless bool `json:"stateless"`
}

// Options tune a run.
type Options struct {
	// CaseTimeout bounds one case (default 20s).
	CaseTimeout time.Duration
}

var (
	kafkaTopicProp = regexp.MustCompile(`(?i)kafka_topic\s*=\s*'([^']*)'`)
	partitionsProp = regexp.MustCompile(`(?i)partitions\s*=\s*(\d+)`)
	createAsSelect = regexp.MustCompile(`(?is)^\s*create\s+(or\s+replace\s+)?(stream|table)\b.*\bas\s+select\b`)
	statefulWords  = regexp.MustCompile(`(?i)\bjoin\b|\bgroup\s+by\b|\bwindow\b`)
	createSource   = regexp.MustCompile(`(?is)^\s*create\s+(or\s+replace\s+)?(source\s+)?(stream|table)\b`)
)

// RunCase runs one case on a fresh engine over a fresh embedded log in a temporary directory,
// with ksqlDB's test-only functions registered (RegisterTestFunctions).
func RunCase(ctx context.Context, c *Case, opts Options) (res Result) {
	RegisterTestFunctions()
	start := time.Now()
	res = Result{ID: c.ID, Feature: c.Feature, Stateless: c.Stateless()}
	defer func() {
		if p := recover(); p != nil {
			res.Pass = false
			res.Reason = fmt.Sprintf("panic: %v", p)
		}
		res.Millis = time.Since(start).Milliseconds()
	}()
	if opts.CaseTimeout <= 0 {
		opts.CaseTimeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, opts.CaseTimeout)
	defer cancel()

	dir, err := os.MkdirTemp("", "qtt-")
	if err != nil {
		res.Reason = err.Error()
		return res
	}
	defer os.RemoveAll(dir)
	// No retention: the corpus's records carry timestamps near 1970, which the log's retention
	// (by record time, as Kafka's) would delete at its first pass; ksqlDB's test driver has none.
	b, err := embedded.Open(dir, embedded.Options{NoSync: true, CleanupInterval: -1})
	if err != nil {
		res.Reason = "open log: " + err.Error()
		return res
	}
	defer b.Close()

	if err := createInputTopics(ctx, b, c); err != nil {
		res.Reason = "creating input topics: " + err.Error()
		return res
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// ksqlDB's test driver runs with the record cache off: every update is emitted.
	eng, err := engine.Open(ctx, engine.Config{Broker: b, Logger: logger, PollWait: 20 * time.Millisecond,
		Properties: map[string]string{"ksql.streams.cache.max.bytes.buffering": "0"}})
	if err != nil {
		res.Reason = "open engine: " + err.Error()
		return res
	}
	defer eng.Close()
	sess, err := eng.NewSession(ctx, map[string]string{"user": "qtt"})
	if err != nil {
		res.Reason = "session: " + err.Error()
		return res
	}
	defer sess.Close()
	for k, v := range c.Properties {
		stmt := fmt.Sprintf("SET '%s'='%s';", k, strings.ReplaceAll(fmt.Sprint(v), "'", "''"))
		if err := sess.Run(ctx, stmt, func(*api.Result) error { return nil }); err != nil {
			res.Reason = "property " + k + ": " + err.Error()
			return res
		}
	}
	// Push queries and pull queries in a case are not judged here; only persistent outputs.
	var stmtErr error
	for _, stmt := range c.Statements {
		if err := sess.Run(ctx, stmt, func(*api.Result) error { return nil }); err != nil {
			stmtErr = err
			break
		}
	}
	if c.ExpectedError != nil {
		if stmtErr == nil {
			// The error may come from processing the inputs.
			if perr := produceInputs(ctx, b, eng.Catalog(), c, eng.WaitIdle); perr != nil {
				stmtErr = perr
			} else if werr := eng.WaitIdle(ctx); werr != nil {
				stmtErr = werr // a query that failed on the inputs
			}
		}
		if stmtErr == nil {
			res.Reason = "expected error containing " + strconv.Quote(c.ExpectedError.Message) + ", got none"
			return res
		}
		if !strings.Contains(strings.ToLower(stmtErr.Error()), strings.ToLower(c.ExpectedError.Message)) {
			res.Reason = "wrong error"
			res.Expected = c.ExpectedError.Message
			res.Got = stmtErr.Error()
			return res
		}
		res.Pass = true
		return res
	}
	if stmtErr != nil {
		res.Reason = "statement failed: " + stmtErr.Error()
		return res
	}
	if err := produceInputs(ctx, b, eng.Catalog(), c, eng.WaitIdle); err != nil {
		res.Reason = "producing inputs: " + err.Error()
		return res
	}
	if err := eng.WaitIdle(ctx); err != nil {
		res.Reason = "waiting for queries: " + err.Error()
		return res
	}
	if reason, exp, got := checkOutputs(ctx, b, eng.Catalog(), c); reason != "" {
		res.Reason, res.Expected, res.Got = reason, exp, got
		return res
	}
	if reason, exp, got := checkPostSources(eng.Catalog(), c); reason != "" {
		res.Reason, res.Expected, res.Got = reason, exp, got
		return res
	}
	res.Pass = true
	return res
}

// createInputTopics creates the topics the case's inputs and plain CREATE statements name,
// as the ksqlDB test harness does: single partition unless the statement says otherwise, and
// not when the statement gives PARTITIONS (then the engine creates it).
func createInputTopics(ctx context.Context, b broker.Broker, c *Case) error {
	want := map[string]int32{}
	for _, stmt := range c.Statements {
		if createAsSelect.MatchString(stmt) || !createSource.MatchString(stmt) {
			continue
		}
		m := kafkaTopicProp.FindStringSubmatch(stmt)
		if m == nil || partitionsProp.MatchString(stmt) {
			continue
		}
		want[m[1]] = 1
	}
	for _, in := range c.Inputs {
		if _, ok := want[in.Topic]; !ok {
			want[in.Topic] = 1
		}
	}
	for name, parts := range want {
		if err := b.CreateTopic(ctx, name, broker.TopicConfig{Partitions: parts, Retention: -1}); err != nil && !errors.Is(err, broker.ErrTopicExists) {
			return err
		}
	}
	return nil
}

func sourceForTopic(cat *catalog.Catalog, topic string) *catalog.Source {
	var found *catalog.Source
	for _, s := range cat.Sources("") {
		if s.Topic == topic {
			// Prefer the source declared over the topic (not a query's sink) for inputs.
			if found == nil || len(s.WriterQueries) == 0 {
				found = s
			}
		}
	}
	return found
}

// produceInputs writes the case's inputs in order. With several persistent queries, settle
// runs after each record: ksqlDB's test driver pushes one record at a time through the whole
// topology, so two queries writing one topic produce in input order, which concurrent tasks
// would not guarantee.
func produceInputs(ctx context.Context, b broker.Broker, cat *catalog.Catalog, c *Case, settle func(context.Context) error) error {
	serial := len(cat.Queries()) > 1
	for i, in := range c.Inputs {
		src := sourceForTopic(cat, in.Topic)
		rec := broker.Record{Partition: broker.AnyPartition, Timestamp: time.UnixMilli(0)}
		if in.Timestamp != nil {
			rec.Timestamp = time.UnixMilli(*in.Timestamp)
		}
		var err error
		if in.HasKey {
			rec.Key, err = encodeTestValue(in.Key, src, true)
			if err != nil {
				return fmt.Errorf("input %d key: %w", i, err)
			}
		}
		if w := in.Window; w != nil && in.HasKey {
			// Windowed keys as Kafka Streams writes them.
			if strings.EqualFold(w.Type, "session") {
				rec.Key = binary.BigEndian.AppendUint64(rec.Key, uint64(w.End))
			}
			rec.Key = binary.BigEndian.AppendUint64(rec.Key, uint64(w.Start))
		}
		if !isJSONNull(in.Value) {
			rec.Value, err = encodeTestValue(in.Value, src, false)
			if err != nil {
				return fmt.Errorf("input %d value: %w", i, err)
			}
		}
		for _, h := range in.Headers {
			hdr := broker.Header{Key: h.Key}
			if h.Value != nil {
				hdr.Value, err = base64.StdEncoding.DecodeString(*h.Value)
				if err != nil {
					return fmt.Errorf("input %d header %s: %w", i, h.Key, err)
				}
			}
			rec.Headers = append(rec.Headers, hdr)
		}
		if err := b.Produce(ctx, in.Topic, []broker.Record{rec}); err != nil {
			return err
		}
		if serial {
			if err := settle(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

func isJSONNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// encodeTestValue turns a corpus key or value into bytes the way the test harness's producer
// would for the source's format: JSON as written, DELIMITED strings as is, KAFKA primitives in
// Kafka's serializers' binary form.
func encodeTestValue(raw json.RawMessage, src *catalog.Source, isKey bool) ([]byte, error) {
	format := "JSON"
	var cols []catalog.Column
	if src != nil {
		if isKey {
			format = src.KeyFormat.Name
			cols = src.KeyColumns()
		} else {
			format = src.ValueFormat.Name
			cols = src.ValueColumns()
		}
	}
	switch strings.ToUpper(format) {
	case "KAFKA":
		var t types.Type
		if len(cols) == 1 {
			t = cols[0].Type
		} else {
			t = types.StringType
		}
		return encodeKafkaPrimitive(raw, t)
	case "DELIMITED":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return []byte(strings.TrimSpace(string(raw))), nil
		}
		return []byte(s), nil
	case "NONE":
		return nil, nil
	default:
		return []byte(strings.TrimSpace(string(raw))), nil
	}
}

func encodeKafkaPrimitive(raw json.RawMessage, t types.Type) ([]byte, error) {
	text := strings.TrimSpace(string(raw))
	switch t.Kind {
	case types.Int:
		n, err := strconv.ParseInt(text, 10, 32)
		if err != nil {
			return nil, err
		}
		return binary.BigEndian.AppendUint32(nil, uint32(int32(n))), nil
	case types.Bigint:
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, err
		}
		return binary.BigEndian.AppendUint64(nil, uint64(n)), nil
	case types.Double:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, err
		}
		return binary.BigEndian.AppendUint64(nil, math.Float64bits(f)), nil
	default:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return []byte(text), nil
		}
		return []byte(s), nil
	}
}

// Stateless reports whether the case's statements use neither JOIN, GROUP BY nor WINDOW.
func (c *Case) Stateless() bool {
	for _, st := range c.Statements {
		if statefulWords.MatchString(st) {
			return false
		}
	}
	return true
}
