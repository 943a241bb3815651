package wire

import (
	"context"
	"io"
	"runtime/debug"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

// streamReadAhead bounds how many rows of a push query are fetched ahead of the client.
const streamReadAhead = 64

// rowSource yields a result's rows: a finished set or a live stream.
type rowSource interface {
	// next returns the next row, io.EOF at the end, or the error that ended the rows.
	next(ctx context.Context) (types.Row, error)
	// ready reports whether next would return without waiting.
	ready() bool
	// close releases the rows; it waits for the stream's reader to stop.
	close()
}

func newRowSource(ctx context.Context, r *result, c *conn) rowSource {
	if r.src != nil {
		return r.src
	}
	if r.cat != nil {
		rows := make([]types.Row, len(r.cat.Rows))
		for i, row := range r.cat.Rows {
			rows[i] = types.Row(row)
		}
		return &sliceSource{rows: rows}
	}
	if r.Stream != nil {
		return newStreamSource(ctx, r.Stream, c)
	}
	return &sliceSource{rows: r.Rows}
}

type sliceSource struct{ rows []types.Row }

func (s *sliceSource) next(context.Context) (types.Row, error) {
	if len(s.rows) == 0 {
		return nil, io.EOF
	}
	row := s.rows[0]
	s.rows = s.rows[1:]
	return row, nil
}

func (s *sliceSource) ready() bool { return true }
func (s *sliceSource) close()      {}

// streamSource reads a RowStream in its own goroutine, so that the connection can tell a row
// that is ready from one that is not (and flush before waiting), and so that a cancellation or
// disconnect interrupts the wait.
type streamSource struct {
	stream api.RowStream
	c      *conn
	items  chan streamItem
	stop   context.CancelFunc
	done   chan struct{}
	err    error // what ended the stream, once seen
}

type streamItem struct {
	row types.Row
	err error
}

func newStreamSource(ctx context.Context, stream api.RowStream, c *conn) *streamSource {
	ctx, stop := context.WithCancel(ctx)
	s := &streamSource{
		stream: stream,
		c:      c,
		items:  make(chan streamItem, streamReadAhead),
		stop:   stop,
		done:   make(chan struct{}),
	}
	go s.pump(ctx)
	return s
}

func (s *streamSource) pump(ctx context.Context) {
	defer close(s.done)
	for {
		row, err := s.pull(ctx)
		select {
		case s.items <- streamItem{row, err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// pull calls Next, turning a panic in the engine into an error: this goroutine is outside
// the connection's recover.
func (s *streamSource) pull(ctx context.Context) (row types.Row, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.c.srv.panics.Add(1)
			s.c.log.Error("wire: panic in RowStream.Next", "panic", r, "stack", string(debug.Stack()))
			err = types.Errorf(types.CodeInternal, "internal error reading result rows")
		}
	}()
	return s.stream.Next(ctx)
}

func (s *streamSource) next(ctx context.Context) (types.Row, error) {
	if s.err != nil {
		return nil, s.err
	}
	select {
	case it := <-s.items:
		if it.err != nil {
			s.err = it.err
		}
		return it.row, it.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *streamSource) ready() bool { return s.err != nil || len(s.items) > 0 }

func (s *streamSource) close() {
	s.stop()
	s.c.safely("closing a row stream", s.stream.Close)
	<-s.done
}
