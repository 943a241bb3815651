package harness

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/streamsql/streamsql/bench/iot"
	"github.com/streamsql/streamsql/bench/nexmark"
)

// pacedEvent is one input record of a paced run.
type pacedEvent struct {
	Key, Value []byte
	TimeMs     int64 // event time, also the record timestamp (ROWTIME)
	// Bid or Reading is the event's fields (the embedded run writes them as an INSERT).
	Bid     nexmark.Event
	Reading iot.Reading
}

// probe is one query's paced workload: it makes the input records, due at given wall clock
// times, and turns the query's output rows into latency samples by the reference's
// definitions (§5.3):
//   - stateless queries: receive wall clock − ingest_ns of the input (carried through);
//   - EMIT FINAL windows: receive wall clock − (window end + grace), the moment the window
//     could close, in wall clock;
//   - the EMIT CHANGES aggregate (B4): receive wall clock − production time of the newest
//     input the update counts (its TOTAL_BIDS-th bid of that auction and day), i.e. how long
//     an input took to show in the table's update stream.
//
// Event time is wall clock + offsetMs. For EMIT FINAL windows the offset puts the first
// window close just after the warm-up (or the grace, if longer), so that a run of a few tens of seconds sees windows of
// any size close (B7's are 5 minutes long); stream time then advances with the wall clock as
// in a live feed. It is safe for one producer and one reader goroutine.
type probe struct {
	q        Query
	offsetMs int64
	startNs  int64
	warmEnd  int64 // samples of inputs (or closes) before this wall clock are dropped
	// firstCloseNs is the wall clock of the first window close (EMIT FINAL only).
	firstCloseNs int64
	nx           *nexmark.Generator
	iot          *iot.Generator

	mu       sync.Mutex
	expected int                // stateless: outputs the model expects
	wins     *windows           // EMIT FINAL: the model of which windows close
	prod     map[winKey][]int64 // EMIT CHANGES: production times per (auction, day)
	seen     map[winKey]bool    // EMIT CHANGES: keys that showed an update
	received int
	lats     []time.Duration
}

// newProbe starts q's paced workload at wall clock startNs; samples before warmEnd are
// dropped.
func newProbe(q Query, cfg Config, run int, startNs, warmEnd int64) *probe {
	p := &probe{q: q, startNs: startNs, warmEnd: warmEnd}
	seed := cfg.Seed + int64(run)
	if q.Dataset == "nexmark" {
		p.nx = nexmark.New(nexmark.Default(seed))
	} else {
		p.iot = iot.New(iot.Config{Seed: seed, Devices: cfg.IoTDevices})
	}
	switch {
	case q.WindowMs > 0 && !q.Changelog:
		step := cmp.Or(q.AdvanceMs, q.WindowMs) // windows end on multiples of it
		p.wins = newWindows(q.WindowMs, step, q.GraceMs)
		// The first close wanted: 2 s after the warm-up, and at least 2 s more than the grace
		// after the start, so that the window closing then (ending a grace before it) holds
		// the run's first inputs. W is the first window end whose close (W + grace) is at or
		// after it.
		firstClose := (max(warmEnd, startNs+q.GraceMs*1e6) + 2e9) / 1e6
		w := (firstClose - q.GraceMs + step - 1) / step * step
		p.offsetMs = w + q.GraceMs - firstClose
		p.firstCloseNs = firstClose * 1e6
	case q.Changelog:
		p.prod, p.seen = map[winKey][]int64{}, map[winKey]bool{}
	}
	return p
}

// runFor is how long to feed the input: want, or long enough for the first window close and
// 3 s more.
func (p *probe) runFor(want time.Duration) time.Duration {
	if p.firstCloseNs == 0 {
		return want
	}
	return max(want, time.Duration(p.firstCloseNs-p.startNs)+3*time.Second)
}

// next makes the input record due at wall clock nowNs.
func (p *probe) next(nowNs int64) pacedEvent {
	t := nowNs/1e6 + p.offsetMs
	if p.iot != nil {
		rd := p.iot.NextAt(t, nowNs)
		p.mu.Lock()
		if p.q.keep(0, rd.Humidity) {
			p.expected++
		}
		if p.wins != nil {
			p.wins.add(rd.Device, nil, t, 0)
		}
		p.mu.Unlock()
		return pacedEvent{Key: rd.Key, Value: rd.Value, TimeMs: t, Reading: rd}
	}
	var e nexmark.Event
	for e = p.nx.NextAt(t, nowNs); e.Kind != nexmark.Bid; e = p.nx.NextAt(t, nowNs) {
		// Only the bids are the queries' input; persons and auctions are skipped.
	}
	p.mu.Lock()
	if p.q.keep(e.Auction, 0) {
		p.expected++
	}
	if p.wins != nil || p.prod != nil { // the stateless queries need no key
		auction := strconv.FormatInt(e.Auction, 10)
		if p.wins != nil {
			p.wins.add(auction, nil, t, 0)
		}
		if p.prod != nil {
			k := winKey{auction, t - t%p.q.WindowMs}
			p.prod[k] = append(p.prod[k], nowNs)
		}
	}
	p.mu.Unlock()
	return pacedEvent{Key: binary.BigEndian.AppendUint64(nil, uint64(e.Auction)), Value: e.Value, TimeMs: t, Bid: e}
}

// outputRow is one output row as the harness got it: Int reads an integer column.
type outputRow interface {
	Int(name string) (int64, bool)
}

// observe records the output row got at wall clock nowNs.
func (p *probe) observe(row outputRow, nowNs int64) {
	get := row.Int
	var at int64 // the wall clock the latency is measured from
	switch {
	case p.wins != nil:
		ws, ok := get("WS")
		if !ok {
			return
		}
		at = (ws + p.q.WindowMs + p.q.GraceMs - p.offsetMs) * 1e6
	case p.prod != nil:
		a, ok1 := get("A")
		ws, ok2 := get("WS")
		n, ok3 := get("TOTAL_BIDS")
		if !ok1 || !ok2 || !ok3 {
			return
		}
		k := winKey{strconv.FormatInt(a, 10), ws}
		p.mu.Lock()
		p.seen[k] = true
		if times := p.prod[k]; n >= 1 && int(n) <= len(times) {
			at = times[n-1]
		}
		p.mu.Unlock()
	default:
		at, _ = get("INGEST_NS")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.received++
	if at >= p.warmEnd {
		p.lats = append(p.lats, time.Duration(nowNs-at))
	}
}

// want is how many outputs (EMIT CHANGES: keys with an update) the input sent so far must
// produce; got is how many arrived.
func (p *probe) progress() (got, want int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.wins != nil:
		return p.received, len(p.wins.closed())
	case p.prod != nil:
		return len(p.seen), len(p.prod)
	default:
		return p.received, p.expected
	}
}

// awaitStragglers waits (at most 5 s) until every expected output has arrived.
func (p *probe) awaitStragglers() {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if got, want := p.progress(); got >= want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// finish fills l's counts and percentiles, and says in l.Err when outputs are missing or
// the run had nothing to measure.
func (p *probe) finish(l *Latency) {
	l.Received, l.Expected = p.progress()
	p.mu.Lock()
	l.setPercentiles(p.lats)
	p.mu.Unlock()
	var errs []string
	if l.Err != "" {
		errs = append(errs, l.Err)
	}
	switch {
	case l.Expected == 0:
		errs = append(errs, "the input produced no output to measure")
	case l.Received < l.Expected:
		errs = append(errs, fmt.Sprintf("only %d of %d outputs arrived", l.Received, l.Expected))
	case l.Samples == 0:
		errs = append(errs, "no output after the warm-up")
	}
	l.Err = strings.Join(errs, "; ")
}

// jsonRow is an output value in JSON. Its members are found without a full decode (the
// reader must keep up with the output); one jsonRow is reused for every record.
type jsonRow struct{ v []byte }

func (r *jsonRow) Int(name string) (int64, bool) {
	var pat [40]byte
	key := append(append(append(pat[:0], '"'), name...), '"', ':')
	i := bytes.Index(r.v, key)
	if i < 0 {
		return 0, false
	}
	return parseInt(r.v[i+len(key):])
}

// parseInt reads the integer at the start of b (an optional '-', then digits).
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	var n int64
	digits := 0
	for ; digits < len(b) && b[digits] >= '0' && b[digits] <= '9'; digits++ {
		d := int64(b[digits] - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false // overflow
		}
		n = n*10 + d
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}
