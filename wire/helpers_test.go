package wire

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"
)

// testServer is a Server on 127.0.0.1:0 over a fake backend.
type testServer struct {
	*Server
	b    *fakeBackend
	addr string
	port string
}

func startServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	b := newFakeBackend()
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	srv := New(cfg, b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.ErrorIs(t, <-served, ErrServerClosed)
		require.Zero(t, srv.panics.Load(), "recovered panics")
	})
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return &testServer{Server: srv, b: b, addr: ln.Addr().String(), port: port}
}

func (s *testServer) connString() string {
	return fmt.Sprintf("postgres://u@%s/d?sslmode=disable", s.addr)
}

// testLogger logs warnings and errors through t.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// rawClient speaks the protocol with pgproto3 so tests can check exact message sequences.
type rawClient struct {
	t      *testing.T
	nc     net.Conn
	fe     *pgproto3.Frontend
	pid    uint32
	secret []byte
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	require.NoError(t, nc.SetDeadline(time.Now().Add(20*time.Second)))
	return &rawClient{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

// connectRaw dials and starts a session, returning the messages up to ReadyForQuery.
func connectRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	c := dialRaw(t, addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u", "database": "d", "application_name": "rawtest"}})
	c.untilReady()
	require.NotZero(t, c.pid)
	return c
}

func (c *rawClient) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	for _, m := range msgs {
		c.fe.Send(m)
	}
	require.NoError(c.t, c.fe.Flush())
}

// recv returns the next message summarized as text.
func (c *rawClient) recv() (string, error) {
	msg, err := c.fe.Receive()
	if err != nil {
		return "", err
	}
	if k, ok := msg.(*pgproto3.BackendKeyData); ok {
		c.pid, c.secret = k.ProcessID, append([]byte(nil), k.SecretKey...)
	}
	return summarize(msg), nil
}

// untilReady collects summaries through the next ReadyForQuery.
func (c *rawClient) untilReady() []string {
	c.t.Helper()
	var out []string
	for {
		s, err := c.recv()
		require.NoError(c.t, err, "after %q", out)
		out = append(out, s)
		if strings.HasPrefix(s, "ReadyForQuery") {
			return out
		}
	}
}

// untilClosed collects summaries until the server closes the connection.
func (c *rawClient) untilClosed() []string {
	c.t.Helper()
	var out []string
	for {
		s, err := c.recv()
		if err != nil {
			return out
		}
		out = append(out, s)
	}
}

func (c *rawClient) query(sql string) []string {
	c.t.Helper()
	c.send(&pgproto3.Query{String: sql})
	return c.untilReady()
}

// summarize renders a backend message compactly for sequence assertions.
func summarize(msg pgproto3.BackendMessage) string {
	switch m := msg.(type) {
	case *pgproto3.RowDescription:
		var f []string
		for _, fd := range m.Fields {
			s := fmt.Sprintf("%s:%d", fd.Name, fd.DataTypeOID)
			if fd.Format != 0 {
				s += "b"
			}
			f = append(f, s)
		}
		return "RowDescription " + strings.Join(f, ",")
	case *pgproto3.DataRow:
		var v []string
		for _, b := range m.Values {
			if b == nil {
				v = append(v, "NULL")
			} else {
				v = append(v, string(b))
			}
		}
		return "DataRow " + strings.Join(v, "|")
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.ReadyForQuery:
		return "ReadyForQuery " + string(m.TxStatus)
	case *pgproto3.ErrorResponse:
		s := fmt.Sprintf("%s %s %s", m.Severity, m.Code, m.Message)
		if m.Position != 0 {
			s += fmt.Sprintf(" @%d", m.Position)
		}
		if m.Detail != "" || m.Hint != "" {
			s += fmt.Sprintf(" detail=%q hint=%q", m.Detail, m.Hint)
		}
		return s
	case *pgproto3.NoticeResponse:
		return "Notice " + m.Message
	case *pgproto3.CopyOutResponse:
		return fmt.Sprintf("CopyOutResponse %d cols", len(m.ColumnFormatCodes))
	case *pgproto3.CopyData:
		return fmt.Sprintf("CopyData %q", m.Data)
	case *pgproto3.ParameterDescription:
		return fmt.Sprintf("ParameterDescription %v", m.ParameterOIDs)
	case *pgproto3.ParameterStatus:
		return "ParameterStatus " + m.Name + "=" + m.Value
	case *pgproto3.BackendKeyData:
		return "BackendKeyData"
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3.")
}

// eventually polls cond until it holds or the time is up.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkNoLeaks fails when goroutines started by the test are still running once it ends.
func checkNoLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Fatalf("goroutines leaked: %d > %d\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func isClosedErr(err error) bool {
	var ne net.Error
	return err != nil && (errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout())
}
