package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

// fakeBackend stands in for the engine. Its statements (split on ';' outside quotes):
//
//	SELECT 1                  one INT row
//	SELECT ALLTYPES           one row of every type, then a row of NULLs
//	SELECT * FROM <name>      42P01 pointing at <name>
//	ROWS n                    n rows (BIGINT n, STRING s)
//	COPY (ROWS n) TO STDOUT   the same as COPY
//	STREAM <feed>             push query fed by feed(<feed>); closing the feed ends it
//	COPY (STREAM <feed>) TO STDOUT
//	TICK n                    push query of n rows, 20ms apart
//	SLEEP                     blocks until cancelled
//	ECHO ...                  one STRING row: the statement text as received
//	CREATE ... / BEGIN / COMMIT / ROLLBACK   command tags
//	NOTICE                    tag SET with a notice
//	NOTHING                   emits no result
//	FAIL                      an uncoded Go error
//	ERRDETAIL                 an error with detail and hint
//	BADROW                    a row with fewer values than columns
//	PANIC, PANICSTREAM        panics in Run, in RowStream.Next
//	anything else             42601 syntax error at the statement's start
type fakeBackend struct {
	mu    sync.Mutex
	feeds map[string]chan types.Row
	ran   []string

	openStreams atomic.Int64
	sessions    atomic.Int64
	sessionErr  error
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{feeds: map[string]chan types.Row{}}
}

// feed returns the channel behind STREAM name.
func (b *fakeBackend) feed(name string) chan types.Row {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := b.feeds[name]
	if ch == nil {
		ch = make(chan types.Row, 100)
		b.feeds[name] = ch
	}
	return ch
}

func (b *fakeBackend) statements() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.ran...)
}

func (b *fakeBackend) NewSession(ctx context.Context, params map[string]string) (api.Session, error) {
	if b.sessionErr != nil {
		return nil, b.sessionErr
	}
	b.sessions.Add(1)
	return &fakeSession{b: b, params: params}, nil
}

type fakeSession struct {
	b      *fakeBackend
	params map[string]string
	closed atomic.Bool
}

func (s *fakeSession) Close() error {
	if s.closed.CompareAndSwap(false, true) {
		s.b.sessions.Add(-1)
	}
	return nil
}

func (s *fakeSession) Run(ctx context.Context, sql string, emit func(*api.Result) error) error {
	for _, st := range splitFake(sql) {
		s.b.mu.Lock()
		s.b.ran = append(s.b.ran, st.text)
		s.b.mu.Unlock()
		r, err := s.exec(ctx, sql, st)
		if err != nil {
			return err
		}
		if r == nil {
			continue
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

type fakeStmt struct {
	text  string
	start int // byte offset of text in the query string
}

func splitFake(sql string) []fakeStmt {
	var out []fakeStmt
	start, inQuote := 0, false
	add := func(end int) {
		raw := sql[start:end]
		trimmed := strings.TrimLeft(raw, " \t\r\n")
		if t := strings.TrimSpace(trimmed); t != "" {
			out = append(out, fakeStmt{text: t, start: start + len(raw) - len(trimmed)})
		}
	}
	for i := 0; i < len(sql); i++ {
		switch sql[i] {
		case '\'':
			inQuote = !inQuote
		case ';':
			if !inQuote {
				add(i)
				start = i + 1
			}
		}
	}
	add(len(sql))
	return out
}

// at makes a Position for byte offset off of sql.
func at(sql string, off int) types.Position {
	line := 1 + strings.Count(sql[:off], "\n")
	col := off - strings.LastIndex(sql[:off], "\n")
	return types.Position{Offset: off, Line: line, Column: col}
}

var (
	colN = []api.Column{{Name: "n", Type: types.BigintType}, {Name: "s", Type: types.StringType}}

	allTypesCols = []api.Column{
		{Name: "b", Type: types.BooleanType},
		{Name: "i", Type: types.IntType},
		{Name: "l", Type: types.BigintType},
		{Name: "d", Type: types.DoubleType},
		{Name: "dec", Type: types.DecimalType(10, 2)},
		{Name: "s", Type: types.StringType},
		{Name: "by", Type: types.BytesType},
		{Name: "ts", Type: types.TimestampType},
		{Name: "dt", Type: types.DateType},
		{Name: "tm", Type: types.TimeType},
		{Name: "ai", Type: types.ArrayOf(types.IntType)},
		{Name: "as", Type: types.ArrayOf(types.StringType)},
		{Name: "m", Type: types.MapOf(types.StringType, types.IntType)},
		{Name: "st", Type: types.StructOf(types.Field{Name: "A", Type: types.IntType}, types.Field{Name: "B", Type: types.StringType})},
	}
	allTypesRow = types.Row{
		true, int32(-7), int64(1) << 40, 1.5, decimal.RequireFromString("12.30"), "héllo\tworld", []byte{0xde, 0xad},
		types.TimestampMillis(1700000000123), types.DateDays(19000), types.TimeMillis(3723004),
		[]any{int32(1), nil, int32(3)}, []any{"a b", "", "NULL", `q"\`},
		&types.MapValue{Keys: []any{"z", "a"}, Values: []any{int32(1), nil}},
		types.StructValue{int32(5), "x"},
	}
)

func (s *fakeSession) exec(ctx context.Context, sql string, st fakeStmt) (*api.Result, error) {
	text := st.text
	upper := strings.ToUpper(text)
	word, rest, _ := strings.Cut(upper, " ")
	switch {
	case upper == "SELECT 1":
		return &api.Result{Tag: "SELECT 1", Columns: []api.Column{{Name: "?column?", Type: types.IntType}}, Rows: []types.Row{{int32(1)}}}, nil
	case upper == "SELECT ALLTYPES":
		return &api.Result{Tag: "SELECT 2", Columns: allTypesCols, Rows: []types.Row{allTypesRow, make(types.Row, len(allTypesCols))}}, nil
	case strings.HasPrefix(upper, "SELECT * FROM "):
		name := text[len("SELECT * FROM "):]
		return nil, types.ErrorAt(types.CodeUndefinedTable, at(sql, st.start+len("SELECT * FROM ")), "relation %q does not exist", name)
	case word == "ROWS":
		n, _ := strconv.Atoi(strings.TrimSpace(rest))
		return &api.Result{Tag: "SELECT " + strconv.Itoa(n), Columns: colN, Rows: fakeRows(n)}, nil
	case strings.HasPrefix(upper, "COPY (ROWS "):
		n, _ := strconv.Atoi(strings.Fields(upper)[2][:len(strings.Fields(upper)[2])-1])
		return &api.Result{CopyOut: true, Columns: colN, Rows: fakeRows(n)}, nil
	case word == "STREAM":
		return &api.Result{Columns: colN, Stream: s.b.newChanStream(s.b.feed(strings.TrimSpace(text[len("STREAM "):])))}, nil
	case strings.HasPrefix(upper, "COPY (STREAM "):
		name := strings.TrimSuffix(strings.Fields(text)[2], ")")
		return &api.Result{CopyOut: true, Columns: colN, Stream: s.b.newChanStream(s.b.feed(name))}, nil
	case word == "TICK":
		n, _ := strconv.Atoi(strings.TrimSpace(rest))
		return &api.Result{Columns: colN, Stream: s.b.newTickStream(n)}, nil
	case upper == "SLEEP":
		<-ctx.Done()
		return nil, ctx.Err()
	case word == "ECHO":
		return &api.Result{Tag: "SELECT 1", Columns: []api.Column{{Name: "echo", Type: types.StringType}}, Rows: []types.Row{{text}}}, nil
	case word == "CREATE":
		return &api.Result{Tag: "CREATE STREAM"}, nil
	case upper == "BEGIN" || upper == "COMMIT" || upper == "ROLLBACK":
		return &api.Result{Tag: upper}, nil
	case upper == "NOTICE":
		return &api.Result{Tag: "SET", Notices: []string{"hello"}}, nil
	case upper == "NOTHING":
		return nil, nil
	case upper == "FAIL":
		return nil, errors.New("something broke")
	case upper == "ERRDETAIL":
		return nil, &types.Error{Code: types.CodeInvalidParameter, Message: "bad value", Detail: "the detail", Hint: "the hint"}
	case upper == "BADROW":
		return &api.Result{Columns: colN, Rows: []types.Row{{int64(1)}}}, nil
	case upper == "PANIC":
		panic("fake backend panic")
	case upper == "PANICSTREAM":
		return &api.Result{Columns: colN, Stream: panicStream{}}, nil
	}
	word, _, _ = strings.Cut(text, " ")
	return nil, types.ErrorAt(types.CodeSyntaxError, at(sql, st.start), "syntax error at or near %q", word)
}

func fakeRows(n int) []types.Row {
	rows := make([]types.Row, n)
	for i := range rows {
		rows[i] = types.Row{int64(i + 1), fmt.Sprintf("row\t%d\n\\", i+1)}
	}
	return rows
}

// chanStream is a push query fed by a channel; a closed channel ends it.
type chanStream struct {
	b      *fakeBackend
	ch     <-chan types.Row
	closed chan struct{}
	once   sync.Once
}

func (b *fakeBackend) newChanStream(ch <-chan types.Row) *chanStream {
	b.openStreams.Add(1)
	return &chanStream{b: b, ch: ch, closed: make(chan struct{})}
}

func (s *chanStream) Next(ctx context.Context) (types.Row, error) {
	select {
	case row, ok := <-s.ch:
		if !ok {
			return nil, io.EOF
		}
		return row, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.closed:
		return nil, errors.New("stream closed")
	}
}

func (s *chanStream) Close() error {
	s.once.Do(func() {
		close(s.closed)
		s.b.openStreams.Add(-1)
	})
	return nil
}

// newTickStream yields n rows 20ms apart.
func (b *fakeBackend) newTickStream(n int) *chanStream {
	ch := make(chan types.Row)
	s := b.newChanStream(ch)
	go func() {
		defer close(ch)
		for i := 1; i <= n; i++ {
			select {
			case <-time.After(20 * time.Millisecond):
			case <-s.closed:
				return
			}
			select {
			case ch <- types.Row{int64(i), "tick"}:
			case <-s.closed:
				return
			}
		}
	}()
	return s
}

type panicStream struct{}

func (panicStream) Next(context.Context) (types.Row, error) { panic("fake stream panic") }
func (panicStream) Close() error                            { return nil }
