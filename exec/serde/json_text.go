package serde

import "unicode/utf8"

// ksqlDB reads JSON objects and arrays that land in a STRING column as text: an object is
// re-serialized by Jackson (compact, members in order, strings re-escaped, non-integer
// numbers as BigDecimal.toString()); an array becomes its elements read as STRING, joined
// with ", " inside brackets ([1, a, null]).

// arrayAsString reads the array at s.pos into its STRING form.
func arrayAsString(s *scanner) (any, *decodeErr) {
	buf, err := appendArrayText(nil, s)
	if err != nil {
		return nil, fromSyntax(err, s.data)
	}
	return string(buf), nil
}

func appendArrayText(dst []byte, s *scanner) ([]byte, *syntaxErr) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	s.pos++ // '['
	s.skipWS()
	dst = append(dst, '[')
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		s.depth--
		return append(dst, ']'), nil
	}
	for i := 0; ; i++ {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		if s.pos >= len(s.data) {
			return nil, s.unexpected()
		}
		var err *syntaxErr
		start := s.pos
		switch s.data[s.pos] {
		case '[':
			dst, err = appendArrayText(dst, s)
		case '{':
			dst, err = appendCanonical(dst, s)
		case '"':
			if _, err = s.skipString(); err == nil {
				dst = appendUnescaped(dst, s.data[start+1:s.pos-1])
			}
		default:
			if err = s.skipValue(); err == nil {
				raw := s.data[start:s.pos]
				if isNumberStart(raw[0]) {
					dst = append(dst, numberText(raw)...)
				} else {
					dst = append(dst, raw...) // true, false, null
				}
			}
		}
		if err != nil {
			return nil, err
		}
		more, err := s.next(']')
		if err != nil {
			return nil, err
		}
		if !more {
			s.depth--
			return append(dst, ']'), nil
		}
	}
}

func isNumberStart(c byte) bool { return c == '-' || isDigit(c) }

// appendCanonical re-serializes the JSON value at s.pos as Jackson writes it back.
func appendCanonical(dst []byte, s *scanner) ([]byte, *syntaxErr) {
	if s.pos >= len(s.data) {
		return nil, s.unexpected()
	}
	start := s.pos
	switch c := s.data[s.pos]; c {
	case '{', '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		if err := s.enter(); err != nil {
			return nil, err
		}
		s.pos++
		s.skipWS()
		dst = append(dst, c)
		if s.pos < len(s.data) && s.data[s.pos] == closing {
			s.pos++
			s.depth--
			return append(dst, closing), nil
		}
		for first := true; ; first = false {
			if !first {
				dst = append(dst, ',')
			}
			if c == '{' {
				if s.pos >= len(s.data) || s.data[s.pos] != '"' {
					return nil, s.unexpected()
				}
				var err *syntaxErr
				if dst, err = appendCanonical(dst, s); err != nil {
					return nil, err
				}
				if err := s.colon(); err != nil {
					return nil, err
				}
				dst = append(dst, ':')
			}
			var err *syntaxErr
			if dst, err = appendCanonical(dst, s); err != nil {
				return nil, err
			}
			more, err := s.next(closing)
			if err != nil {
				return nil, err
			}
			if !more {
				s.depth--
				return append(dst, closing), nil
			}
		}
	case '"':
		escaped, err := s.skipString()
		if err != nil {
			return nil, err
		}
		body := s.data[start+1 : s.pos-1]
		if !escaped {
			return appendJSONStringBytes(dst, body), nil
		}
		var buf [128]byte
		return appendJSONStringBytes(dst, appendUnescaped(buf[:0], body)), nil
	}
	if err := s.skipValue(); err != nil {
		return nil, err
	}
	raw := s.data[start:s.pos]
	if isNumberStart(raw[0]) {
		return append(dst, numberText(raw)...), nil
	}
	return append(dst, raw...), nil
}

// appendJSONString appends s as a JSON string the way Jackson escapes it: ", \ and control
// characters only (\b \t \n \f \r short, others \u00XX with upper-case hex); everything else,
// including / and non-ASCII, as is. Invalid UTF-8 becomes U+FFFD, as a Java string would.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size > 1 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscape(dst, c)
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONStringBytes is appendJSONString for bytes.
func appendJSONStringBytes(dst []byte, b []byte) []byte {
	return appendJSONString(dst, bytesString(b))
}

func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\b':
		return append(dst, '\\', 'b')
	case '\t':
		return append(dst, '\\', 't')
	case '\n':
		return append(dst, '\\', 'n')
	case '\f':
		return append(dst, '\\', 'f')
	case '\r':
		return append(dst, '\\', 'r')
	}
	const hex = "0123456789ABCDEF"
	return append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
}

// validString converts b to a string, replacing each invalid UTF-8 byte with U+FFFD as
// Java's UTF-8 decoder does, so that strings stay valid for the wire and for comparisons.
func validString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			out = append(out, "\uFFFD"...)
			i++
			continue
		}
		out = append(out, b[i:i+size]...)
		i += size
	}
	return string(out)
}
