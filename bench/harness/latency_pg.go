package harness

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/streamsql/streamsql/bench/iot"
)

// insertBatch bounds the INSERT statements of one simple-protocol message: each of the
// Config.Inserters connections that feed the paced embedded-log run sends what is due as one
// message.
const insertBatch = 64

// latencyEmbedded runs B6 on streamsql over its embedded log, fed and read over the Postgres
// endpoint (the log's database is the process's own): readings are INSERTed at rate per
// second (open loop: every reading is stamped in ingest_ns with the wall clock at which it was
// *due*, so a backlog in the INSERT path counts as latency instead of slowing the offered
// load), and the alerts are read with a push query (`SELECT … FROM <sink> EMIT CHANGES`) on a
// separate connection; latency = wall clock when pgx returned the row − ingest_ns.
func (r *runner) latencyEmbedded(ctx context.Context, q Query, run, rate int) (l Latency) {
	l = Latency{System: SysEmbedded, Run: run, Rate: rate}
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

	// The push query, started before the input so that it sees every alert.
	var mu sync.Mutex
	var lats []time.Duration
	received := 0
	warmEnd := time.Now().Add(time.Second + r.cfg.LatencyWarmup).UnixNano()
	reader, err := pgx.Connect(ctx, connStr)
	if err != nil {
		l.Err = "push query connection: " + err.Error()
		return l
	}
	defer reader.Close(context.Background())
	readErr := make(chan error, 1)
	go func() {
		rows, err := reader.Query(rctx, "SELECT ts, humidity, ingest_ns FROM "+s.sink+" EMIT CHANGES", pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			readErr <- err
			return
		}
		defer rows.Close()
		for rows.Next() {
			now := time.Now().UnixNano()
			raw := rows.RawValues()
			if len(raw) < 3 {
				continue
			}
			ing, _ := strconv.ParseInt(string(raw[2]), 10, 64)
			mu.Lock()
			received++
			if ing >= warmEnd {
				lats = append(lats, time.Duration(now-ing))
			}
			mu.Unlock()
		}
		readErr <- rows.Err()
	}()
	time.Sleep(time.Second) // the push query subscribes (pgx returns only with its first row)

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

	g := iot.New(iot.Config{Seed: r.cfg.Seed + int64(run), Devices: r.cfg.IoTDevices})
	alerts, sent, dropped := 0, 0, 0
	start := time.Now()
	dur := r.cfg.LatencyWarmup + r.cfg.LatencyDur
	for el := time.Duration(0); el < dur && ctx.Err() == nil; el = time.Since(start) {
		n := int(float64(rate)*el.Seconds()) - sent - dropped
		for i := 0; i < n; i++ {
			// The reading's due time, not the time it is sent.
			at := start.UnixNano() + int64(float64(sent+dropped+1)*1e9/float64(rate))
			rd := g.NextAt(at/1e6, at)
			stmt := insertSQL(s.src, rd, at)
			select {
			case due <- stmt:
				sent++
				if rd.Humidity > 85 {
					alerts++
				}
			default:
				dropped++ // four seconds of backlog: the INSERT path cannot keep up
			}
		}
		time.Sleep(time.Millisecond)
	}
	close(due)
	wg.Wait()
	achieved := float64(inserted.Load()) / time.Since(start).Seconds()
	l.Expected = alerts
	awaitStragglers(&mu, &received, alerts)
	cancel()
	select {
	case <-readErr:
	case <-time.After(5 * time.Second):
	}
	sort.Slice(roundTrips, func(i, j int) bool { return roundTrips[i] < roundTrips[j] })
	if len(roundTrips) > 0 {
		l.InsertP50, l.InsertP99 = pct(roundTrips, 0.5), pct(roundTrips, 0.99)
	}
	mu.Lock()
	l.Received = received
	l.setPercentiles(lats)
	mu.Unlock()
	l.Achieved = int(achieved)
	var errs []string
	if e, _ := insertErr.Load().(error); e != nil {
		errs = append(errs, "INSERT: "+e.Error())
	}
	if dropped > 0 {
		errs = append(errs, fmt.Sprintf("the INSERT path fell 4 s behind: %d of %d due readings not sent", dropped, sent+dropped))
	}
	if received < alerts {
		errs = append(errs, fmt.Sprintf("only %d of %d alerts arrived", received, alerts))
	}
	l.Err = strings.Join(errs, "; ")
	return l
}

// insertSQL is one reading as an INSERT statement with every column of the IoT source.
func insertSQL(src string, rd iot.Reading, ingestNs int64) string {
	b := make([]byte, 0, 200)
	b = append(b, "INSERT INTO "...)
	b = append(b, src...)
	b = append(b, " (device_id, site, ts, temperature, humidity, battery, ingest_ns) VALUES ('"...)
	b = append(b, rd.Device...)
	b = append(b, "', '"...)
	b = append(b, rd.Site...)
	b = append(b, "', "...)
	b = strconv.AppendInt(b, rd.TimeMs, 10)
	b = append(b, ", "...)
	b = strconv.AppendFloat(b, rd.Temperature, 'f', -1, 64)
	b = append(b, ", "...)
	b = strconv.AppendFloat(b, rd.Humidity, 'f', -1, 64)
	b = append(b, ", "...)
	b = strconv.AppendFloat(b, rd.Battery, 'f', -1, 64)
	b = append(b, ", "...)
	b = strconv.AppendInt(b, ingestNs, 10)
	b = append(b, ");\n"...) // one line each, as a client sending one statement per line
	return string(b)
}
