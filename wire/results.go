package wire

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/pgcatalog"
	"github.com/streamsql/streamsql/types"
)

// flushThreshold is how much output may be buffered before it is written even though more
// rows are ready: big result sets go out in chunks, not as one giant buffer.
const flushThreshold = 32 << 10

// isQuery reports whether a result carries rows (RowDescription, DataRows) rather than only a
// command tag.
func isQuery(r *api.Result) bool {
	return r.Columns != nil || r.Rows != nil || r.Stream != nil
}

// writeResult sends one result of a simple query; the rows of a push query are streamed as
// they arrive. The result's stream is always closed.
func (c *conn) writeResult(ctx context.Context, r *result) error {
	src := newRowSource(ctx, r, c)
	defer src.close()
	c.sendNotices(r.Result)
	switch {
	case r.CopyOut && r.cat == nil:
		if _, err := c.sendCopyOut(ctx, r.Columns, src); err != nil {
			return err
		}
	case r.isQuery():
		enc := r.encoder()
		c.send(enc.describe(nil))
		n, _, err := c.sendRows(ctx, enc, nil, src, 0)
		if err != nil {
			return err
		}
		c.commandCompleteFor(r, completeTag(r.Tag, n))
	default:
		c.commandCompleteFor(r, r.Tag)
	}
	return c.writeErr
}

func (c *conn) sendNotices(r *api.Result) {
	for _, n := range r.Notices {
		c.send(&pgproto3.NoticeResponse{Severity: "NOTICE", SeverityUnlocalized: "NOTICE", Code: "00000", Message: n})
	}
}

// rowEncoder describes a result's columns and encodes its values.
type rowEncoder interface {
	width() int
	// describe makes the RowDescription; formats are the Bind's result format codes (nil:
	// text), already checked against the column count.
	describe(formats []int16) *pgproto3.RowDescription
	// appendValue appends column i's value (not NULL) in text or binary format.
	appendValue(buf []byte, i int, v types.Value, binary bool) ([]byte, error)
}

// engineEncoder encodes the engine's typed columns.
type engineEncoder []api.Column

func (e engineEncoder) width() int { return len(e) }

func (e engineEncoder) describe(formats []int16) *pgproto3.RowDescription {
	return rowDescription(e, formats)
}

func (e engineEncoder) appendValue(buf []byte, i int, v types.Value, binary bool) ([]byte, error) {
	if binary {
		return appendBinary(buf, v, e[i].Type)
	}
	return appendText(buf, v, e[i].Type), nil
}

// catalogEncoder encodes catalog answers, whose columns carry Postgres types directly.
type catalogEncoder []pgcatalog.Column

func (e catalogEncoder) width() int { return len(e) }

func (e catalogEncoder) describe(formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(e))
	for i, col := range e {
		fields[i] = pgproto3.FieldDescription{
			Name:         []byte(col.Name),
			DataTypeOID:  col.OID,
			DataTypeSize: col.Size,
			TypeModifier: col.Typmod,
			Format:       formatFor(formats, i),
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

func (e catalogEncoder) appendValue(buf []byte, i int, v types.Value, binary bool) ([]byte, error) {
	if binary {
		return pgcatalog.AppendBinary(buf, v, e[i].OID)
	}
	return pgcatalog.AppendText(buf, v, e[i].OID), nil
}

// rowDescription describes columns; formats are the Bind's result format codes (nil: text),
// already checked against the column count.
func rowDescription(cols []api.Column, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		pt := pgTypeOf(col.Type)
		fields[i] = pgproto3.FieldDescription{
			Name:         []byte(col.Name),
			DataTypeOID:  pt.oid,
			DataTypeSize: pt.size,
			TypeModifier: typmodOf(col.Type),
			Format:       formatFor(formats, i),
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

// formatFor applies the protocol's format-code convention: none means text, one applies to
// every column, otherwise one per column.
func formatFor(formats []int16, i int) int16 {
	switch {
	case len(formats) == 0:
		return 0
	case len(formats) == 1:
		return formats[0]
	case i < len(formats):
		return formats[i]
	}
	return 0
}

// sendRows sends up to maxRows rows (0: all) from src as DataRows. It flushes whenever the
// next row is not ready yet, so a streamed row never waits in our buffer for a later one, and
// otherwise every flushThreshold bytes. more reports that rows may remain (maxRows reached).
func (c *conn) sendRows(ctx context.Context, enc rowEncoder, formats []int16, src rowSource, maxRows int) (n int, more bool, err error) {
	for ; maxRows <= 0 || n < maxRows; n++ {
		if c.unflushed && !src.ready() {
			if err := c.flush(); err != nil {
				return n, false, err
			}
		}
		row, err := src.next(ctx)
		if err == io.EOF {
			return n, false, nil
		}
		if err != nil {
			return n, false, err
		}
		if err := c.sendDataRow(row, enc, formats); err != nil {
			return n, false, err
		}
	}
	return n, true, nil
}

func (c *conn) sendDataRow(row types.Row, enc rowEncoder, formats []int16) error {
	width := enc.width()
	if len(row) != width {
		return types.Errorf(types.CodeInternal, "result row has %d values for %d columns", len(row), width)
	}
	buf := c.rowBuf[:0]
	ends := make([]int, width)
	for i := 0; i < width; i++ {
		if row[i] == nil {
			ends[i] = -1
			continue
		}
		var err error
		if buf, err = enc.appendValue(buf, i, row[i], formatFor(formats, i) == 1); err != nil {
			return err
		}
		ends[i] = len(buf)
	}
	values := make([][]byte, width)
	start := 0
	for i, end := range ends {
		if end < 0 {
			continue // NULL stays nil
		}
		values[i] = buf[start:end:end]
		start = end
	}
	c.send(&pgproto3.DataRow{Values: values})
	c.rowBuf = buf
	return c.sent(len(buf) + 4*width + 7)
}

// sent accounts for buffered output and flushes past the threshold.
func (c *conn) sent(n int) error {
	c.pending += n
	if c.pending >= flushThreshold {
		return c.flush()
	}
	return c.writeErr
}

// sendCopyOut sends rows as COPY ... TO STDOUT in text format: CopyOutResponse, one CopyData
// per row, CopyDone and CommandComplete "COPY n". psql writes each CopyData out as it
// arrives, which is how a push query streams in psql.
func (c *conn) sendCopyOut(ctx context.Context, cols []api.Column, src rowSource) (int, error) {
	c.send(&pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, len(cols))})
	n := 0
	for {
		if c.unflushed && !src.ready() {
			if err := c.flush(); err != nil {
				return n, err
			}
		}
		row, err := src.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, err // the ErrorResponse that follows ends the copy for the client
		}
		if len(row) != len(cols) {
			return n, types.Errorf(types.CodeInternal, "result row has %d values for %d columns", len(row), len(cols))
		}
		c.rowBuf, c.scratch = appendCopyRow(c.rowBuf[:0], c.scratch, row, cols)
		c.send(&pgproto3.CopyData{Data: c.rowBuf})
		n++
		if err := c.sent(len(c.rowBuf) + 5); err != nil {
			return n, err
		}
	}
	c.send(&pgproto3.CopyDone{})
	c.commandComplete("COPY " + strconv.Itoa(n))
	return n, c.writeErr
}

// completeTag puts the number of rows actually sent into a query's tag: "" and "SELECT k"
// become "SELECT n", and a bare verb that takes a count (FETCH, MOVE, COPY) gets it.
func completeTag(tag string, n int) string {
	count := strconv.Itoa(n)
	switch {
	case tag == "" || tag == "SELECT" || strings.HasPrefix(tag, "SELECT "):
		return "SELECT " + count
	case tag == "FETCH" || tag == "MOVE" || tag == "COPY":
		return tag + " " + count
	}
	return tag
}

// commandCompleteFor completes a result: a session statement has already moved the
// transaction status itself; an engine result's tag is read for it.
func (c *conn) commandCompleteFor(r *result, tag string) {
	if r.txManaged {
		c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
		return
	}
	c.commandComplete(tag)
}

// commandComplete sends a tag and follows transaction blocks by it, for ReadyForQuery.
func (c *conn) commandComplete(tag string) {
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	switch verb, _, _ := strings.Cut(tag, " "); verb {
	case "BEGIN", "START":
		if c.tx == 'I' {
			c.tx = 'T'
		}
	case "COMMIT", "ROLLBACK":
		c.tx = 'I'
	}
}

// TxStatuser may be implemented by a Session that tracks transaction blocks itself; its
// answer ('I' idle, 'T' in a block, 'E' in a failed block) then replaces the status the wire
// infers from BEGIN/COMMIT/ROLLBACK command tags and errors.
type TxStatuser interface {
	TxStatus() byte
}

func (c *conn) txStatus() byte {
	if ts, ok := c.sess.(TxStatuser); ok {
		switch s := ts.TxStatus(); s {
		case 'I', 'T', 'E':
			return s
		}
	}
	return c.tx
}
