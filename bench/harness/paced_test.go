package harness

import (
	"strconv"
	"testing"
	"time"
)

// TestProbeSamples checks what one output row is worth as a latency sample, per kind of query.
func TestProbeSamples(t *testing.T) {
	const start = int64(1_800_000_000_000_000_000) // wall clock, ns
	warmEnd := start + int64(time.Second)
	cfg := Config{Seed: 1, IoTDevices: 10}
	query := func(id string) Query {
		q, ok := queryByID(id)
		if !ok {
			t.Fatalf("no query %s", id)
		}
		return q
	}
	row := func(kv ...any) outputRow {
		r := mapRow{}
		for i := 0; i+1 < len(kv); i += 2 {
			r[kv[i].(string)] = kv[i+1].(int64)
		}
		return r
	}

	t.Run("stateless: out − ingest_ns, warm-up dropped", func(t *testing.T) {
		p := newProbe(query("B6"), cfg, 1, start, warmEnd)
		p.observe(row("INGEST_NS", start), start+int64(time.Millisecond))       // warm-up
		p.observe(row("INGEST_NS", warmEnd), warmEnd+int64(3*time.Millisecond)) // 3 ms
		if len(p.lats) != 1 || p.lats[0] != 3*time.Millisecond || p.received != 2 {
			t.Fatalf("samples %v, received %d", p.lats, p.received)
		}
	})

	for _, id := range []string{"B3", "B7"} {
		t.Run(id+": the first window closes after the warm-up and the grace, holding the first inputs", func(t *testing.T) {
			q := query(id)
			p := newProbe(q, cfg, 1, start, warmEnd)
			step := q.WindowMs
			if q.AdvanceMs > 0 {
				step = q.AdvanceMs
			}
			first := p.next(start)                // event time of the first input
			end := (first.TimeMs/step + 1) * step // the earliest end of a window holding it
			closeWall := (end + q.GraceMs - p.offsetMs) * 1e6
			if closeWall != p.firstCloseNs {
				t.Fatalf("first input's earliest window closes at %d, probe says the first close is %d", closeWall, p.firstCloseNs)
			}
			if closeWall < warmEnd || closeWall < start+q.GraceMs*1e6 {
				t.Fatalf("first close %d is inside the warm-up or the grace", closeWall)
			}
			if p.runFor(time.Second) < time.Duration(closeWall-start) {
				t.Fatalf("the run (%v) ends before the first close", p.runFor(time.Second))
			}
			// A row of the window that closes first, got 7 ms after its close.
			p.observe(row("WS", end-q.WindowMs), closeWall+int64(7*time.Millisecond))
			if len(p.lats) != 1 || p.lats[0] != 7*time.Millisecond {
				t.Fatalf("samples %v", p.lats)
			}
		})
	}

	t.Run("B4: out − production of the newest input counted", func(t *testing.T) {
		q := query("B4")
		p := newProbe(q, cfg, 1, start, warmEnd)
		var auction int64
		var ws int64
		at := warmEnd
		for i := 0; ; i++ {
			e := p.next(at + int64(i))
			if i == 0 {
				auction, ws = e.Bid.Auction, e.TimeMs-e.TimeMs%q.WindowMs
			} else if e.Bid.Auction != auction {
				continue
			}
			if got, _ := p.progress(); got != 0 {
				t.Fatal("progress counted an update before any arrived")
			}
			if len(p.prod[winKey{strconv.FormatInt(auction, 10), ws}]) == 2 {
				break
			}
		}
		times := p.prod[winKey{strconv.FormatInt(auction, 10), ws}]
		// The update counting two bids: measured from the second bid's production.
		p.observe(row("A", auction, "WS", ws, "TOTAL_BIDS", int64(2)), times[1]+int64(5*time.Millisecond))
		if len(p.lats) != 1 || p.lats[0] != 5*time.Millisecond {
			t.Fatalf("samples %v", p.lats)
		}
		if got, _ := p.progress(); got != 1 {
			t.Fatalf("keys updated %d, want 1", got)
		}
	})
}

// mapRow is an output row given column by column.
type mapRow map[string]int64

func (r mapRow) Int(name string) (int64, bool) { n, ok := r[name]; return n, ok }

func TestJSONRow(t *testing.T) {
	get := (&jsonRow{[]byte(`{"A":12,"WS":-3,"DEV":"x","INGEST_NS":1700000000000000001}`)}).Int
	for _, c := range []struct {
		name string
		want int64
		ok   bool
	}{{"A", 12, true}, {"WS", -3, true}, {"INGEST_NS", 1700000000000000001, true}, {"DEV", 0, false}, {"N", 0, false}} {
		if got, ok := get(c.name); got != c.want || ok != c.ok {
			t.Errorf("%s = %d, %v; want %d, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestParseInt(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"12,", 12, true}, {"-7}", -7, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"9223372036854775808", 0, false}, // overflow
		{"", 0, false}, {"-", 0, false}, {`"x"`, 0, false}, {"null", 0, false},
	} {
		if got, ok := parseInt([]byte(c.in)); got != c.want || ok != c.ok {
			t.Errorf("parseInt(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
