package wire

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamsql/streamsql/engine/api"
)

// Config configures a Server. The zero value of each field picks its default.
type Config struct {
	// Addr is where ListenAndServe listens (default "127.0.0.1:5432").
	Addr string
	// MaxConnections caps concurrent sessions (default 100); one more gets FATAL 53300.
	// Cancel requests do not count.
	MaxConnections int
	// MaxMessageSize caps one client message's body in bytes (default 16 MiB); a larger one
	// is a protocol violation that closes the connection.
	MaxMessageSize int
	// ServerVersion is reported as server_version (default "13.0.0"): clients pick the
	// catalog SQL they send by it.
	ServerVersion string
	// Logger receives connection-level events and recovered panics (default slog.Default()).
	Logger *slog.Logger
	// Auth is the authentication method: AuthTrust (the default), AuthPassword, AuthMD5 or
	// AuthSCRAM, checked against Users (user name to password).
	Auth  string
	Users map[string]string
	// TLS, when set, is offered to clients that ask for SSL (sslmode=prefer/require/verify-*);
	// without it they are told the server does not support SSL.
	TLS *tls.Config
	// TLSRequired refuses clients that do not ask for TLS (needs TLS).
	TLSRequired bool
}

const (
	defaultAddr           = "127.0.0.1:5432"
	defaultMaxConnections = 100
	defaultMaxMessageSize = 16 << 20
	defaultServerVersion  = "13.0.0"
)

// startupTimeout bounds how long a connection may take to send its startup packet, like
// Postgres' authentication_timeout, so that idle sockets cannot hold server resources.
var startupTimeout = 60 * time.Second

// ErrServerClosed is returned by Serve and ListenAndServe after Close or Shutdown.
var ErrServerClosed = errors.New("wire: server closed")

// Server accepts Postgres connections and runs their statements on a Backend.
type Server struct {
	cfg     Config
	backend api.Backend
	log     *slog.Logger

	// ctx is the parent of every connection's context; Shutdown cancels it with
	// causeShutdown, which cancels running statements and ends idle sessions.
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu        sync.Mutex
	closed    bool
	listeners map[net.Listener]struct{}
	addr      net.Addr
	conns     map[*conn]struct{} // every live connection, for a forced close
	sessions  map[uint32]*conn   // started sessions by process id, for CancelRequest
	lastPID   uint32

	wg     sync.WaitGroup // connection goroutines
	panics atomic.Int64   // recovered panics, for tests
}

// New returns a server that runs sessions on backend.
func New(cfg Config, backend api.Backend) *Server {
	if cfg.Addr == "" {
		cfg.Addr = defaultAddr
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = defaultMaxConnections
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = defaultMaxMessageSize
	}
	if cfg.ServerVersion == "" {
		cfg.ServerVersion = defaultServerVersion
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Auth == "" {
		cfg.Auth = AuthTrust
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	return &Server{
		cfg:       cfg,
		backend:   backend,
		log:       cfg.Logger,
		ctx:       ctx,
		cancel:    cancel,
		listeners: map[net.Listener]struct{}{},
		conns:     map[*conn]struct{}{},
		sessions:  map[uint32]*conn{},
		lastPID:   uint32(time.Now().UnixNano()) & 0x3fffffff,
	}
}

// ListenAndServe listens on Config.Addr and serves until Close or Shutdown.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Addr is the address of the first listener being served, or nil before Serve starts.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Serve accepts connections on ln until Close or Shutdown, then returns ErrServerClosed. It
// closes ln.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	if s.addr == nil {
		s.addr = ln.Addr()
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		ln.Close()
	}()

	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() && !isTemporary(err) {
				return err
			}
			// Out of file descriptors and the like: wait, as net/http does, rather than spin.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("wire: accept failed; retrying", "err", err, "in", backoff)
			select {
			case <-time.After(backoff):
			case <-s.ctx.Done():
				return ErrServerClosed
			}
			continue
		}
		backoff = 0
		s.start(nc)
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func isTemporary(err error) bool {
	t, ok := err.(interface{ Temporary() bool })
	return ok && t.Temporary()
}

// start runs a connection in its own goroutine unless the server is closing.
func (s *Server) start(nc net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		nc.Close()
		return
	}
	c := newConn(s, nc)
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	go c.serve()
}

// register admits a started session under the connection limit and gives it a process id.
func (s *Server) register(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || len(s.sessions) >= s.cfg.MaxConnections {
		return false
	}
	for {
		s.lastPID = (s.lastPID + 1) & 0x7fffffff // positive: libpq and pgjdbc keep it in an int
		if _, used := s.sessions[s.lastPID]; !used && s.lastPID != 0 {
			break
		}
	}
	c.pid = s.lastPID
	s.sessions[c.pid] = c
	return true
}

func (s *Server) unregister(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if c.pid != 0 && s.sessions[c.pid] == c {
		delete(s.sessions, c.pid)
	}
}

// cancelRequest cancels the running statement of the session with this key. Postgres answers
// a cancel request with nothing, whether or not it matched.
func (s *Server) cancelRequest(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.sessions[pid]
	s.mu.Unlock()
	if c == nil || subtle.ConstantTimeCompare(c.secret, secret) != 1 {
		s.log.Debug("wire: cancel request matches no session", "pid", pid)
		return
	}
	c.cancelStatement()
}

// Shutdown stops accepting, cancels running statements and ends every session with FATAL
// 57P01, then waits for the connections to finish or for ctx to end, when it closes what is
// left. It returns ctx's error in that case.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for ln := range s.listeners {
		ln.Close()
	}
	// Connections still in startup do not watch the server's context; close them now.
	for c := range s.conns {
		if !c.started.Load() {
			c.raw.Close()
		}
	}
	s.mu.Unlock()
	s.cancel(causeShutdown)

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	for c := range s.conns {
		c.raw.Close()
	}
	s.mu.Unlock()
	<-done
	return ctx.Err()
}

// Close stops the server at once: like Shutdown with no grace period.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = s.Shutdown(ctx)
	return nil
}
