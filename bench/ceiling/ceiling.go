package ceiling

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	kgo "github.com/segmentio/kafka-go"
)

// Config of one pipe.
type Config struct {
	Brokers []string
	Query   string // q0, q2 or alert
	In, Out string
	// Ready, when set, is called once the reader and writer exist (the harness's start mark).
	Ready func()
}

type bid struct {
	Auction  int64  `json:"auction"`
	Bidder   int64  `json:"bidder"`
	Price    int64  `json:"price"`
	Channel  string `json:"channel"`
	URL      string `json:"url"`
	DateTime int64  `json:"date_time"`
	Extra    string `json:"extra"`
	IngestNs int64  `json:"ingest_ns"`
}

type reading struct {
	DeviceID    string  `json:"device_id"`
	Site        string  `json:"site"`
	TS          int64   `json:"ts"`
	Temperature float64 `json:"temperature"`
	Humidity    float64 `json:"humidity"`
	Battery     float64 `json:"battery"`
	IngestNs    int64   `json:"ingest_ns"`
}

// Outputs carry ksqlDB's upper-case column names, as streamsql and the peer write them.
type q0 struct {
	Auction  int64  `json:"AUCTION"`
	Bidder   int64  `json:"BIDDER"`
	Price    int64  `json:"PRICE"`
	DateTime int64  `json:"DATE_TIME"`
	Extra    string `json:"EXTRA"`
	IngestNs int64  `json:"INGEST_NS"`
}

type q2 struct {
	Auction  int64 `json:"AUCTION"`
	Price    int64 `json:"PRICE"`
	IngestNs int64 `json:"INGEST_NS"`
}

type alert struct {
	TS       int64   `json:"TS"`
	Humidity float64 `json:"HUMIDITY"`
	IngestNs int64   `json:"INGEST_NS"`
}

// transform maps one input value to its output (nil: filtered out).
type transform func(v []byte) ([]byte, error)

func transformFor(q string) (transform, error) {
	switch q {
	case "q0":
		return func(v []byte) ([]byte, error) {
			var b bid
			if err := json.Unmarshal(v, &b); err != nil {
				return nil, err
			}
			return json.Marshal(q0{b.Auction, b.Bidder, b.Price, b.DateTime, b.Extra, b.IngestNs})
		}, nil
	case "q2":
		return func(v []byte) ([]byte, error) {
			var b bid
			if err := json.Unmarshal(v, &b); err != nil {
				return nil, err
			}
			if b.Auction%123 != 0 {
				return nil, nil
			}
			return json.Marshal(q2{b.Auction, b.Price, b.IngestNs})
		}, nil
	case "alert":
		return func(v []byte) ([]byte, error) {
			var r reading
			if err := json.Unmarshal(v, &r); err != nil {
				return nil, err
			}
			if !(r.Humidity > 85) {
				return nil, nil
			}
			return json.Marshal(alert{r.TS, r.Humidity, r.IngestNs})
		}, nil
	}
	return nil, fmt.Errorf("ceiling: no pipe for query %q (stateless q0, q2, alert only)", q)
}

// Run pipes partition 0 of In to Out from the first offset until ctx ends.
func Run(ctx context.Context, cfg Config) error {
	tf, err := transformFor(cfg.Query)
	if err != nil {
		return err
	}
	r := kgo.NewReader(kgo.ReaderConfig{
		Brokers: cfg.Brokers, Topic: cfg.In, Partition: 0,
		MinBytes: 1, MaxBytes: 16 << 20, MaxWait: 50 * time.Millisecond,
	})
	defer r.Close()
	if err := r.SetOffset(kgo.FirstOffset); err != nil {
		return err
	}
	// A short BatchTimeout: WriteMessages is called with whole batches, so it never needs to
	// wait for more (kafka-go's default of 1 s would stall every partial batch).
	w := &kgo.Writer{
		Addr: kgo.TCP(cfg.Brokers...), Topic: cfg.Out, Balancer: &kgo.Hash{},
		BatchSize: 10_000, BatchBytes: 16 << 20, BatchTimeout: time.Millisecond,
		RequiredAcks: kgo.RequireAll,
	}
	defer w.Close()
	if cfg.Ready != nil {
		cfg.Ready()
	}
	// One goroutine fetches; the loop drains what has arrived into a batch of up to 1000
	// records, transforms it and writes it in one produce call.
	msgs := make(chan kgo.Message, 4096)
	errc := make(chan error, 1)
	go func() {
		for {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				errc <- err
				close(msgs)
				return
			}
			msgs <- m
		}
	}()
	out := make([]kgo.Message, 0, 1000)
	for {
		m, ok := <-msgs
		if !ok {
			break
		}
		batch := []kgo.Message{m}
	drain:
		for len(batch) < 1000 {
			select {
			case m, ok := <-msgs:
				if !ok {
					break drain
				}
				batch = append(batch, m)
			default:
				break drain
			}
		}
		out = out[:0]
		for _, m := range batch {
			v, err := tf(m.Value)
			if err != nil {
				return fmt.Errorf("ceiling: offset %d: %w", m.Offset, err)
			}
			if v != nil {
				out = append(out, kgo.Message{Key: m.Key, Value: v, Time: m.Time})
			}
		}
		if len(out) > 0 {
			if err := w.WriteMessages(ctx, out...); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("ceiling: produce: %w", err)
			}
		}
	}
	if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
