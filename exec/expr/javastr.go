package expr

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// ksqlDB's string functions index and measure Java strings: UTF-16 code units. These helpers
// do the same, with a fast path for ASCII.

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// javaLen is String.length().
func javaLen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// javaSubstring is String.substring(start, end) on UTF-16 indices; the caller keeps
// 0 <= start <= end <= javaLen(s).
func javaSubstring(s string, start, end int) string {
	if isASCII(s) {
		return s[start:end]
	}
	u := utf16.Encode([]rune(s))
	return string(utf16.Decode(u[start:end]))
}

// javaIsWhitespace is the \s of java.util.regex: [ \t\n\x0B\f\r].
func javaIsWhitespace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r'
}

// javaTrim is String.trim(): strips characters <= U+0020 from both ends.
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

// decodeHexLenient is commons-codec Hex.decodeHex after ksqlDB's hexStrip: 0x.. (odd length
// gets a leading 0), X'..' and x'..' forms.
func decodeHexLenient(s string) ([]byte, bool) {
	switch {
	case strings.HasPrefix(s, "0x"):
		if len(s)%2 != 0 {
			s = "0" + s[2:]
		} else {
			s = s[2:]
		}
	case len(s) >= 3 && (s[0] == 'x' || s[0] == 'X') && s[1] == '\'' && s[len(s)-1] == '\'':
		s = s[2 : len(s)-1]
	}
	b, err := hex.DecodeString(s)
	return b, err == nil
}

// decodeBase64Lenient is commons-codec Base64.decodeBase64: characters outside the standard
// and URL-safe alphabets are skipped, a trailing partial group is dropped.
func decodeBase64Lenient(s string) []byte {
	var clean strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean.WriteByte(c)
		case c == '-':
			clean.WriteByte('+')
		case c == '_':
			clean.WriteByte('/')
		case c == '=':
			i = len(s)
		}
	}
	t := clean.String()
	if len(t)%4 == 1 {
		t = t[:len(t)-1]
	}
	b, _ := base64.RawStdEncoding.DecodeString(t)
	return b
}

// asciiString is new String(bytes, US_ASCII): bytes above 0x7F become U+FFFD.
func asciiString(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c < 0x80 {
			sb.WriteByte(c)
		} else {
			sb.WriteRune(utf8.RuneError)
		}
	}
	return sb.String()
}

// utf8String is new String(bytes, UTF_8): malformed input becomes U+FFFD.
func utf8String(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		sb.WriteRune(r)
		b = b[n:]
	}
	return sb.String()
}

// asciiBytes is String.getBytes(US_ASCII): characters outside ASCII become '?'.
func asciiBytes(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 0x80 {
			out = append(out, byte(r))
		} else {
			out = append(out, '?')
		}
	}
	return out
}

// javaIsUpper and friends classify characters for the MASK functions.
func javaIsUpper(r rune) bool { return unicode.IsUpper(r) }
func javaIsLower(r rune) bool { return unicode.IsLower(r) }
func javaIsDigit(r rune) bool { return unicode.IsDigit(r) }
