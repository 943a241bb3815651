package serde

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits as in Jackson's StreamReadConstraints (ksqlDB's parser): deeper or longer input is
// refused rather than allowed to cost unbounded time or stack.
const (
	maxJSONDepth     = 1000
	maxNumberLength  = 1000
	errContextLength = 60
)

// scanner walks one JSON document in place. It validates what it skips (ksqlDB's Jackson
// parser reads the whole document, so a syntax error anywhere rejects the record) but never
// materializes skipped values.
type scanner struct {
	data  []byte
	pos   int
	depth int
}

// syntaxErr is a malformed-document error; the caller adds the context.
type syntaxErr struct {
	msg string
	pos int
}

func (s *scanner) fail(msg string) *syntaxErr { return &syntaxErr{msg: msg, pos: s.pos} }

func (s *scanner) unexpected() *syntaxErr {
	if s.pos >= len(s.data) {
		return s.fail("unexpected end of input")
	}
	c := s.data[s.pos]
	if c < 0x20 || c >= 0x7f {
		return s.fail("unexpected byte 0x" + strconv.FormatUint(uint64(c), 16))
	}
	return s.fail("unexpected character '" + string(rune(c)) + "'")
}

func (s *scanner) skipWS() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// skipBOM drops a UTF-8 byte order mark, which Jackson accepts.
func (s *scanner) skipBOM() {
	if len(s.data) >= 3 && s.data[0] == 0xEF && s.data[1] == 0xBB && s.data[2] == 0xBF {
		s.pos = 3
	}
}

// end checks that only whitespace follows the document. Jackson would ignore trailing
// garbage; we refuse it, as it means the record is not the JSON it claims to be.
func (s *scanner) end() *syntaxErr {
	s.skipWS()
	if s.pos != len(s.data) {
		return s.fail("unexpected data after the JSON value")
	}
	return nil
}

// skipValue validates and steps over the value at s.pos (no leading whitespace).
func (s *scanner) skipValue() *syntaxErr {
	if s.pos >= len(s.data) {
		return s.unexpected()
	}
	switch c := s.data[s.pos]; c {
	case '"':
		_, err := s.skipString()
		return err
	case '{':
		return s.skipObject()
	case '[':
		return s.skipArray()
	case 't':
		return s.skipLiteral("true")
	case 'f':
		return s.skipLiteral("false")
	case 'n':
		return s.skipLiteral("null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			_, err := s.skipNumber()
			return err
		}
		return s.unexpected()
	}
}

func (s *scanner) skipLiteral(lit string) *syntaxErr {
	if len(s.data)-s.pos < len(lit) || string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return s.fail("invalid literal, expected " + lit)
	}
	s.pos += len(lit)
	return nil
}

// skipString steps over a string starting at its opening quote and reports whether it holds
// escapes. It rejects raw control characters, bad escapes and invalid UTF-8, as Jackson does.
func (s *scanner) skipString() (escaped bool, err *syntaxErr) {
	data := s.data
	i := s.pos + 1
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(data) {
				s.pos = i
				return false, s.fail("unterminated escape")
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) || !isHex4(data[i+2:i+6]) {
					s.pos = i
					return false, s.fail("invalid \\u escape")
				}
				i += 6
			default:
				s.pos = i
				return false, s.fail("invalid escape")
			}
		case c < 0x20:
			s.pos = i
			return false, s.fail("unescaped control character in string")
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				s.pos = i
				return false, s.fail("invalid UTF-8 in string")
			}
			i += size
		}
	}
	s.pos = len(data)
	return false, s.fail("unterminated string")
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if hexVal(c) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// skipNumber steps over a number in strict JSON grammar and reports whether it has a
// fraction or an exponent (Jackson reads those as BigDecimal, integers as int/long/BigInteger).
func (s *scanner) skipNumber() (isFloat bool, err *syntaxErr) {
	data := s.data
	start := s.pos
	i := start
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	default:
		s.pos = i
		return false, s.fail("invalid number")
	}
	if i < len(data) && data[i] == '.' {
		isFloat = true
		i++
		if i >= len(data) || !isDigit(data[i]) {
			s.pos = i
			return false, s.fail("invalid number: expected a digit after the decimal point")
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		isFloat = true
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			s.pos = i
			return false, s.fail("invalid number: expected a digit in the exponent")
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	if i-start > maxNumberLength {
		s.pos = start
		return false, s.fail("number longer than " + strconv.Itoa(maxNumberLength) + " characters")
	}
	// Jackson refuses a number run into letters ("12abc") or a leading zero ("012").
	if i < len(data) && (isDigit(data[i]) || isLetter(data[i])) {
		s.pos = i
		return false, s.fail("invalid number")
	}
	s.pos = i
	return isFloat, nil
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func (s *scanner) enter() *syntaxErr {
	s.depth++
	if s.depth > maxJSONDepth {
		return s.fail("nesting deeper than " + strconv.Itoa(maxJSONDepth))
	}
	return nil
}

func (s *scanner) skipObject() *syntaxErr {
	if err := s.enter(); err != nil {
		return err
	}
	s.pos++ // '{'
	s.skipWS()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return s.unexpected()
		}
		if _, err := s.skipString(); err != nil {
			return err
		}
		if err := s.colon(); err != nil {
			return err
		}
		if err := s.skipValue(); err != nil {
			return err
		}
		more, err := s.next('}')
		if err != nil {
			return err
		}
		if !more {
			s.depth--
			return nil
		}
	}
}

func (s *scanner) skipArray() *syntaxErr {
	if err := s.enter(); err != nil {
		return err
	}
	s.pos++ // '['
	s.skipWS()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if err := s.skipValue(); err != nil {
			return err
		}
		more, err := s.next(']')
		if err != nil {
			return err
		}
		if !more {
			s.depth--
			return nil
		}
	}
}

// colon consumes the ':' after a member name and the whitespace around it.
func (s *scanner) colon() *syntaxErr {
	s.skipWS()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		return s.unexpected()
	}
	s.pos++
	s.skipWS()
	return nil
}

// next consumes the separator after a member or element: true after ',' (another follows),
// false after the closing bracket.
func (s *scanner) next(closing byte) (bool, *syntaxErr) {
	s.skipWS()
	if s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipWS()
			return true, nil
		case closing:
			s.pos++
			return false, nil
		}
	}
	return false, s.unexpected()
}

// appendUnescaped appends the decoded content of a validated string body (without quotes).
// Lone surrogates, which Java strings may hold but UTF-8 cannot, become U+FFFD.
func appendUnescaped(dst, body []byte) []byte {
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			j := i + 1
			for j < len(body) && body[j] != '\\' {
				j++
			}
			dst = append(dst, body[i:j]...)
			i = j
			continue
		}
		e := body[i+1]
		i += 2
		switch e {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := rune(hex4(body[i:]))
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if i+6 <= len(body) && body[i] == '\\' && body[i+1] == 'u' {
					r2 = utf16.DecodeRune(r, rune(hex4(body[i+2:])))
				}
				if r2 != utf8.RuneError {
					i += 6
				}
				r = r2
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, e)
		}
	}
	return dst
}

func hex4(b []byte) int {
	return hexVal(b[0])<<12 | hexVal(b[1])<<8 | hexVal(b[2])<<4 | hexVal(b[3])
}

// stringBody returns the content of the validated string token raw, decoded into scratch
// when it has escapes; without escapes it is a sub-slice of raw and costs nothing.
func stringBody(raw []byte, scratch []byte) []byte {
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c == '\\' {
			return appendUnescaped(scratch[:0], body)
		}
	}
	return body
}
