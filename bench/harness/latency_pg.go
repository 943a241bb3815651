package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// insertBatch bounds the INSERT statements of one simple-protocol message: each of the
// Config.Inserters connections that feed the paced embedded-log run sends what is due as one
// message.
const insertBatch = 64

// latencyEmbedded runs q on streamsql over its embedded log, fed and read over the Postgres
// endpoint (the log's database is the process's own): inputs are INSERTed at rate per second
// (open loop: every input is stamped in ingest_ns with the wall clock at which it was *due*,
// and its ROWTIME with that clock plus the probe's offset, so a backlog in the INSERT path
// counts as latency instead of slowing the offered load), and the output is read with a push
// query (`SELECT * FROM <sink> EMIT CHANGES`) on a separate connection; the probe turns each
// row, taken when pgx returned it, into a latency sample.
func (r *runner) latencyEmbedded(ctx context.Context, q Query, run, rate int) (l Latency) {
	l = Latency{Query: q.ID, System: SysEmbedded, Run: run, Rate: rate}
	tag := r.tag(q, SysEmbedded)
	in := "paced_" + tag
	s, err := r.launchOpts(ctx, q, SysEmbedded, tag, in, true)
	if err != nil {
		l.Err = err.Error()
		return l
	}
	defer func() {
		s.p.stop(15 * time.Second)
		_ = os.RemoveAll(s.dataDir)
	}()
	connStr := "postgres://bench@" + s.pg + "/streamsql?sslmode=disable"
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The push query, started before the input so that it sees every output.
	start := time.Now().Add(time.Second) // after the subscription's second below
	p := newProbe(q, r.cfg, run, start.UnixNano(), start.Add(r.cfg.LatencyWarmup).UnixNano())
	reader, err := pgx.Connect(ctx, connStr)
	if err != nil {
		l.Err = "push query connection: " + err.Error()
		return l
	}
	defer reader.Close(context.Background())
	readErr := make(chan error, 1)
	go func() {
		rows, err := reader.Query(rctx, "SELECT * FROM "+s.sink+" EMIT CHANGES", pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			readErr <- err
			return
		}
		defer rows.Close()
		var row pgRow
		for rows.Next() {
			now := time.Now().UnixNano()
			if row.col == nil {
				row.col = map[string]int{}
				for i, f := range rows.FieldDescriptions() {
					row.col[strings.ToUpper(f.Name)] = i
				}
			}
			row.raw = rows.RawValues()
			p.observe(&row, now)
		}
		readErr <- rows.Err()
	}()
	time.Sleep(time.Until(start)) // the push query subscribes (pgx returns only with its first row)

	// The inserters.
	conns := make([]*pgx.Conn, 0, r.cfg.Inserters)
	defer func() {
		for _, c := range conns {
			c.Close(context.Background())
		}
	}()
	for i := 0; i < r.cfg.Inserters; i++ {
		c, err := pgx.Connect(ctx, connStr)
		if err != nil {
			l.Err = "insert connection: " + err.Error()
			return l
		}
		conns = append(conns, c)
	}
	due := make(chan string, rate*4+insertBatch)
	var insertErr atomic.Value
	var inserted atomic.Int64
	var wg sync.WaitGroup
	var rtMu sync.Mutex
	var roundTrips []time.Duration
	for _, c := range conns {
		wg.Add(1)
		go func(c *pgx.Conn) {
			defer wg.Done()
			var b strings.Builder
			for stmt := range due {
				b.Reset()
				b.WriteString(stmt)
				n := 1
			drain:
				for n < insertBatch {
					select {
					case st, ok := <-due:
						if !ok {
							break drain
						}
						b.WriteString(st)
						n++
					default:
						break drain
					}
				}
				t0 := time.Now()
				_, err := c.Exec(rctx, b.String(), pgx.QueryExecModeSimpleProtocol)
				d := time.Since(t0)
				rtMu.Lock()
				roundTrips = append(roundTrips, d)
				rtMu.Unlock()
				if err != nil {
					if rctx.Err() == nil {
						insertErr.CompareAndSwap(nil, err)
					}
					continue
				}
				inserted.Add(int64(n))
			}
		}(c)
	}

	sent, dropped := 0, 0
	dur := p.runFor(r.cfg.LatencyWarmup + r.cfg.LatencyDur)
	for el := time.Duration(0); el < dur && ctx.Err() == nil; el = time.Since(start) {
		n := int(float64(rate)*el.Seconds()) - sent - dropped
		for i := 0; i < n; i++ {
			// The input's due time, not the time it is sent.
			at := start.UnixNano() + int64(float64(sent+dropped+1)*1e9/float64(rate))
			e := p.next(at)
			select {
			case due <- insertSQL(s.src, e, at):
				sent++
			default:
				dropped++ // four seconds of backlog: the INSERT path cannot keep up
			}
		}
		time.Sleep(time.Millisecond)
	}
	close(due)
	wg.Wait()
	achieved := float64(inserted.Load()) / time.Since(start).Seconds()
	p.awaitStragglers()
	cancel()
	select {
	case <-readErr:
	case <-time.After(5 * time.Second):
	}
	sort.Slice(roundTrips, func(i, j int) bool { return roundTrips[i] < roundTrips[j] })
	if len(roundTrips) > 0 {
		l.InsertP50, l.InsertP99 = pct(roundTrips, 0.5), pct(roundTrips, 0.99)
	}
	l.Achieved = int(achieved)
	var errs []string
	if e, _ := insertErr.Load().(error); e != nil {
		errs = append(errs, "INSERT: "+e.Error())
	}
	if dropped > 0 {
		errs = append(errs, fmt.Sprintf("the INSERT path fell 4 s behind: %d of %d due readings not sent", dropped, sent+dropped))
	}
	l.Err = strings.Join(errs, "; ")
	p.finish(&l)
	return l
}

// pgRow is a push query's row in the text format, its columns by upper-case name.
type pgRow struct {
	col map[string]int
	raw [][]byte
}

func (r *pgRow) Int(name string) (int64, bool) {
	i, ok := r.col[name]
	if !ok || i >= len(r.raw) {
		return 0, false
	}
	return parseInt(r.raw[i])
}

// insertSQL is one paced input as an INSERT statement with every column of its source and
// its ROWTIME.
func insertSQL(src string, e pacedEvent, ingestNs int64) string {
	b := make([]byte, 0, 400)
	b = append(b, "INSERT INTO "...)
	b = append(b, src...)
	if e.Bid.Value != nil { // a bid (only bids set it)
		var v struct {
			Channel, URL, Extra string
		}
		_ = json.Unmarshal(e.Bid.Value, &v) // the generator's own JSON
		b = append(b, " (ROWTIME, auction, bidder, price, channel, url, date_time, extra, ingest_ns) VALUES ("...)
		b = strconv.AppendInt(b, e.TimeMs, 10)
		for _, n := range []int64{e.Bid.Auction, e.Bid.Bidder, e.Bid.Price} {
			b = append(b, ", "...)
			b = strconv.AppendInt(b, n, 10)
		}
		b = appendSQLString(append(b, ", "...), v.Channel)
		b = appendSQLString(append(b, ", "...), v.URL)
		b = append(b, ", "...)
		b = strconv.AppendInt(b, e.Bid.TimeMs, 10)
		b = appendSQLString(append(b, ", "...), v.Extra)
	} else {
		rd := e.Reading
		b = append(b, " (ROWTIME, device_id, site, ts, temperature, humidity, battery, ingest_ns) VALUES ("...)
		b = strconv.AppendInt(b, e.TimeMs, 10)
		b = appendSQLString(append(b, ", "...), rd.Device)
		b = appendSQLString(append(b, ", "...), rd.Site)
		b = append(b, ", "...)
		b = strconv.AppendInt(b, rd.TimeMs, 10)
		for _, f := range []float64{rd.Temperature, rd.Humidity, rd.Battery} {
			b = append(b, ", "...)
			b = strconv.AppendFloat(b, f, 'f', -1, 64)
		}
	}
	b = append(b, ", "...)
	b = strconv.AppendInt(b, ingestNs, 10)
	b = append(b, ");\n"...) // one line each, as a client sending one statement per line
	return string(b)
}

// appendSQLString appends s as a SQL string literal.
func appendSQLString(b []byte, s string) []byte {
	b = append(b, '\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			b = append(b, '\'')
		}
		b = append(b, s[i])
	}
	return append(b, '\'')
}
