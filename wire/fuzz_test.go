package wire

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

// fuzzBackend answers every statement without ever panicking or blocking: a row set, a short
// stream (STREAM), or an error (ERR). Its sessions describe a stream to the catalog.
type fuzzBackend struct{}

type fuzzSession struct{}

func (fuzzBackend) NewSession(context.Context, map[string]string) (api.Session, error) {
	return fuzzSession{}, nil
}

func (fuzzSession) Close() error { return nil }

func (fuzzSession) Relations(context.Context) ([]api.Relation, error) {
	return []api.Relation{{Name: "T", Kind: "TABLE", Topic: "t", Columns: []api.RelationColumn{
		{Name: "K", Type: types.StringType, Key: true}, {Name: "V", Type: types.ArrayOf(types.IntType)}}}}, nil
}

func (fuzzSession) Run(ctx context.Context, sql string, emit func(*api.Result) error) error {
	switch {
	case strings.Contains(sql, "ERR"):
		return types.ErrorAt(types.CodeSyntaxError, types.Position{Offset: len(sql) / 2, Line: 1, Column: 1}, "fuzz error")
	case strings.Contains(sql, "STREAM"):
		ch := make(chan types.Row, 3)
		for i := range 3 {
			ch <- types.Row{int64(i), "s"}
		}
		close(ch)
		return emit(&api.Result{Columns: colN, Stream: &chanStream{b: newFakeBackend(), ch: ch, closed: make(chan struct{})}})
	case strings.Contains(sql, "COPY"):
		return emit(&api.Result{CopyOut: true, Columns: colN, Rows: fakeRows(2)})
	}
	return emit(&api.Result{Tag: "SELECT 2", Columns: allTypesCols, Rows: []types.Row{allTypesRow, make(types.Row, len(allTypesCols))}})
}

func encode(msgs ...interface{ Encode([]byte) ([]byte, error) }) []byte {
	var out []byte
	for _, m := range msgs {
		var err error
		if out, err = m.Encode(out); err != nil {
			panic(err)
		}
	}
	return out
}

var fuzzTerminate = encode(&pgproto3.Terminate{})

var fuzzStartup = encode(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u", "database": "d"}})

// FuzzWire feeds random and mutated client message streams to a connection over net.Pipe: the
// server must never panic (a recovered panic is counted and fails the input), whatever it
// answers.
func FuzzWire(f *testing.F) {
	seeds := [][]byte{
		encode(&pgproto3.Query{String: "SELECT 1"}, &pgproto3.Terminate{}),
		encode(&pgproto3.Query{String: "SELECT c.relname, a.attname FROM pg_catalog.pg_class c JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relname ~ '^t$'"}),
		encode(&pgproto3.Query{String: "BEGIN; SAVEPOINT a; SET x = 1; SHOW ALL; ROLLBACK TO a; COMMIT; DISCARD ALL"}),
		encode(&pgproto3.Query{String: "STREAM; ERR; COPY; -- x"}),
		encode(&pgproto3.Parse{Name: "s", Query: "SELECT oid FROM pg_type WHERE oid = $1", ParameterOIDs: []uint32{23}},
			&pgproto3.Describe{ObjectType: 'S', Name: "s"}, &pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 23}}, ResultFormatCodes: []int16{1}},
			&pgproto3.Execute{MaxRows: 1}, &pgproto3.Execute{}, &pgproto3.Close{ObjectType: 'S', Name: "s"}, &pgproto3.Sync{}),
		encode(&pgproto3.Parse{Query: "STREAM $1"}, &pgproto3.Bind{DestinationPortal: "p", Parameters: [][]byte{[]byte("x")}}, &pgproto3.Describe{ObjectType: 'P', Name: "p"},
			&pgproto3.Execute{Portal: "p", MaxRows: 1}, &pgproto3.Flush{}, &pgproto3.Execute{Portal: "p"}, &pgproto3.Sync{}),
		encode(&pgproto3.Parse{Query: "SELEC"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{}, &pgproto3.Query{String: "SET application_name = 'x'"}),
		encode(&pgproto3.CopyData{Data: []byte("x")}, &pgproto3.CopyDone{}, &pgproto3.FunctionCall{Function: 1}),
		encode(&pgproto3.Query{String: "BEGIN; DECLARE c NO SCROLL CURSOR FOR STREAM; FETCH FORWARD 2 FROM c; MOVE ALL IN c; FETCH RELATIVE 1 c; CLOSE c; COMMIT"},
			&pgproto3.Query{String: "DECLARE h CURSOR WITH HOLD FOR SELECT 1"}, &pgproto3.Execute{Portal: "h", MaxRows: 1}, &pgproto3.Sync{}),
		encode(&pgproto3.Query{String: "COPY t (k) FROM STDIN (FORMAT csv, HEADER)"}, &pgproto3.CopyData{Data: []byte("k\na\n\"b\n")},
			&pgproto3.CopyData{Data: []byte("c\"\n")}, &pgproto3.CopyDone{}, &pgproto3.Query{String: "COPY t FROM STDIN"}, &pgproto3.CopyData{Data: []byte("a\t\\x41\n")}, &pgproto3.CopyFail{Message: "x"}),
		encode(&pgproto3.Parse{Query: "SELECT * FROM t WHERE k = $1 LIMIT $2"}, &pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Sync{}),
	}
	for _, s := range seeds {
		f.Add(true, s)
		f.Add(false, append(append([]byte{}, fuzzStartup...), s...))
	}
	f.Add(false, []byte{0, 0, 0, 8, 4, 210, 22, 47}) // SSLRequest
	f.Fuzz(fuzzOne)
}

func fuzzOne(t *testing.T, withStartup bool, data []byte) {
	{
		srv := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxMessageSize: 1 << 16}, fuzzBackend{})
		client, server := net.Pipe()
		srv.start(server)
		input := data
		if withStartup {
			input = append(append([]byte{}, fuzzStartup...), data...)
		}
		// A Terminate at the end ends well-framed input at once; otherwise the connection is
		// closed once the server has been quiet for a moment.
		input = append(input, fuzzTerminate...)
		written := make(chan struct{})
		go func() {
			defer close(written)
			_ = client.SetWriteDeadline(time.Now().Add(2 * time.Second))
			_, _ = client.Write(input)
		}()
		// Read what the server says until it has been quiet for a moment.
		buf := make([]byte, 32<<10)
		for {
			_ = client.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			if _, err := client.Read(buf); err != nil {
				break
			}
		}
		client.Close()
		<-written
		_ = srv.Close()
		if n := srv.panics.Load(); n != 0 {
			t.Fatalf("%d panics serving %q", n, input)
		}
	}
}
