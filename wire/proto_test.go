package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/types"
)

func TestStartupSequence(t *testing.T) {
	srv := startServer(t, Config{})
	c := dialRaw(t, srv.addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "alice", "database": "d", "application_name": "myapp"}})
	got := c.untilReady()
	assert.Equal(t, []string{
		"AuthenticationOk",
		"ParameterStatus application_name=myapp",
		"ParameterStatus client_encoding=UTF8",
		"ParameterStatus DateStyle=ISO, MDY",
		"ParameterStatus default_transaction_read_only=off",
		"ParameterStatus integer_datetimes=on",
		"ParameterStatus IntervalStyle=postgres",
		"ParameterStatus is_superuser=on",
		"ParameterStatus server_encoding=UTF8",
		"ParameterStatus server_version=13.0.0",
		"ParameterStatus session_authorization=alice",
		"ParameterStatus standard_conforming_strings=on",
		"ParameterStatus TimeZone=UTC",
		"BackendKeyData",
		"ReadyForQuery I",
	}, got)
	assert.Len(t, c.secret, 4)
}

func TestEncryptionRequestsRefused(t *testing.T) {
	srv := startServer(t, Config{})
	for _, req := range []pgproto3.FrontendMessage{&pgproto3.SSLRequest{}, &pgproto3.GSSEncRequest{}} {
		c := dialRaw(t, srv.addr)
		c.send(req)
		b := make([]byte, 1)
		_, err := io.ReadFull(c.nc, b)
		require.NoError(t, err)
		assert.Equal(t, "N", string(b))
		c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
		assert.Equal(t, "ReadyForQuery I", last(c.untilReady()))
		assert.Equal(t, []string{"RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I"}, c.query("SELECT 1"))
	}
}

func TestSimpleQuery(t *testing.T) {
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	tests := []struct {
		name, sql string
		want      []string
	}{
		{"select", "SELECT 1", []string{"RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"empty", "", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{"whitespace, semicolons, comments", " ;\n; -- ping\n/* a /* nested */ comment */ ", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{"pgx ping", "-- ping", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{"engine emits nothing", "NOTHING", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{"several results", "SELECT 1; CREATE STREAM s; ROWS 2", []string{
			"RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1",
			"CommandComplete CREATE STREAM",
			"RowDescription n:20,s:25", "DataRow 1|row\t1\n\\", "DataRow 2|row\t2\n\\", "CommandComplete SELECT 2",
			"ReadyForQuery I",
		}},
		{"stops at the first error, with its position", "SELECT 1; SELEC 2; SELECT 1", []string{
			"RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1",
			`ERROR 42601 syntax error at or near "SELEC" @11`,
			"ReadyForQuery I",
		}},
		{"position counts characters, not bytes", "ECHO 'é€'; SELEC", []string{
			"RowDescription echo:25", "DataRow ECHO 'é€'", "CommandComplete SELECT 1",
			`ERROR 42601 syntax error at or near "SELEC" @12`,
			"ReadyForQuery I",
		}},
		{"position on a later line", "SELECT 1;\nSELECT * FROM nope", []string{
			"RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1",
			`ERROR 42P01 relation "nope" does not exist @25`,
			"ReadyForQuery I",
		}},
		{"uncoded error is XX000", "FAIL", []string{"ERROR XX000 something broke", "ReadyForQuery I"}},
		{"detail and hint", "ERRDETAIL", []string{`ERROR 22023 bad value detail="the detail" hint="the hint"`, "ReadyForQuery I"}},
		{"notice", "NOTICE", []string{"Notice hello", "CommandComplete SET", "ReadyForQuery I"}},
		{"copy out", "COPY (ROWS 2) TO STDOUT", []string{
			"CopyOutResponse 2 cols", `CopyData "1\trow\\t1\\n\\\\\n"`, `CopyData "2\trow\\t2\\n\\\\\n"`, "CopyDone", "CommandComplete COPY 2", "ReadyForQuery I",
		}},
		{"bad row from the engine", "BADROW", []string{"RowDescription n:20,s:25", "ERROR XX000 result row has 1 values for 2 columns", "ReadyForQuery I"}},
		{"finite stream", "TICK 2", []string{"RowDescription n:20,s:25", "DataRow 1|tick", "DataRow 2|tick", "CommandComplete SELECT 2", "ReadyForQuery I"}},
		{"the connection survives errors", "SELECT 1", []string{"RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, c.query(tt.sql))
		})
	}
	assert.Zero(t, srv.b.openStreams.Load())
}

func TestAllTypesText(t *testing.T) {
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	assert.Equal(t, []string{
		"RowDescription b:16,i:23,l:20,d:701,dec:1700,s:25,by:17,ts:1114,dt:1082,tm:1083,ai:1007,as:1009,m:3802,st:3802",
		`DataRow t|-7|1099511627776|1.5|12.30|héllo	world|\xdead|2023-11-14 22:13:20.123|2022-01-08|01:02:03.004|{1,NULL,3}|{"a b","","NULL","q\"\\"}|{"z": 1, "a": null}|{"A": 5, "B": "x"}`,
		"DataRow " + strings.TrimSuffix(strings.Repeat("NULL|", 14), "|"),
		"CommandComplete SELECT 2",
		"ReadyForQuery I",
	}, c.query("SELECT ALLTYPES"))
}

func TestTransactionStatus(t *testing.T) {
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	for _, step := range []struct{ sql, status string }{
		{"BEGIN", "T"}, {"SELECT 1", "T"}, {"SELEC", "E"}, {"ROLLBACK", "I"},
		{"BEGIN; COMMIT", "I"}, {"SELEC", "I"},
	} {
		assert.Equal(t, "ReadyForQuery "+step.status, last(c.query(step.sql)), step.sql)
	}
}

func TestCancelRequest(t *testing.T) {
	checkNoLeaks(t)
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	cancel := func(secret []byte) {
		k := dialRaw(t, srv.addr)
		k.send(&pgproto3.CancelRequest{ProcessID: c.pid, SecretKey: secret})
		_, err := k.recv() // the server answers nothing and closes
		require.Error(t, err)
	}

	c.send(&pgproto3.Query{String: "SLEEP"})
	cancel([]byte{1, 2, 3, 4}) // a wrong key cancels nothing
	require.NoError(t, c.nc.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
	_, err := c.recv()
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout(), "the query must still be running: %v", err)

	// The timed-out read left the frontend unusable: read the rest from a fresh one.
	require.NoError(t, c.nc.SetReadDeadline(time.Now().Add(10*time.Second)))
	c.fe = pgproto3.NewFrontend(c.nc, c.nc)
	cancel(c.secret)
	assert.Equal(t, []string{"ERROR 57014 canceling statement due to user request", "ReadyForQuery I"}, c.untilReady())

	// A stream is cancelled too, and closed.
	feed := srv.b.feed("cancelme")
	feed <- types.Row{int64(1), "a"}
	c.send(&pgproto3.Query{String: "STREAM cancelme"})
	assert.Equal(t, "RowDescription n:20,s:25", must(c.recv()))
	assert.Equal(t, "DataRow 1|a", must(c.recv()))
	cancel(c.secret)
	assert.Equal(t, []string{"ERROR 57014 canceling statement due to user request", "ReadyForQuery I"}, c.untilReady())
	assert.Zero(t, srv.b.openStreams.Load())
	assert.Equal(t, "ReadyForQuery I", last(c.query("SELECT 1")))
}

func TestStreamRowsArriveLive(t *testing.T) {
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	feed := srv.b.feed("live")
	c.send(&pgproto3.Query{String: "STREAM live"})
	assert.Equal(t, "RowDescription n:20,s:25", must(c.recv()))
	for i := int64(1); i <= 3; i++ {
		feed <- types.Row{i, "x"}
		// Each row must reach the client while the stream is still open.
		assert.Equal(t, "DataRow "+string(rune('0'+i))+"|x", must(c.recv()))
	}
	close(feed)
	assert.Equal(t, []string{"CommandComplete SELECT 3", "ReadyForQuery I"}, c.untilReady())
	assert.Zero(t, srv.b.openStreams.Load())
}

func TestDisconnectClosesStream(t *testing.T) {
	checkNoLeaks(t)
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	c.send(&pgproto3.Query{String: "STREAM abandoned"})
	assert.Equal(t, "RowDescription n:20,s:25", must(c.recv()))
	require.EqualValues(t, 1, srv.b.openStreams.Load())
	c.nc.Close()
	eventually(t, "the stream to close", func() bool { return srv.b.openStreams.Load() == 0 })
	eventually(t, "the session to close", func() bool { return srv.b.sessions.Load() == 0 })
}

func TestTooManyConnections(t *testing.T) {
	srv := startServer(t, Config{MaxConnections: 2})
	a := connectRaw(t, srv.addr)
	connectRaw(t, srv.addr)

	c := dialRaw(t, srv.addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
	assert.Equal(t, []string{"FATAL 53300 sorry, too many clients already"}, c.untilClosed())

	// Cancel requests do not count against the limit.
	k := dialRaw(t, srv.addr)
	k.send(&pgproto3.CancelRequest{ProcessID: a.pid, SecretKey: a.secret})
	assert.Empty(t, k.untilClosed())

	a.send(&pgproto3.Terminate{})
	assert.Empty(t, a.untilClosed())
	eventually(t, "a free slot", func() bool {
		c := dialRaw(t, srv.addr)
		c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
		return last(c.untilClosed()) == "ReadyForQuery I"
	})
}

func TestProtocolViolations(t *testing.T) {
	srv := startServer(t, Config{MaxMessageSize: 1024})
	tests := []struct {
		name string
		raw  []byte
		want string
	}{
		{"oversized message", frame('Q', append(bytes.Repeat([]byte("x"), 4096), 0)), "FATAL 08P01 message of 4097 bytes exceeds the server's limit of 1024 bytes"},
		{"unknown message type", frame('z', nil), "FATAL 08P01 invalid frontend message: unknown message type: z"},
		{"malformed Bind", frame('B', []byte{0, 0, 1}), "FATAL 08P01 invalid frontend message: Bind body is invalid"},
		{"password message after startup", frame('p', []byte("pw\x00")), "FATAL 08P01 invalid frontend message: unexpected message *pgproto3.PasswordMessage"},
		{"bad Describe type", frame('D', []byte("Xname\x00")), `FATAL 08P01 invalid frontend message: invalid Describe type 'X'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := connectRaw(t, srv.addr)
			_, err := c.nc.Write(tt.raw)
			require.NoError(t, err)
			got := c.untilClosed()
			require.NotEmpty(t, got)
			assert.Equal(t, tt.want, strings.TrimSpace(last(got)))
		})
	}
	// Garbage as the startup packet.
	c := dialRaw(t, srv.addr)
	_, err := c.nc.Write([]byte{0, 0, 0, 8, 0, 9, 9, 9})
	require.NoError(t, err)
	assert.Equal(t, []string{"FATAL 08P01 invalid startup packet: unknown startup message code: 592137"}, c.untilClosed())
}

func TestStartupFailures(t *testing.T) {
	srv := startServer(t, Config{})
	c := dialRaw(t, srv.addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"database": "d"}})
	assert.Equal(t, []string{"FATAL 28000 no PostgreSQL user name specified in startup packet"}, c.untilClosed())

	srv.b.sessionErr = types.Errorf("3D000", "database %q does not exist", "nope")
	c = dialRaw(t, srv.addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u", "database": "nope"}})
	assert.Equal(t, []string{`FATAL 3D000 database "nope" does not exist`}, c.untilClosed())
}

func TestPanicCostsOnlyItsConnection(t *testing.T) {
	srv := startServer(t, Config{})
	other := connectRaw(t, srv.addr)
	for _, sql := range []string{"PANIC", "PANICSTREAM"} {
		c := connectRaw(t, srv.addr)
		c.send(&pgproto3.Query{String: sql})
		if sql == "PANICSTREAM" {
			// The stream reader's panic becomes an ordinary error.
			assert.Equal(t, []string{"RowDescription n:20,s:25", "ERROR XX000 internal error reading result rows", "ReadyForQuery I"}, c.untilReady())
			continue
		}
		assert.Empty(t, c.untilClosed())
	}
	assert.Equal(t, "ReadyForQuery I", last(other.query("SELECT 1")))
	assert.EqualValues(t, 2, srv.panics.Load())
	srv.panics.Store(0)
}

func TestShutdown(t *testing.T) {
	checkNoLeaks(t)
	b := newFakeBackend()
	srv := New(Config{Logger: testLogger(t)}, b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	eventually(t, "Addr", func() bool { return srv.Addr() != nil })
	addr := srv.Addr().String()

	idle := connectRaw(t, addr)
	streaming := connectRaw(t, addr)
	streaming.send(&pgproto3.Query{String: "STREAM forever"})
	assert.Equal(t, "RowDescription n:20,s:25", must(streaming.recv()))
	starting := dialRaw(t, addr) // never sends its startup packet

	require.NoError(t, srv.Shutdown(t.Context()))
	require.ErrorIs(t, <-served, ErrServerClosed)
	const bye = "FATAL 57P01 terminating connection due to administrator command"
	assert.Equal(t, []string{bye}, idle.untilClosed())
	assert.Equal(t, []string{bye}, streaming.untilClosed())
	assert.Empty(t, starting.untilClosed())
	assert.Zero(t, b.openStreams.Load())
	assert.Zero(t, b.sessions.Load())

	_, err = net.Dial("tcp", addr)
	assert.Error(t, err, "the listener is closed")
	assert.ErrorIs(t, srv.Serve(ln), ErrServerClosed)
	require.NoError(t, srv.Close())
}

func TestProtocol32(t *testing.T) {
	srv := startServer(t, Config{})
	c := dialRaw(t, srv.addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32, Parameters: map[string]string{"user": "u", "_pq_.test": "1"}})
	got := c.untilReady()
	assert.Equal(t, "NegotiateProtocolVersion", got[0])
	assert.Len(t, c.secret, 32)
	c.send(&pgproto3.Query{String: "SLEEP"})
	waitRan(t, srv, "SLEEP") // a cancel arriving before the statement runs cancels nothing
	k := dialRaw(t, srv.addr)
	k.send(&pgproto3.CancelRequest{ProcessID: c.pid, SecretKey: c.secret})
	assert.Equal(t, []string{"ERROR 57014 canceling statement due to user request", "ReadyForQuery I"}, c.untilReady())
}

// waitRan waits until the backend has received the statement.
func waitRan(t *testing.T, srv *testServer, stmt string) {
	eventually(t, stmt+" to run", func() bool { return last(srv.b.statements()) == stmt })
}

// frame builds a raw message: type byte, length, body.
func frame(typ byte, body []byte) []byte {
	out := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(out[1:], uint32(4+len(body)))
	return append(out, body...)
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}
