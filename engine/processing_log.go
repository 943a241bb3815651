package engine

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/types"
)

// ProcessingLogTopic receives one JSON record per input record a query could not process.
const ProcessingLogTopic = "streamsql_processing_log"

// processingLog implements exec.ProcessingLog: every skipped record is counted, logged, and
// written to the processing-log topic with the reason, so bad input never vanishes.
type processingLog struct {
	b      broker.Broker
	logger *slog.Logger
	errors atomic.Int64

	mu      sync.Mutex
	pending []broker.Record
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

type processingLogEntry struct {
	Query     string `json:"QUERY_ID"`
	Stage     string `json:"STAGE"`
	Message   string `json:"MESSAGE"`
	Topic     string `json:"TOPIC"`
	Partition int32  `json:"PARTITION"`
	Offset    int64  `json:"OFFSET"`
	Key       string `json:"RECORD_KEY,omitempty"`
	Value     string `json:"RECORD_VALUE,omitempty"`
	LoggedAt  int64  `json:"LOGGED_AT"`
}

func newProcessingLog(ctx context.Context, b broker.Broker, logger *slog.Logger) (*processingLog, error) {
	err := b.CreateTopic(ctx, ProcessingLogTopic, broker.TopicConfig{Partitions: 1})
	if err != nil && !errors.Is(err, broker.ErrTopicExists) {
		return nil, err
	}
	p := &processingLog{b: b, logger: logger, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go p.flushLoop()
	return p, nil
}

// Record is called by query tasks; it must not block them on the broker, so entries are
// queued and written by a background flusher.
func (p *processingLog) Record(queryID string, rec *broker.Record, stage string, err error) {
	n := p.errors.Add(1)
	if n <= 100 || n%1000 == 0 {
		p.logger.Warn("record skipped", "query", queryID, "stage", stage, "topic", rec.Topic, "partition", rec.Partition, "offset", rec.Offset, "err", err, "total_skipped", n)
	}
	e := processingLogEntry{Query: queryID, Stage: stage, Message: err.Error(), Topic: rec.Topic, Partition: rec.Partition,
		Offset: rec.Offset, Key: string(rec.Key), Value: truncate(rec.Value, 4096), LoggedAt: time.Now().UnixMilli()}
	b, _ := json.Marshal(e)
	p.mu.Lock()
	if len(p.pending) < 100000 {
		p.pending = append(p.pending, broker.Record{Partition: 0, Value: b})
	}
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Count is the number of records skipped since start.
func (p *processingLog) Count() int64 { return p.errors.Load() }

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

func (p *processingLog) flushLoop() {
	defer close(p.done)
	for {
		select {
		case <-p.stop:
			p.flush()
			return
		case <-p.kick:
			p.flush()
		}
	}
}

func (p *processingLog) flush() {
	p.mu.Lock()
	batch := p.pending
	p.pending = nil
	p.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.b.Produce(ctx, ProcessingLogTopic, batch); err != nil {
		p.logger.Error("writing processing log", "err", err, "records", len(batch))
	}
}

// Flush writes everything queued so far.
func (p *processingLog) Flush() { p.flush() }

func (p *processingLog) Close() {
	close(p.stop)
	<-p.done
}

// ProcessingLogStream is the stream over the processing-log topic, created at first start so
// that `SELECT * FROM STREAMSQL_PROCESSING_LOG EMIT CHANGES` shows skipped records as they are.
const ProcessingLogStream = "STREAMSQL_PROCESSING_LOG"

func (e *Engine) registerProcessingLogStream(ctx context.Context) error {
	if _, ok := e.cat.Source(ProcessingLogStream); ok {
		return nil
	}
	str := types.StringType
	src := &catalog.Source{
		Name: ProcessingLogStream, Kind: catalog.Stream, Topic: ProcessingLogTopic, Partitions: 1,
		KeyFormat: catalog.Format{Name: "NONE"}, ValueFormat: catalog.Format{Name: "JSON"},
		Columns: []catalog.Column{
			{Name: "QUERY_ID", Type: str, Role: catalog.RoleValue},
			{Name: "STAGE", Type: str, Role: catalog.RoleValue},
			{Name: "MESSAGE", Type: str, Role: catalog.RoleValue},
			{Name: "TOPIC", Type: str, Role: catalog.RoleValue},
			{Name: "PARTITION", Type: types.IntType, Role: catalog.RoleValue},
			{Name: "OFFSET", Type: types.BigintType, Role: catalog.RoleValue},
			{Name: "RECORD_KEY", Type: str, Role: catalog.RoleValue},
			{Name: "RECORD_VALUE", Type: str, Role: catalog.RoleValue},
			{Name: "LOGGED_AT", Type: types.BigintType, Role: catalog.RoleValue},
		},
		Statement: "-- built in: the processing log",
	}
	return e.log.Append(ctx, e.cat, &catalog.Command{Op: catalog.OpCreateSource, Source: src})
}
