package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/pgcatalog"
	"github.com/streamsql/streamsql/types"
)

const (
	// readAhead bounds how many client messages are decoded ahead of the one being run
	// (pipelined extended-protocol batches are a handful of messages).
	readAhead = 16
	// fatalWriteTimeout bounds the last write to a client that may not be reading.
	fatalWriteTimeout = time.Second
	// linger is how long a connection closed for a protocol error keeps draining input so the
	// client reads the FATAL instead of a connection reset.
	linger         = time.Second
	lingerMaxBytes = 64 << 20
)

// conn is one client connection. One goroutine (serve) runs the session and is the only
// writer; readLoop decodes client messages ahead of it so that a disconnect is noticed, and
// the running statement cancelled, even while a push query is streaming.
type conn struct {
	srv *Server
	nc  net.Conn
	raw net.Conn // the TCP connection under nc (which may be TLS), for a forced close
	be  *pgproto3.Backend
	log *slog.Logger

	// ctx lives as long as the connection; it is cancelled when the client goes away, breaks
	// the protocol, or the server shuts down. Statements run under children of it.
	ctx     context.Context
	cancel  context.CancelCauseFunc
	started atomic.Bool // startup finished: the session now watches the server's shutdown

	pid    uint32
	secret []byte
	tls    bool // the connection runs over TLS
	sess   api.Session

	msgs       chan pgproto3.FrontendMessage
	done       chan struct{} // closed when serve ends; releases readLoop
	readerDone chan struct{}

	mu         sync.Mutex
	protoErr   error                   // what readLoop could not decode
	stmtCancel context.CancelCauseFunc // the running statement, for CancelRequest

	tx       byte // transaction status: 'I', 'T' or 'E'
	settings *pgcatalog.Settings
	user     string
	database string
	// savepoints and the SET LOCAL changes to undo, of the open transaction block
	savepoints []string
	localUndo  []localSetting
	stmts      map[string]*statement
	portals    map[string]*portal
	skipping   bool // an extended-protocol message failed: ignore messages until Sync

	unflushed bool  // messages are buffered
	pending   int   // bytes of rows buffered, for flushThreshold
	writeErr  error // the client cannot be written to; the connection is finished
	rowBuf    []byte
	scratch   []byte
}

func newConn(s *Server, nc net.Conn) *conn {
	ctx, cancel := context.WithCancelCause(s.ctx)
	c := &conn{
		srv:     s,
		nc:      nc,
		raw:     nc,
		be:      pgproto3.NewBackend(nc, nc),
		log:     s.log.With("remote", nc.RemoteAddr().String()),
		ctx:     ctx,
		cancel:  cancel,
		done:    make(chan struct{}),
		tx:      'I',
		stmts:   map[string]*statement{},
		portals: map[string]*portal{},
		rowBuf:  make([]byte, 0, 256),
	}
	c.be.SetMaxBodyLen(s.cfg.MaxMessageSize)
	return c
}

func (c *conn) serve() {
	defer c.srv.wg.Done()
	defer c.finish()
	defer func() {
		// A bug must cost one connection, never the server.
		if r := recover(); r != nil {
			c.srv.panics.Add(1)
			c.log.Error("wire: panic serving connection; closing it", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if c.startup() {
		c.loop()
	}
}

// finish releases everything the connection holds. Backend calls are guarded: an engine
// panic here must not escape the connection's goroutine either.
func (c *conn) finish() {
	close(c.done)
	c.cancel(causeConnDone)
	c.closePortals(true)
	if c.sess != nil {
		c.safely("closing the session", c.sess.Close)
	}
	c.nc.Close()
	if c.readerDone != nil {
		<-c.readerDone
	}
	c.srv.unregister(c)
}

// safely runs f, logging its error or panic.
func (c *conn) safely(what string, f func() error) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.panics.Add(1)
			c.log.Error("wire: panic "+what, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if err := f(); err != nil {
		c.log.Debug("wire: "+what, "err", err)
	}
}

func (c *conn) loop() {
	c.msgs = make(chan pgproto3.FrontendMessage, readAhead)
	c.readerDone = make(chan struct{})
	go c.readLoop()
	for c.srv.ctx.Err() == nil {
		select {
		case msg, ok := <-c.msgs:
			if !ok || !c.handle(msg) {
				if err := c.protocolError(); err != nil && c.writeErr == nil {
					c.fatalClose(codeProtocolViolation, protocolErrorMessage(err))
				}
				return
			}
		case <-c.srv.ctx.Done():
		}
	}
	c.terminate()
}

// handle runs one client message; false ends the connection.
func (c *conn) handle(msg pgproto3.FrontendMessage) bool {
	switch msg.(type) {
	case *pgproto3.Sync:
		return c.sync()
	case *pgproto3.Terminate:
		return false
	case *pgproto3.Flush:
		return c.flush() == nil
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		return true // Postgres ignores these outside COPY FROM STDIN
	}
	if c.skipping {
		return true
	}
	switch m := msg.(type) {
	case *pgproto3.Query:
		return c.simpleQuery(m.String)
	case *pgproto3.Parse:
		return c.parse(m)
	case *pgproto3.Bind:
		return c.bind(m)
	case *pgproto3.Describe:
		return c.describe(m)
	case *pgproto3.Execute:
		return c.execute(m)
	case *pgproto3.Close:
		return c.closeMsg(m)
	case *pgproto3.FunctionCall:
		c.send(errorResponse(errFunctionCall, "", nil))
		return c.ready()
	default:
		c.setProtocolError(fmt.Errorf("unexpected message %T", m))
		return false
	}
}

// readLoop decodes client messages for serve. Messages are copied because pgproto3 reuses
// their memory on the next Receive.
func (c *conn) readLoop() {
	defer close(c.readerDone)
	defer close(c.msgs)
	for {
		msg, err := c.receive()
		if err != nil {
			if isDisconnect(err) || c.ctx.Err() != nil {
				c.cancel(causeClientGone)
			} else {
				c.setProtocolError(err)
			}
			return
		}
		select {
		case c.msgs <- copyMessage(msg):
		case <-c.done:
			return
		}
	}
}

func (c *conn) receive() (msg pgproto3.FrontendMessage, err error) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.panics.Add(1)
			c.log.Error("wire: panic decoding a client message", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("undecodable message: %v", r)
		}
	}()
	return c.be.Receive()
}

// setProtocolError records a protocol violation and cancels the running statement; serve
// reports it as FATAL and closes.
func (c *conn) setProtocolError(err error) {
	c.mu.Lock()
	if c.protoErr == nil {
		c.protoErr = err
	}
	c.mu.Unlock()
	c.cancel(err)
}

func (c *conn) protocolError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.protoErr
}

func protocolErrorMessage(err error) string {
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	if errors.As(err, &tooBig) {
		return fmt.Sprintf("message of %d bytes exceeds the server's limit of %d bytes", tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen)
	}
	return "invalid frontend message: " + err.Error()
}

func isDisconnect(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.ErrClosedPipe) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ETIMEDOUT) || errors.Is(err, context.DeadlineExceeded)
}

// copyMessage detaches a decoded message from pgproto3's buffers.
func copyMessage(msg pgproto3.FrontendMessage) pgproto3.FrontendMessage {
	switch m := msg.(type) {
	case *pgproto3.Query:
		cp := *m
		return &cp
	case *pgproto3.Parse:
		cp := *m
		cp.ParameterOIDs = append([]uint32(nil), m.ParameterOIDs...)
		return &cp
	case *pgproto3.Bind:
		cp := *m
		cp.ParameterFormatCodes = append([]int16(nil), m.ParameterFormatCodes...)
		cp.ResultFormatCodes = append([]int16(nil), m.ResultFormatCodes...)
		cp.Parameters = cloneValues(m.Parameters)
		return &cp
	case *pgproto3.Describe:
		cp := *m
		return &cp
	case *pgproto3.Execute:
		cp := *m
		return &cp
	case *pgproto3.Close:
		cp := *m
		return &cp
	case *pgproto3.Sync:
		return &pgproto3.Sync{}
	case *pgproto3.Flush:
		return &pgproto3.Flush{}
	case *pgproto3.Terminate:
		return &pgproto3.Terminate{}
	case *pgproto3.CopyData:
		return &pgproto3.CopyData{Data: append([]byte(nil), m.Data...)}
	case *pgproto3.CopyDone:
		return &pgproto3.CopyDone{}
	case *pgproto3.CopyFail:
		cp := *m
		return &cp
	case *pgproto3.FunctionCall:
		cp := *m
		cp.Arguments = cloneValues(m.Arguments)
		return &cp
	}
	return msg // password-family messages are allocated per Receive
}

func cloneValues(vs [][]byte) [][]byte {
	if vs == nil {
		return nil
	}
	out := make([][]byte, len(vs))
	for i, v := range vs {
		if v != nil {
			out[i] = append([]byte{}, v...)
		}
	}
	return out
}

// send buffers a message; flush writes what is buffered.
func (c *conn) send(m pgproto3.BackendMessage) {
	if c.writeErr == nil {
		c.be.Send(m)
		c.unflushed = true
	}
}

func (c *conn) flush() error {
	if c.writeErr != nil {
		return c.writeErr
	}
	if err := c.be.Flush(); err != nil {
		c.writeErr = err
		c.cancel(causeClientGone)
		return err
	}
	c.pending, c.unflushed = 0, false
	return nil
}

// ready ends a simple query or a Sync: ReadyForQuery, then everything goes out.
func (c *conn) ready() bool {
	c.send(&pgproto3.ReadyForQuery{TxStatus: c.txStatus()})
	return c.flush() == nil
}

// fatalClose sends a FATAL error, then half-closes and drains the socket for a moment: the
// client may still be sending (an oversized message's body), and closing with unread input
// would reset the connection before the client reads why it was closed.
func (c *conn) fatalClose(code types.Code, msg string) {
	_ = c.nc.SetWriteDeadline(time.Now().Add(fatalWriteTimeout))
	c.send(fatalResponse(code, msg))
	if c.flush() != nil {
		return
	}
	if tc, ok := c.nc.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(linger))
	_, _ = io.CopyN(io.Discard, c.nc, lingerMaxBytes)
}

// terminate ends a session because the server is shutting down.
func (c *conn) terminate() {
	_ = c.nc.SetWriteDeadline(time.Now().Add(fatalWriteTimeout))
	c.send(fatalResponse(codeAdminShutdown, "terminating connection due to administrator command"))
	_ = c.flush()
}

// setRunning registers the cancel function of the statement now running (nil: none), which
// a CancelRequest from another connection calls.
func (c *conn) setRunning(cancel context.CancelCauseFunc) {
	c.mu.Lock()
	c.stmtCancel = cancel
	c.mu.Unlock()
}

func (c *conn) cancelStatement() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmtCancel != nil {
		c.stmtCancel(causeCancelRequest)
	}
}

// beginStatement starts a cancellable statement under parent; end unregisters it.
func (c *conn) beginStatement(parent context.Context) (ctx context.Context, end func()) {
	ctx, cancel := context.WithCancelCause(parent)
	c.setRunning(cancel)
	return ctx, func() {
		c.setRunning(nil)
		cancel(nil)
	}
}

// fail reports a failed statement. ctx is the statement's context: when it was cancelled, its
// cause decides what the client sees. False means the connection is finished.
func (c *conn) fail(ctx context.Context, err error, sql string, pm *posMap) bool {
	if c.writeErr != nil {
		return false
	}
	if ctx.Err() != nil {
		cause := context.Cause(ctx)
		switch {
		case errors.Is(cause, causeCancelRequest):
			err, sql = errQueryCanceled, ""
		case errors.Is(cause, causeShutdown):
			c.terminate()
			return false
		default: // the client is gone or broke the protocol
			return false
		}
	}
	c.send(errorResponse(err, sql, pm))
	if c.tx == 'T' {
		c.tx = 'E'
	}
	return true
}
