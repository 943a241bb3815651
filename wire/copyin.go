package wire

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

// COPY name [(col, ...)] FROM STDIN [[WITH] (FORMAT text|csv, DELIMITER 'c', NULL 's', HEADER
// [bool], QUOTE 'q', ESCAPE 'e', ENCODING 'UTF8')], and the pre-9.0 option forms
// ([WITH] [DELIMITER [AS] 'c'] [NULL [AS] 's'] [CSV [HEADER] [QUOTE [AS] 'q'] [ESCAPE [AS] 'e']]):
// bulk ingest into a stream or table, psql's \copy included. Each row becomes an
// INSERT INTO name (cols) VALUES (...) run by the engine, batchRows rows per call. Rows inserted
// before an error stay inserted (the engine has no transactions). Binary format is refused.

// copyBatchRows is how many rows go to the engine per call.
const copyBatchRows = 256

// SQLSTATEs of COPY.
const (
	codeBadCopyFileFormat types.Code = "22P04"
	codeInvalidParameter  types.Code = "22023"
)

type copyOptions struct {
	csv                  bool
	delim, quote, escape byte
	null                 string
	header               bool
	target               string // the relation as written
	targetTok            ptok
	columns              []ptok
	hasColumnList        bool
	nullGive             bool
}

// parseCopyFrom reads COPY's target, columns and options.
func parseCopyFrom(toks []ptok) (*copyOptions, error) {
	o := &copyOptions{delim: '\t', quote: '"', null: `\N`}
	i := 1
	for i+2 < len(toks) && toks[i].isName() && toks[i+1].isOp(".") && toks[i+2].isName() {
		i += 2 // a schema name
	}
	if i >= len(toks) || !toks[i].isName() {
		return nil, cursorSyntaxError(toks, i)
	}
	o.targetTok = toks[i]
	i++
	if i < len(toks) && toks[i].isOp("(") {
		o.hasColumnList = true
		for i++; i < len(toks) && !toks[i].isOp(")"); i++ {
			if toks[i].isOp(",") {
				continue
			}
			if !toks[i].isName() {
				return nil, cursorSyntaxError(toks, i)
			}
			o.columns = append(o.columns, toks[i])
		}
		i++
	}
	if i+1 >= len(toks) || !toks[i].isKw("FROM") || !toks[i+1].isKw("STDIN") {
		return nil, cursorSyntaxError(toks, i)
	}
	i += 2
	if i < len(toks) && toks[i].isKw("WITH") {
		i++
	}
	str := func(j int) (string, bool) {
		if j < len(toks) && toks[j].kind == 'l' {
			return toks[j].val, true
		}
		return "", false
	}
	oneByte := func(name string, j int) (byte, error) {
		s, ok := str(j)
		if !ok {
			return 0, cursorSyntaxError(toks, j)
		}
		if len(s) != 1 {
			return 0, types.Errorf(types.CodeFeatureNotSupported, "COPY %s must be a single one-byte character", strings.ToLower(name))
		}
		return s[0], nil
	}
	var delimGiven, quoteGiven, escapeGiven bool
	if i < len(toks) && toks[i].isOp("(") {
		// (option [value], ...)
		for i++; i < len(toks) && !toks[i].isOp(")"); i++ {
			if toks[i].isOp(",") {
				continue
			}
			opt := toks[i].val
			var err error
			switch opt {
			case "FORMAT":
				i++
				switch {
				case i < len(toks) && (toks[i].isKw("CSV") || toks[i].kind == 'l' && strings.EqualFold(toks[i].val, "csv")):
					o.csv = true
				case i < len(toks) && (toks[i].isKw("TEXT") || toks[i].kind == 'l' && strings.EqualFold(toks[i].val, "text")):
				case i < len(toks) && (toks[i].isKw("BINARY") || toks[i].kind == 'l' && strings.EqualFold(toks[i].val, "binary")):
					return nil, types.Errorf(types.CodeFeatureNotSupported, "COPY FROM STDIN in binary format is not supported; use text or csv")
				default:
					return nil, types.Errorf(codeInvalidParameter, "COPY format not recognized")
				}
			case "DELIMITER":
				i++
				o.delim, err = oneByte(opt, i)
				delimGiven = true
			case "QUOTE":
				i++
				o.quote, err = oneByte(opt, i)
				quoteGiven = true
			case "ESCAPE":
				i++
				o.escape, err = oneByte(opt, i)
				escapeGiven = true
			case "NULL":
				i++
				s, ok := str(i)
				if !ok {
					return nil, cursorSyntaxError(toks, i)
				}
				o.null, o.nullGive = s, true
			case "HEADER":
				o.header = true
				if i+1 < len(toks) && !toks[i+1].isOp(",") && !toks[i+1].isOp(")") {
					i++
					switch v := strings.ToLower(toks[i].val); v {
					case "true", "on", "1":
					case "false", "off", "0":
						o.header = false
					case "match":
					default:
						return nil, types.Errorf(codeInvalidParameter, "header requires a Boolean value or \"match\"")
					}
				}
			case "ENCODING":
				i++
				if s, _ := str(i); !strings.EqualFold(strings.ReplaceAll(s, "-", ""), "UTF8") {
					return nil, types.Errorf(types.CodeFeatureNotSupported, "COPY encoding %q is not supported: only UTF8", s)
				}
			case "FREEZE", "FORCE_NOT_NULL", "FORCE_NULL", "FORCE_QUOTE":
				return nil, types.Errorf(types.CodeFeatureNotSupported, "COPY option %s is not supported", strings.ToLower(opt))
			default:
				return nil, types.Errorf(codeInvalidParameter, "option \"%s\" not recognized", strings.ToLower(opt))
			}
			if err != nil {
				return nil, err
			}
		}
	} else {
		// The pre-9.0 syntax.
		for ; i < len(toks); i++ {
			var err error
			switch t := toks[i]; {
			case t.isOp(";"):
			case t.isKw("BINARY"):
				return nil, types.Errorf(types.CodeFeatureNotSupported, "COPY FROM STDIN in binary format is not supported; use text or csv")
			case t.isKw("CSV"):
				o.csv = true
			case t.isKw("HEADER"):
				o.header = true
			case t.isKw("DELIMITER"), t.isKw("QUOTE"), t.isKw("ESCAPE"), t.isKw("NULL"):
				i++
				if i < len(toks) && toks[i].isKw("AS") {
					i++
				}
				switch t.val {
				case "DELIMITER":
					o.delim, err = oneByte(t.val, i)
					delimGiven = true
				case "QUOTE":
					o.quote, err = oneByte(t.val, i)
					quoteGiven = true
				case "ESCAPE":
					o.escape, err = oneByte(t.val, i)
					escapeGiven = true
				case "NULL":
					s, ok := str(i)
					if !ok {
						return nil, cursorSyntaxError(toks, i)
					}
					o.null, o.nullGive = s, true
				}
			default:
				return nil, cursorSyntaxError(toks, i)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	if o.csv {
		if !delimGiven {
			o.delim = ','
		}
		if !o.nullGive {
			o.null = ""
		}
		if !escapeGiven {
			o.escape = o.quote
		}
	} else {
		if quoteGiven || escapeGiven {
			return nil, types.Errorf(types.CodeFeatureNotSupported, "COPY quote and escape are available only in CSV mode")
		}
		if o.header {
			return nil, types.Errorf(types.CodeFeatureNotSupported, "COPY HEADER is available only in CSV mode")
		}
	}
	if o.delim == '\n' || o.delim == '\r' || !o.csv && o.delim == '\\' {
		return nil, types.Errorf(codeInvalidParameter, "COPY delimiter cannot be newline, carriage return or backslash")
	}
	return o, nil
}

// copyColumn is a column COPY fills.
type copyColumn struct {
	name string
	typ  types.Type
}

// copyFrom runs COPY ... FROM STDIN: CopyInResponse, then CopyData until CopyDone (or CopyFail).
func (c *conn) copyFrom(ctx context.Context, sql string, toks []ptok) (*result, error) {
	o, err := parseCopyFrom(toks)
	if err != nil {
		return nil, err
	}
	var rels []api.Relation
	if cr, ok := c.sess.(api.CatalogReader); ok {
		if rels, err = cr.Relations(ctx); err != nil {
			return nil, err
		}
	}
	rel := relationByName(rels, o.targetTok)
	if rel == nil {
		return nil, types.Errorf(types.CodeUndefinedTable, "relation \"%s\" does not exist", o.targetTok.val)
	}
	var cols []copyColumn
	if o.hasColumnList {
		for _, t := range o.columns {
			col := columnByName(rel, t)
			if col == nil {
				if t.isKw("ROWTIME") {
					cols = append(cols, copyColumn{name: "ROWTIME", typ: types.BigintType})
					continue
				}
				return nil, types.Errorf(types.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", t.val, strings.ToLower(rel.Name))
			}
			cols = append(cols, copyColumn{name: col.Name, typ: col.Type})
		}
	} else {
		for _, col := range rel.Columns {
			if !col.Header {
				cols = append(cols, copyColumn{name: col.Name, typ: col.Type})
			}
		}
	}
	prefix := "INSERT INTO " + backquote(rel.Name) + " ("
	for i, col := range cols {
		if i > 0 {
			prefix += ", "
		}
		prefix += backquote(col.name)
	}
	prefix += ") VALUES ("

	c.send(&pgproto3.CopyInResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, len(cols))})
	if err := c.flush(); err != nil {
		return nil, err
	}
	in := &copyIn{c: c, o: o, cols: cols, prefix: prefix, header: o.header}
	if err := in.run(ctx); err != nil {
		return nil, err
	}
	return &result{Result: &api.Result{Tag: "COPY " + strconv.Itoa(in.rows)}, txManaged: true}, nil
}

func backquote(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// copyIn is one COPY FROM STDIN in progress.
type copyIn struct {
	c      *conn
	o      *copyOptions
	cols   []copyColumn
	prefix string
	header bool

	buf   []byte // data not parsed yet
	line  int    // lines of input consumed, for error context
	rows  int    // rows inserted
	batch strings.Builder
	n     int // rows in batch
	done  bool
}

func (in *copyIn) run(ctx context.Context) error {
	for !in.done {
		var msg pgproto3.FrontendMessage
		select {
		case m, ok := <-in.c.msgs:
			if !ok { // the client is gone or broke the protocol
				if err := in.c.ctx.Err(); err != nil {
					return err
				}
				return types.Errorf(codeConnectionFailure, "connection closed during COPY from stdin")
			}
			msg = m
		case <-ctx.Done():
			return ctx.Err()
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			in.buf = append(in.buf, m.Data...)
			if err := in.parse(ctx, false); err != nil {
				return err
			}
		case *pgproto3.CopyDone:
			if err := in.parse(ctx, true); err != nil {
				return err
			}
			in.done = true
		case *pgproto3.CopyFail:
			return types.Errorf(types.CodeQueryCanceled, "COPY from stdin failed: %s", m.Message)
		case *pgproto3.Flush, *pgproto3.Sync:
			// Ignored during COPY, as in Postgres.
		default:
			return types.Errorf(codeProtocolViolation, "unexpected message type %T during COPY from stdin", msg)
		}
	}
	return in.flush(ctx)
}

// parse takes every complete record out of buf (at EOF, also an unterminated last one).
func (in *copyIn) parse(ctx context.Context, eof bool) error {
	for len(in.buf) > 0 && !in.done {
		var fields []*string
		var n, lines int
		var err error
		if in.o.csv {
			fields, n, lines, err = in.csvRecord(eof)
		} else {
			fields, n, err = in.textRecord(eof)
			lines = 1
		}
		if err != nil {
			return in.errorAt(in.line+1, err)
		}
		if n == 0 {
			return nil // an incomplete record: wait for more data
		}
		in.buf = in.buf[n:]
		in.line += lines
		if fields == nil {
			continue // the end marker or a skipped line
		}
		if in.header {
			in.header = false
			continue
		}
		if err := in.add(ctx, fields); err != nil {
			return in.errorAt(in.line, err)
		}
	}
	if len(in.buf) == 0 {
		in.buf = nil
	}
	return nil
}

func (in *copyIn) errorAt(line int, err error) error {
	te, ok := err.(*types.Error)
	if !ok {
		te = types.Errorf(types.CodeInternal, "%v", err)
	}
	cp := *te
	cp.Pos = types.Position{}
	ctx := fmt.Sprintf("COPY %s, line %d", strings.ToLower(in.c.copyTargetName(in.prefix)), line)
	if cp.Detail == "" {
		cp.Detail = ctx
	} else {
		cp.Detail += "\n" + ctx
	}
	return &cp
}

// copyTargetName recovers the relation name from the INSERT prefix, for messages.
func (c *conn) copyTargetName(prefix string) string {
	s := strings.TrimPrefix(prefix, "INSERT INTO `")
	if i := strings.Index(s, "` ("); i >= 0 {
		s = s[:i]
	}
	return strings.ReplaceAll(s, "``", "`")
}

// textRecord parses one line of the text format. n is 0 when the line is not complete yet.
func (in *copyIn) textRecord(eof bool) (fields []*string, n int, err error) {
	end := bytes.IndexByte(in.buf, '\n')
	line := in.buf
	if end < 0 {
		if !eof {
			return nil, 0, nil
		}
		n = len(in.buf)
	} else {
		line, n = in.buf[:end], end+1
	}
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if string(line) == `\.` {
		in.done = true
		return nil, n, nil
	}
	var field []byte
	isNull := func(raw []byte) bool { return string(raw) == in.o.null }
	start := 0
	flushField := func(raw []byte) {
		if isNull(raw) {
			fields = append(fields, nil)
			return
		}
		s := string(field)
		fields = append(fields, &s)
	}
	for i := 0; i <= len(line); i++ {
		if i == len(line) || line[i] == in.o.delim {
			flushField(line[start:i])
			field, start = field[:0], i+1
			continue
		}
		ch := line[i]
		if ch != '\\' || i+1 >= len(line) {
			field = append(field, ch)
			continue
		}
		i++
		switch e := line[i]; e {
		case 'b':
			field = append(field, '\b')
		case 'f':
			field = append(field, '\f')
		case 'n':
			field = append(field, '\n')
		case 'r':
			field = append(field, '\r')
		case 't':
			field = append(field, '\t')
		case 'v':
			field = append(field, '\v')
		case 'x':
			v, k := 0, 0
			for k < 2 && i+1 < len(line) && isHex(line[i+1]) {
				i++
				v = v*16 + hexVal(line[i])
				k++
			}
			if k == 0 {
				field = append(field, 'x')
			} else {
				field = append(field, byte(v))
			}
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(e - '0')
			for k := 0; k < 2 && i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '7'; k++ {
				i++
				v = v*8 + int(line[i]-'0')
			}
			field = append(field, byte(v))
		default:
			field = append(field, e)
		}
	}
	for _, f := range fields {
		if f != nil && !utf8.ValidString(*f) {
			return nil, 0, types.Errorf(codeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
		}
	}
	return fields, n, nil
}

// csvRecord parses one CSV record, which may span lines inside quotes. n is 0 when it is not
// complete yet.
func (in *copyIn) csvRecord(eof bool) (fields []*string, n, lines int, err error) {
	b, o := in.buf, in.o
	// The end-of-data marker alone on a line.
	if bytes.HasPrefix(b, []byte(`\.`)) {
		rest := b[2:]
		switch {
		case bytes.HasPrefix(rest, []byte("\n")):
			in.done = true
			return nil, 3, 1, nil
		case bytes.HasPrefix(rest, []byte("\r\n")):
			in.done = true
			return nil, 4, 1, nil
		case len(rest) == 0 && eof:
			in.done = true
			return nil, 2, 1, nil
		case len(rest) < 2 && !eof:
			return nil, 0, 0, nil
		}
	}
	var field []byte
	quoted, inQuotes, lines := false, false, 1
	i := 0
	endField := func() {
		if !quoted && string(field) == o.null {
			fields = append(fields, nil)
		} else {
			s := string(field)
			fields = append(fields, &s)
		}
		field, quoted = nil, false
	}
	for ; i < len(b); i++ {
		ch := b[i]
		if inQuotes {
			switch {
			case ch == o.escape && o.escape != o.quote:
				if i+1 >= len(b) {
					if !eof {
						return nil, 0, 0, nil // the escaped character is in the next chunk
					}
					field = append(field, ch)
				} else if b[i+1] == o.quote || b[i+1] == o.escape {
					field = append(field, b[i+1])
					i++
				} else {
					field = append(field, ch)
				}
			case ch == o.quote:
				if o.escape == o.quote && i+1 < len(b) && b[i+1] == o.quote {
					field = append(field, o.quote) // a doubled quote
					i++
				} else if o.escape == o.quote && i+1 >= len(b) && !eof {
					return nil, 0, 0, nil // it may be doubled in the next chunk
				} else {
					inQuotes = false
				}
			default:
				if ch == '\n' {
					lines++
				}
				field = append(field, ch)
			}
			continue
		}
		switch {
		case ch == o.quote:
			inQuotes, quoted = true, true
		case ch == o.delim:
			endField()
		case ch == '\n' || ch == '\r':
			endField()
			n = i + 1
			if ch == '\r' {
				if i+1 >= len(b) && !eof {
					return nil, 0, 0, nil
				}
				if i+1 < len(b) && b[i+1] == '\n' {
					n++
				}
			}
			return in.checkUTF8(fields, n, lines)
		default:
			field = append(field, ch)
		}
	}
	if !eof {
		return nil, 0, 0, nil
	}
	if inQuotes {
		return nil, 0, 0, types.Errorf(codeBadCopyFileFormat, "unterminated CSV quoted field")
	}
	endField()
	return in.checkUTF8(fields, len(b), lines)
}

func (in *copyIn) checkUTF8(fields []*string, n, lines int) ([]*string, int, int, error) {
	for _, f := range fields {
		if f != nil && !utf8.ValidString(*f) {
			return nil, 0, 0, types.Errorf(codeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
		}
	}
	return fields, n, lines, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

// add turns a record into an INSERT and runs the batch when it is full.
func (in *copyIn) add(ctx context.Context, fields []*string) error {
	if len(fields) != len(in.cols) {
		if len(fields) < len(in.cols) {
			return types.Errorf(codeBadCopyFileFormat, "missing data for column \"%s\"", strings.ToLower(in.cols[len(fields)].name))
		}
		return types.Errorf(codeBadCopyFileFormat, "extra data after last expected column")
	}
	if in.n > 0 {
		in.batch.WriteString(";\n")
	}
	in.batch.WriteString(in.prefix)
	for i, f := range fields {
		if i > 0 {
			in.batch.WriteString(", ")
		}
		lit, err := copyLiteral(f, in.cols[i])
		if err != nil {
			return err
		}
		in.batch.WriteString(lit)
	}
	in.batch.WriteString(")")
	in.n++
	if in.n >= copyBatchRows {
		return in.flush(ctx)
	}
	return nil
}

// flush runs the batched INSERTs.
func (in *copyIn) flush(ctx context.Context) error {
	if in.n == 0 {
		return nil
	}
	sql := in.batch.String()
	n := in.n
	in.batch.Reset()
	in.n = 0
	done := 0
	var err error
	if bi, ok := in.c.sess.(api.BatchInserter); ok {
		// One durable write for the batch; nothing of it is inserted when a row fails.
		done, err = bi.InsertBatch(ctx, sql)
		if err == nil {
			in.rows += done
		}
	} else {
		err = in.c.sess.Run(ctx, sql, func(r *api.Result) error {
			if r.Stream != nil {
				in.c.safely("closing a row stream", r.Stream.Close)
			}
			done++
			return nil
		})
		in.rows += done
	}
	if err != nil {
		// The failed row is the first not done, done rows back from the current line.
		line := in.line - (n - done) + 1
		e := in.errorAt(line, err).(*types.Error)
		return e
	}
	return nil
}

// copyLiteral renders one COPY field (nil: NULL) as a SQL literal for its column's type.
func copyLiteral(f *string, col copyColumn) (string, error) {
	if f == nil {
		return "NULL", nil
	}
	s := *f
	switch col.typ.Kind {
	case types.Int:
		return numberLiteral(oidInt4, s)
	case types.Bigint:
		return numberLiteral(oidInt8, s)
	case types.Double, types.Decimal:
		return numberLiteral(oidFloat8, s)
	case types.Boolean:
		return boolLiteral(s)
	case types.String, types.Timestamp, types.Date, types.Time:
		return quoteString(s), nil
	case types.Bytes:
		return quoteString(s), nil
	}
	return "", types.Errorf(types.CodeFeatureNotSupported, "COPY FROM cannot fill column \"%s\" of type %s", strings.ToLower(col.name), col.typ)
}
