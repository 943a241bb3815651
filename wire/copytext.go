package wire

import (
	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

// appendCopyRow appends one row in COPY text format: columns separated by tabs, NULL as \N,
// a newline at the end, and backslash escapes for the characters that would break that framing.
func appendCopyRow(buf, scratch []byte, row types.Row, cols []api.Column) ([]byte, []byte) {
	for i, col := range cols {
		if i > 0 {
			buf = append(buf, '\t')
		}
		if row[i] == nil {
			buf = append(buf, '\\', 'N')
			continue
		}
		scratch = appendText(scratch[:0], row[i], col.Type)
		buf = appendCopyEscaped(buf, scratch)
	}
	return append(buf, '\n'), scratch
}

func appendCopyEscaped(buf, s []byte) []byte {
	for _, c := range s {
		switch c {
		case '\\':
			buf = append(buf, '\\', '\\')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		case '\b':
			buf = append(buf, '\\', 'b')
		case '\f':
			buf = append(buf, '\\', 'f')
		case '\v':
			buf = append(buf, '\\', 'v')
		default:
			buf = append(buf, c)
		}
	}
	return buf
}
