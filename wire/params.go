package wire

import (
	"strings"
	"unicode/utf8"

	"github.com/streamsql/streamsql/types"
)

// The engine API takes SQL text, so bound parameters become literals in the statement text:
// numbers (by their declared type) bare, booleans as TRUE/FALSE, NULL as NULL, and everything
// else — including parameters of unspecified type (OID 0), which is what the server reports
// and what pgx then sends — as a quoted string, Postgres' "unknown" literal that takes the type
// its context needs.

// paramLiteral renders one bound parameter (nil is NULL) as a SQL literal.
func paramLiteral(oid uint32, format int16, raw []byte) (string, error) {
	if raw == nil {
		return "NULL", nil
	}
	text := string(raw)
	if format == 1 {
		var err error
		if text, err = binaryParamText(oid, raw); err != nil {
			return "", err
		}
	}
	if !utf8.ValidString(text) || strings.IndexByte(text, 0) >= 0 {
		return "", types.Errorf(codeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\" in bind parameter")
	}
	switch oid {
	case oidInt2, oidInt4, oidInt8, oidOID, oidFloat4, oidFloat8, oidNumeric:
		return numberLiteral(oid, text)
	case oidBool:
		return boolLiteral(text)
	}
	return quoteString(text), nil
}

// numberLiteral checks the text of a numeric parameter and leaves it bare. A signed number is
// parenthesized so that "x-$1" cannot become the comment "x--1"; non-finite floats are
// quoted since they have no literal syntax.
func numberLiteral(oid uint32, text string) (string, error) {
	s := strings.TrimSpace(text)
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "nan", "infinity", "inf":
		if oid == oidFloat4 || oidFloat8 == oid || oid == oidNumeric {
			return quoteString(s), nil
		}
	}
	integer := oid == oidInt2 || oid == oidInt4 || oid == oidInt8 || oid == oidOID
	if !isNumber(s, integer) {
		return "", types.Errorf(types.CodeInvalidText, "invalid input syntax for type %s: %q", oidName(oid), text)
	}
	if s[0] == '-' || s[0] == '+' {
		return "(" + s + ")", nil
	}
	return s, nil
}

// isNumber matches [+-]digits[.digits][e[+-]digits] (integers: [+-]digits).
func isNumber(s string, integer bool) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	n := digits()
	if integer {
		return n > 0 && i == len(s)
	}
	if i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// boolLiteral accepts Postgres' boolean input forms (t, true, yes, on, 1 and prefixes).
func boolLiteral(text string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(text))
	switch {
	case s == "":
	case strings.HasPrefix("true", s), strings.HasPrefix("yes", s), s == "on", s == "1":
		return "TRUE", nil
	case strings.HasPrefix("false", s), strings.HasPrefix("no", s), s == "off" || s == "of", s == "0":
		return "FALSE", nil
	}
	return "", types.Errorf(types.CodeInvalidText, "invalid input syntax for type boolean: %q", text)
}

// quoteString writes a standard-conforming string literal: quotes doubled, backslashes literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
