package load

import (
	"context"
	"testing"
	"time"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/embedded"
)

func TestPreloadAndPace(t *testing.T) {
	ctx := context.Background()
	b, err := embedded.Open(t.TempDir(), embedded.Options{NoSync: true, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, tp := range []string{"a", "b"} {
		if err := b.CreateTopic(ctx, tp, broker.TopicConfig{Partitions: 1, Retention: -1}); err != nil {
			t.Fatal(err)
		}
	}
	var recs []broker.Record
	for i := 0; i < 2500; i++ {
		tp := "a"
		if i%5 == 0 {
			tp = "b"
		}
		recs = append(recs, broker.Record{Topic: tp, Value: []byte("x")})
	}
	if err := Preload(ctx, b, recs); err != nil {
		t.Fatal(err)
	}
	offs, _ := b.Offsets(ctx, "a")
	if offs[0].Latest != 2000 {
		t.Fatalf("topic a holds %d records, want 2000", offs[0].Latest)
	}
	n, err := Pace(ctx, b, 2000, 200*time.Millisecond, func(now int64) broker.Record {
		return broker.Record{Topic: "b", Value: []byte("y")}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 300 || n > 400 {
		t.Errorf("paced %d events in 200 ms at 2000/s", n)
	}
}
