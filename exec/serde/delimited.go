package serde

import (
	"bytes"
	"encoding/base64"
	"strconv"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

// DELIMITED is ksqlDB's CSV: Apache commons-csv's DEFAULT format with the configured
// delimiter, one record per Kafka record. Reading takes the first record (leading blank lines
// skipped), requires one field per column and reads an empty field as NULL whatever the type.
// Writing quotes minimally by commons-csv's rules (see needsQuote) and writes NULL as nothing.

// csvField is one field of a record: its bytes in the input and whether they were quoted
// (and so may hold doubled quotes to collapse).
type csvField struct {
	start, end int
	quoted     bool
}

func (c *Codec) decodeDelimited(data []byte, dst types.Row, needed []bool) error {
	var small [32]csvField
	fields := small[:0]
	if len(c.fields) > len(small) {
		fields = make([]csvField, 0, len(c.fields))
	}
	fields, count, msg := splitCSV(data, c.delim, fields, len(c.fields))
	if msg != "" {
		return c.delimitedError(msg, -1)
	}
	if count != len(c.fields) {
		return types.Errorf(types.CodeDataException, "Failed to deserialize %s: Column count mismatch "+
			"on deserialization. expected: %d, got: %d (DELIMITED text: %s)",
			c.part(), len(c.fields), count, clip(data))
	}
	for i, f := range fields {
		if needed != nil && !needed[i] {
			continue
		}
		text := data[f.start:f.end]
		var buf [128]byte
		if f.quoted && bytes.IndexByte(text, '"') >= 0 {
			text = collapseQuotes(buf[:0], text)
		}
		v, msg := parseDelimited(text, c.fields[i].Type)
		if msg != "" {
			return c.delimitedError(msg, i)
		}
		dst[i] = v
	}
	return nil
}

// splitCSV finds the fields of the first record of data, keeping at most keep of them and
// counting all. It follows commons-csv's lexer: a field starting with a quote runs to the
// closing quote ("" inside is one quote) and may be followed only by blanks; any other field
// runs to the delimiter or the line end, quotes included.
func splitCSV(data, delim []byte, out []csvField, keep int) ([]csvField, int, string) {
	pos := 0
	for pos < len(data) && (data[pos] == '\n' || data[pos] == '\r') {
		pos++
	}
	if pos == len(data) {
		return out, 0, "No fields in record"
	}
	count := 0
	add := func(f csvField) {
		if count < keep {
			out = append(out, f)
		}
		count++
	}
	for {
		if pos == len(data) { // the record ended with a delimiter: one more, empty field
			add(csvField{start: pos, end: pos})
			return out, count, ""
		}
		if isDelim(data, pos, delim) {
			add(csvField{start: pos, end: pos})
			pos += len(delim)
			continue
		}
		if c := data[pos]; c == '\n' || c == '\r' {
			add(csvField{start: pos, end: pos})
			return out, count, ""
		}
		if data[pos] != '"' {
			i := pos
			for i < len(data) && !isDelim(data, i, delim) && data[i] != '\n' && data[i] != '\r' {
				i++
			}
			add(csvField{start: pos, end: i})
			if i < len(data) && isDelim(data, i, delim) {
				pos = i + len(delim)
				continue
			}
			return out, count, ""
		}
		i := pos + 1
		for {
			if i >= len(data) {
				return out, count, "EOF reached before encapsulated token finished"
			}
			if data[i] == '"' {
				if i+1 < len(data) && data[i+1] == '"' {
					i += 2
					continue
				}
				break
			}
			i++
		}
		add(csvField{start: pos + 1, end: i, quoted: true})
		for i++; ; i++ {
			if i >= len(data) || data[i] == '\n' || data[i] == '\r' {
				return out, count, ""
			}
			if isDelim(data, i, delim) {
				pos = i + len(delim)
				break
			}
			if !isCSVBlank(data[i]) {
				return out, count, "invalid char between encapsulated token and delimiter"
			}
		}
	}
}

func isDelim(data []byte, i int, delim []byte) bool {
	return data[i] == delim[0] && (len(delim) == 1 || bytes.HasPrefix(data[i:], delim))
}

// isCSVBlank is Java's Character.isWhitespace for the ASCII range, minus the line ends.
func isCSVBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1f)
}

func collapseQuotes(dst, text []byte) []byte {
	for i := 0; i < len(text); i++ {
		dst = append(dst, text[i])
		if text[i] == '"' && i+1 < len(text) && text[i+1] == '"' {
			i++
		}
	}
	return dst
}

// parseDelimited reads one field as ksqlDB's delimited deserializer does (Java's parsers);
// it returns the value or why the text does not fit.
func parseDelimited(text []byte, t types.Type) (any, string) {
	if len(text) == 0 {
		return nil, ""
	}
	switch t.Kind {
	case types.Boolean:
		// Boolean.parseBoolean: "true" in any case, anything else is false.
		return len(text) == 4 && bytes.EqualFold(text, []byte("true")), ""
	case types.Int:
		if v, ok := parseJavaInt(text, 32); ok {
			return int32(v), ""
		}
	case types.Bigint:
		if v, ok := parseJavaInt(text, 64); ok {
			return v, ""
		}
	case types.Double:
		if f, ok := parseJavaDouble(text); ok {
			return f, ""
		}
	case types.Decimal:
		var scratch [64]byte
		d, ok := parseBigDec(text, scratch[:0])
		if !ok {
			return nil, "Invalid DECIMAL text: " + strconv.Quote(validString(text))
		}
		v, msg := ensureFit(d, t.Precision, t.Scale)
		if msg != "" {
			return nil, msg
		}
		return v, ""
	case types.String:
		return validString(text), ""
	case types.Bytes:
		if b, ok := decodeBase64Lenient(text); ok {
			return b, ""
		}
		return nil, "Value is not a valid Base64 encoded string: " + validString(text)
	case types.Timestamp:
		if v, ok := parseJavaInt(text, 64); ok {
			return types.TimestampMillis(v), ""
		}
	case types.Date:
		if v, ok := parseJavaInt(text, 32); ok {
			return types.DateDays(v), ""
		}
	case types.Time:
		if v, ok := parseJavaInt(text, 32); ok {
			if v < 0 || v >= 86400000 {
				return nil, "Time values must use number of milliseconds greater than 0 " +
					"and less than 86400000."
			}
			return types.TimeMillis(v), ""
		}
	default:
		return nil, "The 'DELIMITED' format does not support type '" + t.Kind.String() + "'"
	}
	// Java's NumberFormatException message.
	return nil, "For input string: " + strconv.Quote(validString(text))
}

// decodeBase64Lenient is Java's Base64.getDecoder(): standard alphabet, padding optional, and
// nothing else, where Go's decoder would skip line ends.
func decodeBase64Lenient(text []byte) ([]byte, bool) {
	if bytes.ContainsAny(text, "\r\n") {
		return nil, false
	}
	enc := base64.StdEncoding
	if len(text)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	out := make([]byte, enc.DecodedLen(len(text)))
	n, err := enc.Decode(out, text)
	if err != nil {
		return nil, false
	}
	return out[:n], true
}

func (c *Codec) delimitedError(msg string, field int) error {
	if field < 0 {
		return types.Errorf(types.CodeInvalidText, "Failed to deserialize %s: Error deserializing delimited: %s",
			c.part(), msg)
	}
	f := c.fields[field]
	return types.Errorf(types.CodeDataException,
		"Failed to deserialize %s: Error deserializing delimited: %s (column %s %s, field %d)",
		c.part(), msg, quoteName(f.Name), typeString(f.Type), field+1)
}

func (c *Codec) encodeDelimited(buf []byte, row types.Row) ([]byte, error) {
	delim := bytesString(c.delim)
	for i, v := range row {
		if i > 0 {
			buf = append(buf, delim...)
		}
		if v == nil {
			continue // commons-csv writes a null as nothing, never quoted
		}
		first := i == 0
		var tmp [64]byte
		var text []byte
		switch c.kinds[i] {
		case types.Boolean:
			if b, ok := v.(bool); ok {
				text = strconv.AppendBool(tmp[:0], b)
			}
		case types.Int:
			if n, ok := v.(int32); ok {
				text = strconv.AppendInt(tmp[:0], int64(n), 10)
			}
		case types.Bigint:
			if n, ok := v.(int64); ok {
				text = strconv.AppendInt(tmp[:0], n, 10)
			}
		case types.Double:
			if f, ok := v.(float64); ok {
				text = appendJavaDouble(tmp[:0], f)
			}
		case types.Decimal:
			if d, ok := v.(decimal.Decimal); ok {
				text = appendDecimal(tmp[:0], d, c.fields[i].Type.Scale, true)
			}
		case types.String:
			if s, ok := v.(string); ok {
				buf = appendCSVField(buf, s, first, delim)
				continue
			}
		case types.Bytes:
			if b, ok := v.([]byte); ok {
				text = base64.StdEncoding.AppendEncode(tmp[:0], b)
			}
		case types.Timestamp:
			if t, ok := v.(types.TimestampMillis); ok {
				text = strconv.AppendInt(tmp[:0], int64(t), 10)
			}
		case types.Date:
			if d, ok := v.(types.DateDays); ok {
				text = strconv.AppendInt(tmp[:0], int64(d), 10)
			}
		case types.Time:
			if t, ok := v.(types.TimeMillis); ok {
				text = strconv.AppendInt(tmp[:0], int64(t), 10)
			}
		}
		if text == nil {
			return nil, c.encodeError(&typeMismatch{v, c.fields[i].Type}, c.fields[i].Name)
		}
		buf = appendCSVField(buf, bytesString(text), first, delim)
	}
	return buf, nil
}

// appendCSVField writes one non-NULL field, quoted when commons-csv's MINIMAL quote mode
// (the version ksqlDB ships) would quote it.
func appendCSVField(dst []byte, s string, first bool, delim string) []byte {
	if !needsQuote(s, first, delim) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// needsQuote is commons-csv's MINIMAL rule: an empty first field; a first field not starting
// with a letter or digit (so a leading minus sign is quoted: "-1",a); any field starting with
// a character up to '#' or ending with one up to ' '; any field holding a quote, a line end or
// the delimiter.
func needsQuote(s string, first bool, delim string) bool {
	if len(s) == 0 {
		return first
	}
	c := s[0]
	if first && !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
		return true
	}
	if c <= '#' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', '\n', '\r':
			return true
		}
		if s[i] == delim[0] && (len(delim) == 1 || hasPrefixString(s[i:], delim)) {
			return true
		}
	}
	return s[len(s)-1] <= ' '
}

func hasPrefixString(s, prefix string) bool {
	return len(s) >= len(prefix) && s[:len(prefix)] == prefix
}
