package serde

import (
	"strconv"

	"github.com/streamsql/streamsql/types"
)

// decodeErr is a record that cannot be read: malformed JSON (syntax) or a value that does not
// coerce to its column's type. path is built while the error unwinds, in ksqlDB's notation
// ($.COL[0].F); raw is the offending JSON text.
type decodeErr struct {
	syntax bool
	msg    string
	path   string
	raw    []byte
	pos    int
}

func fromSyntax(e *syntaxErr, data []byte) *decodeErr {
	return &decodeErr{syntax: true, msg: e.msg, pos: e.pos, raw: data}
}

func (e *decodeErr) at(segment string) *decodeErr {
	e.path = segment + e.path
	return e
}

// decodeJSON reads a JSON record: an object of columns when wrapped, else the bare value of
// the only column.
func (c *Codec) decodeJSON(data []byte, dst types.Row, needed []bool) error {
	s := scanner{data: data}
	s.skipBOM()
	s.skipWS()
	if !c.wrapped {
		if c.single == nil { // a key codec without columns
			return nil
		}
		if needed != nil && !needed[0] {
			if err := s.skipValue(); err != nil {
				return c.jsonError(fromSyntax(err, data), "")
			}
			if err := s.end(); err != nil {
				return c.jsonError(fromSyntax(err, data), "")
			}
			return nil
		}
		v, derr := decodeValue(&s, c.single)
		if derr == nil {
			if err := s.end(); err != nil {
				derr = fromSyntax(err, data)
			}
		}
		if derr != nil {
			return c.jsonError(derr, c.fields[0].Name)
		}
		dst[0] = v
		return nil
	}
	if s.pos < len(data) && data[s.pos] == 'n' {
		if err := s.skipLiteral("null"); err != nil {
			return c.jsonError(fromSyntax(err, data), "")
		}
		if err := s.end(); err != nil {
			return c.jsonError(fromSyntax(err, data), "")
		}
		return c.nullRecord(dst, needed)
	}
	if s.pos >= len(data) || data[s.pos] != '{' {
		start := s.pos
		if err := s.skipValue(); err != nil {
			return c.jsonError(fromSyntax(err, data), "")
		}
		return c.jsonError(convErr(data[start:s.pos], c.rowType()), "")
	}
	var small [32]fieldState
	states := small[:0]
	if len(c.fields) <= len(small) {
		states = small[:len(c.fields)]
	} else {
		states = make([]fieldState, len(c.fields))
	}
	if derr := c.cols.decodeMembers(&s, dst, states, needed); derr != nil {
		return c.jsonError(derr, "")
	}
	if err := s.end(); err != nil {
		return c.jsonError(fromSyntax(err, data), "")
	}
	for i := range states {
		if needed != nil && !needed[i] {
			continue
		}
		if e := states[i].err; e != nil {
			return c.jsonError(e.at("."+c.fields[i].Name), c.fields[i].Name)
		}
		if states[i].prio == matchNone {
			dst[i] = nil
		}
	}
	return nil
}

func (c *Codec) rowType() string {
	return typeString(types.StructOf(c.fields...))
}

// fieldState tracks, per field of an object being read, how well the member that set it
// matched and the coercion error it left. Errors are kept rather than returned at once
// because a later duplicate member may replace the bad value, as in Jackson's tree.
type fieldState struct {
	prio uint8
	err  *decodeErr
}

// decodeMembers reads the object at s.pos into out (one slot per field), decoding the members
// that match needed fields and skipping the rest unread.
func (p *objectPlan) decodeMembers(s *scanner, out []any, states []fieldState, needed []bool) *decodeErr {
	if err := s.enter(); err != nil {
		return fromSyntax(err, s.data)
	}
	s.pos++ // '{'
	s.skipWS()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		s.depth--
		return nil
	}
	hint := 0
	var keyBuf [64]byte
	for {
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return fromSyntax(s.unexpected(), s.data)
		}
		kstart := s.pos
		escaped, err := s.skipString()
		if err != nil {
			return fromSyntax(err, s.data)
		}
		key := s.data[kstart+1 : s.pos-1]
		if escaped {
			key = appendUnescaped(keyBuf[:0], key)
		}
		if err := s.colon(); err != nil {
			return fromSyntax(err, s.data)
		}
		idx, prio := p.lookup(key, hint)
		if idx >= 0 {
			hint = idx + 1
		}
		if idx < 0 || (needed != nil && !needed[idx]) || prio < states[idx].prio {
			if err := s.skipValue(); err != nil {
				return fromSyntax(err, s.data)
			}
		} else {
			v, derr := decodeValue(s, p.nodes[idx])
			if derr != nil && derr.syntax {
				return derr
			}
			out[idx] = v
			states[idx] = fieldState{prio: prio, err: derr}
		}
		more, err := s.next('}')
		if err != nil {
			return fromSyntax(err, s.data)
		}
		if !more {
			s.depth--
			return nil
		}
	}
}

// decodeValue reads the value at s.pos as type n and steps over it. A coercion error still
// steps over the value, so that the caller can go on (and find later syntax errors).
func decodeValue(s *scanner, n *node) (any, *decodeErr) {
	if s.pos >= len(s.data) {
		return nil, fromSyntax(s.unexpected(), s.data)
	}
	start := s.pos
	switch c := s.data[s.pos]; {
	case c == 'n':
		if err := s.skipLiteral("null"); err != nil {
			return nil, fromSyntax(err, s.data)
		}
		return nil, nil
	case c == '[' && n.kind == types.Array:
		return decodeArray(s, n)
	case c == '{' && n.kind == types.Map:
		return decodeMap(s, n)
	case c == '{' && n.kind == types.Struct:
		var small [16]fieldState
		states := small[:0]
		if len(n.obj.names) <= len(small) {
			states = small[:len(n.obj.names)]
		} else {
			states = make([]fieldState, len(n.obj.names))
		}
		out := make(types.StructValue, len(n.obj.names))
		if derr := n.obj.decodeMembers(s, out, states, nil); derr != nil {
			return nil, derr
		}
		for i := range states {
			if e := states[i].err; e != nil {
				return nil, e.at("." + n.obj.names[i])
			}
		}
		return out, nil
	case (c == '{' || c == '[') && n.kind == types.String:
		// ksqlDB keeps nested JSON in a STRING column as text.
		if c == '[' {
			return arrayAsString(s)
		}
		var buf []byte
		buf, err := appendCanonical(buf, s)
		if err != nil {
			return nil, fromSyntax(err, s.data)
		}
		return string(buf), nil
	}
	if err := s.skipValue(); err != nil {
		return nil, fromSyntax(err, s.data)
	}
	return coerceScalar(s.data[start:s.pos], n)
}

func decodeArray(s *scanner, n *node) (any, *decodeErr) {
	if err := s.enter(); err != nil {
		return nil, fromSyntax(err, s.data)
	}
	s.pos++ // '['
	s.skipWS()
	out := []any{}
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		s.depth--
		return out, nil
	}
	var firstErr *decodeErr
	for i := 0; ; i++ {
		v, derr := decodeValue(s, n.elem)
		if derr != nil {
			if derr.syntax {
				return nil, derr
			}
			if firstErr == nil {
				firstErr = derr.at("[" + strconv.Itoa(i) + "]")
			}
		}
		out = append(out, v)
		more, err := s.next(']')
		if err != nil {
			return nil, fromSyntax(err, s.data)
		}
		if !more {
			s.depth--
			if firstErr != nil {
				return nil, firstErr
			}
			return out, nil
		}
	}
}

// decodeMap reads an object into a MAP<STRING, T>. A repeated key keeps its first position and
// its last value, as Jackson's tree and the HashMap built from it do.
func decodeMap(s *scanner, n *node) (any, *decodeErr) {
	if err := s.enter(); err != nil {
		return nil, fromSyntax(err, s.data)
	}
	s.pos++ // '{'
	s.skipWS()
	m := &types.MapValue{Keys: []any{}, Values: []any{}}
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		s.depth--
		return m, nil
	}
	var seen map[string]int // built only for large maps, where a linear search would be slow
	var firstErr *decodeErr
	for {
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return nil, fromSyntax(s.unexpected(), s.data)
		}
		kstart := s.pos
		if _, err := s.skipString(); err != nil {
			return nil, fromSyntax(err, s.data)
		}
		var kbuf [64]byte
		key := string(stringBody(s.data[kstart:s.pos], kbuf[:0]))
		if err := s.colon(); err != nil {
			return nil, fromSyntax(err, s.data)
		}
		v, derr := decodeValue(s, n.elem)
		if derr != nil {
			if derr.syntax {
				return nil, derr
			}
			if firstErr == nil {
				firstErr = derr.at("." + key + ".value")
			}
		}
		if seen == nil && len(m.Keys) >= 16 {
			seen = make(map[string]int, 2*len(m.Keys))
			for i, k := range m.Keys {
				seen[k.(string)] = i
			}
		}
		at := -1
		if seen != nil {
			if i, ok := seen[key]; ok {
				at = i
			}
		} else {
			for i, k := range m.Keys {
				if k.(string) == key {
					at = i
					break
				}
			}
		}
		if at >= 0 {
			m.Values[at] = v
		} else {
			if seen != nil {
				seen[key] = len(m.Keys)
			}
			m.Keys = append(m.Keys, key)
			m.Values = append(m.Values, v)
		}
		more, err := s.next('}')
		if err != nil {
			return nil, fromSyntax(err, s.data)
		}
		if !more {
			s.depth--
			if firstErr != nil {
				return nil, firstErr
			}
			return m, nil
		}
	}
}

// jsonError turns a decode error into the user-facing error: ksqlDB's message and path, then
// the column and the JSON text at fault so that the processing log says what to fix.
func (c *Codec) jsonError(e *decodeErr, column string) error {
	target := "value"
	if c.isKey {
		target = "key"
	}
	if e.syntax {
		return types.Errorf(types.CodeInvalidText,
			"Failed to deserialize %s: invalid JSON at offset %d: %s (JSON: %s)",
			target, e.pos, e.msg, excerpt(e.raw, e.pos))
	}
	msg := "Failed to deserialize " + target + ". " + e.msg + ", path: $" + e.path
	if column != "" {
		msg += " (column " + quoteName(column) + ", JSON: " + clip(e.raw) + ")"
	} else {
		msg += " (JSON: " + clip(e.raw) + ")"
	}
	return types.Errorf(types.CodeDataException, "%s", msg)
}

// clip shortens JSON text for a message.
func clip(b []byte) string {
	if len(b) > errContextLength {
		return validString(b[:errContextLength]) + "..."
	}
	return validString(b)
}

// excerpt shows the text around a syntax error.
func excerpt(data []byte, pos int) string {
	start := max(pos-errContextLength/2, 0)
	end := min(pos+errContextLength/2, len(data))
	s := strconv.Quote(validString(data[start:end]))
	if start > 0 {
		s = "..." + s
	}
	if end < len(data) {
		s += "..."
	}
	return s
}
