package expr

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/streamsql/streamsql/types"
)

var (
	stringT = types.StringType
	intT    = types.IntType
	bytesT  = types.BytesType
)

func init() {
	register(
		fn("CONCAT", CategoryString, "Concatenates strings or bytes; NULL arguments are skipped.",
			"CONCAT('a', NULL, 'b') = 'ab'",
			variadic(sig(stringT, iN(concatStrings), P("str", tString))),
			variadic(sig(bytesT, iN(concatBytes), P("bytes", tBytes)))),
		fn("CONCAT_WS", CategoryString, "Concatenates strings or bytes with a separator; NULL values are skipped, a NULL separator gives NULL.",
			"CONCAT_WS('-', 'a', NULL, 'b') = 'a-b'",
			variadic(sig(stringT, iN(concatWS), P("separator", tString), P("str", tString))),
			variadic(sig(bytesT, iN(concatWSBytes), P("separator", tBytes), P("bytes", tBytes)))),
		fn("UCASE", CategoryString, "Converts a string to upper case.", "UCASE('Abc') = 'ABC'",
			sig(stringT, i1(strict1(func(a types.Value) (types.Value, error) { return strings.ToUpper(a.(string)), nil })), P("str", tString))),
		fn("UPPER", CategoryString, "Converts a string to upper case (alias of UCASE).", "UPPER('Abc') = 'ABC'",
			sig(stringT, i1(strict1(func(a types.Value) (types.Value, error) { return strings.ToUpper(a.(string)), nil })), P("str", tString))),
		fn("LCASE", CategoryString, "Converts a string to lower case.", "LCASE('AbC') = 'abc'",
			sig(stringT, i1(strict1(func(a types.Value) (types.Value, error) { return strings.ToLower(a.(string)), nil })), P("str", tString))),
		fn("LOWER", CategoryString, "Converts a string to lower case (alias of LCASE).", "LOWER('AbC') = 'abc'",
			sig(stringT, i1(strict1(func(a types.Value) (types.Value, error) { return strings.ToLower(a.(string)), nil })), P("str", tString))),
		fn("LEN", CategoryString, "Returns the length of a string (in UTF-16 code units, as Java counts) or of bytes.", "LEN('abc') = 3",
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) { return int32(javaLen(a.(string))), nil })), P("str", tString)),
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) { return int32(len(a.([]byte))), nil })), P("bytes", tBytes))),
		fn("LENGTH", CategoryString, "Returns the length of a string or bytes (alias of LEN).", "LENGTH('abc') = 3",
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) { return int32(javaLen(a.(string))), nil })), P("str", tString)),
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) { return int32(len(a.([]byte))), nil })), P("bytes", tBytes))),
		fn("SUBSTRING", CategoryString, "Returns the part of a string or bytes from a 1-based position (negative counts from the end), optionally of a given length.",
			"SUBSTRING('abcdef', 2, 3) = 'bcd'",
			sig(stringT, i2(strict2(func(s, p types.Value) (types.Value, error) {
				return substringStr(s.(string), p.(int32), -1, false), nil
			})), P("str", tString), P("pos", tInt)),
			sig(stringT, i3(strict3(func(s, p, l types.Value) (types.Value, error) {
				return substringStr(s.(string), p.(int32), l.(int32), true), nil
			})), P("str", tString), P("pos", tInt), P("length", tInt)),
			sig(bytesT, i2(strict2(func(s, p types.Value) (types.Value, error) {
				return substringBytes(s.([]byte), p.(int32), -1, false), nil
			})), P("bytes", tBytes), P("pos", tInt)),
			sig(bytesT, i3(strict3(func(s, p, l types.Value) (types.Value, error) {
				return substringBytes(s.([]byte), p.(int32), l.(int32), true), nil
			})), P("bytes", tBytes), P("pos", tInt), P("length", tInt))),
		fn("TRIM", CategoryString, "Removes leading and trailing whitespace (characters up to U+0020).", "TRIM('  a b  ') = 'a b'",
			sig(stringT, i1(strict1(func(a types.Value) (types.Value, error) { return javaTrim(a.(string)), nil })), P("str", tString))),
		fn("LTRIM", CategoryString, "Removes leading whitespace, or the given characters.", "LTRIM('  ab ') = 'ab '",
			sig(stringT, i1(strict1(func(a types.Value) (types.Value, error) {
				return strings.TrimLeftFunc(a.(string), func(r rune) bool { return r <= ' ' }), nil
			})), P("str", tString)),
			sig(stringT, i2(strict2(func(a, c types.Value) (types.Value, error) { return strings.TrimLeft(a.(string), c.(string)), nil })), P("str", tString), P("chars", tString))),
		fn("RTRIM", CategoryString, "Removes trailing whitespace, or the given characters.", "RTRIM(' ab  ') = ' ab'",
			sig(stringT, i1(strict1(func(a types.Value) (types.Value, error) {
				return strings.TrimRightFunc(a.(string), func(r rune) bool { return r <= ' ' }), nil
			})), P("str", tString)),
			sig(stringT, i2(strict2(func(a, c types.Value) (types.Value, error) { return strings.TrimRight(a.(string), c.(string)), nil })), P("str", tString), P("chars", tString))),
		fn("BTRIM", CategoryString, "Removes the given characters from both ends (Postgres' TRIM(BOTH c FROM s)).", "BTRIM('xaxx', 'x') = 'a'",
			sig(stringT, i2(strict2(func(a, c types.Value) (types.Value, error) { return strings.Trim(a.(string), c.(string)), nil })), P("str", tString), P("chars", tString))),
		fn("REPLACE", CategoryString, "Replaces every occurrence of a substring.", "REPLACE('anaconda', 'a', 'o') = 'onocondo'",
			sig(stringT, i3(strict3(func(s, o, n types.Value) (types.Value, error) {
				return strings.ReplaceAll(s.(string), o.(string), n.(string)), nil
			})), P("str", tString), P("old", tString), P("new", tString))),
		fn("INSTR", CategoryString, "Returns the 1-based position of the n-th occurrence of a substring, searching from a position (negative: backwards from the end); 0 when not found.",
			"INSTR('corporate floor', 'or', 4, 2) = 14",
			sig(intT, i2(func(s, sub types.Value) (types.Value, error) { return instr(s, sub, int32(1), int32(1)) }), P("str", tString), P("substring", tString)),
			sig(intT, i3(func(s, sub, p types.Value) (types.Value, error) { return instr(s, sub, p, int32(1)) }), P("str", tString), P("substring", tString), P("position", tInt)),
			sig(intT, iN(func(a []types.Value) (types.Value, error) { return instr(a[0], a[1], a[2], a[3]) }), P("str", tString), P("substring", tString), P("position", tInt), P("occurrence", tInt))),
		fn("LPAD", CategoryString, "Pads a string or bytes on the left to a length with a repeated padding (or truncates it).",
			"LPAD('foo', 7, 'Bar') = 'BarBfoo'",
			sig(stringT, i3(func(s, l, p types.Value) (types.Value, error) { return padString(s, l, p, true), nil }), P("input", tString), P("length", tInt), P("padding", tString)),
			sig(bytesT, i3(func(s, l, p types.Value) (types.Value, error) { return padBytes(s, l, p, true), nil }), P("input", tBytes), P("length", tInt), P("padding", tBytes))),
		fn("RPAD", CategoryString, "Pads a string or bytes on the right to a length with a repeated padding (or truncates it).",
			"RPAD('foo', 7, 'Bar') = 'fooBarB'",
			sig(stringT, i3(func(s, l, p types.Value) (types.Value, error) { return padString(s, l, p, false), nil }), P("input", tString), P("length", tInt), P("padding", tString)),
			sig(bytesT, i3(func(s, l, p types.Value) (types.Value, error) { return padBytes(s, l, p, false), nil }), P("input", tBytes), P("length", tInt), P("padding", tBytes))),
		fn("INITCAP", CategoryString, "Capitalizes the first letter of each whitespace-delimited word and lower-cases the rest.",
			"INITCAP('hello WORLD') = 'Hello World'",
			sig(stringT, i1(strict1(func(a types.Value) (types.Value, error) { return initcap(a.(string)), nil })), P("str", tString))),
		fn("SPLIT", CategoryString, "Splits a string or bytes on a literal delimiter; an empty delimiter splits into characters.",
			"SPLIT('a.b.c', '.') = ['a', 'b', 'c']",
			sig(types.ArrayOf(stringT), i2(strict2(func(s, d types.Value) (types.Value, error) { return splitString(s.(string), d.(string)), nil })), P("str", tString), P("delimiter", tString)),
			sig(types.ArrayOf(bytesT), i2(strict2(func(s, d types.Value) (types.Value, error) { return splitBytes(s.([]byte), d.([]byte)), nil })), P("bytes", tBytes), P("delimiter", tBytes))),
		fn("SPLIT_TO_MAP", CategoryString, "Splits a string into a map: entries on one delimiter, key and value on another; entries without the key-value delimiter are skipped.",
			"SPLIT_TO_MAP('a=1;b=2', ';', '=') = {a=1, b=2}",
			sig(types.MapOf(stringT, stringT), i3(splitToMap), P("str", tString), P("entryDelimiter", tString), P("kvDelimiter", tString))),
		fn("CHR", CategoryString, "Returns the character for a Unicode code point, or for a \\uXXXX escape.", "CHR(75) = 'K'",
			sig(stringT, i1(strict1(chrInt)), P("decimalCode", tInt)),
			sig(stringT, i1(strict1(chrString)), P("utf16Code", tString))),
		fn("ENCODE", CategoryString, "Re-encodes a string between hex, utf8, ascii and base64.", "ENCODE('4578', 'hex', 'utf8') = 'Ex'",
			sig(stringT, i3(strict3(encode)), P("str", tString), P("inputEncoding", tString), P("outputEncoding", tString))),
		fn("MD5", CategoryString, "Returns the MD5 hash of a string's UTF-8 bytes as 32 hex digits.", "MD5('') = 'd41d8cd98f00b204e9800998ecf8427e'",
			sig(stringT, i1(strict1(func(a types.Value) (types.Value, error) {
				sum := md5.Sum([]byte(a.(string)))
				return hex.EncodeToString(sum[:]), nil
			})), P("str", tString))),
		fn("ELT", CategoryString, "Returns the n-th (1-based) of the following strings, NULL when out of range.", "ELT(2, 'a', 'b') = 'b'",
			variadic(sig(stringT, iN(elt), P("n", tInt), P("str", tString)))),
		fn("FIELD", CategoryString, "Returns the 1-based position of a string among the following ones, 0 when absent or NULL.", "FIELD('b', 'a', 'b') = 2",
			variadic(sig(intT, iN(field), P("str", tString), P("args", tString)))),
		fn("UUID", CategoryString, "Returns a random type 4 UUID, or formats 16 bytes as a UUID.", "UUID() = '0d1a6b5c-...'",
			sig(stringT, i0(func() (types.Value, error) { return randomUUID(), nil })),
			sig(stringT, i1(strict1(uuidFromBytes)), P("bytes", tBytes))),
		fn("TO_BYTES", CategoryBytes, "Converts a string to bytes with an encoding: hex, utf8, ascii or base64.", "TO_BYTES('AB', 'hex') = X'AB'",
			sig(bytesT, i2(strict2(toBytes)), P("str", tString), P("encoding", tString))),
		fn("FROM_BYTES", CategoryBytes, "Converts bytes to a string with an encoding: hex, utf8, ascii or base64.", "FROM_BYTES(X'AB', 'hex') = 'AB'",
			sig(stringT, i2(strict2(fromBytes)), P("bytes", tBytes), P("encoding", tString))),
	)
}

func concatStrings(args []types.Value) (types.Value, error) {
	var sb strings.Builder
	for _, a := range args {
		if s, ok := a.(string); ok {
			sb.WriteString(s)
		}
	}
	return sb.String(), nil
}

func concatBytes(args []types.Value) (types.Value, error) {
	var out []byte
	for _, a := range args {
		if b, ok := a.([]byte); ok {
			out = append(out, b...)
		}
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

func concatWS(args []types.Value) (types.Value, error) {
	sep, ok := args[0].(string)
	if !ok {
		return nil, nil
	}
	parts := make([]string, 0, len(args)-1)
	for _, a := range args[1:] {
		if s, ok := a.(string); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, sep), nil
}

func concatWSBytes(args []types.Value) (types.Value, error) {
	sep, ok := args[0].([]byte)
	if !ok {
		return nil, nil
	}
	parts := make([][]byte, 0, len(args)-1)
	for _, a := range args[1:] {
		if b, ok := a.([]byte); ok {
			parts = append(parts, b)
		}
	}
	return append([]byte{}, bytes.Join(parts, sep)...), nil
}

// substringBounds is ksqlDB's Substring: a 1-based start (0 counts as 1), a negative start
// counts from the end, both ends clamped to the value.
func substringBounds(n int, pos, length int32, withLen bool) (int, int) {
	var start int
	if pos >= 0 {
		start = max(0, min(int(pos)-1, n))
	} else {
		start = max(0, n+int(pos))
	}
	end := n
	if withLen {
		end = max(start, min(n, start+int(length)))
	}
	return start, end
}

func substringStr(s string, pos, length int32, withLen bool) string {
	start, end := substringBounds(javaLen(s), pos, length, withLen)
	return javaSubstring(s, start, end)
}

func substringBytes(b []byte, pos, length int32, withLen bool) []byte {
	start, end := substringBounds(len(b), pos, length, withLen)
	return append([]byte{}, b[start:end]...)
}

// instr is ksqlDB's Instr; a NULL string or substring gives 0.
func instr(sv, subv, posv, occv types.Value) (types.Value, error) {
	s, ok1 := sv.(string)
	sub, ok2 := subv.(string)
	if !ok1 || !ok2 {
		return int32(0), nil
	}
	if posv == nil || occv == nil {
		return nil, ErrNullOperand
	}
	pos, occ := int(posv.(int32)), int(occv.(int32))
	u := utf16.Encode([]rune(s))
	su := utf16.Encode([]rune(sub))
	n := len(u)
	if pos > n || -pos > n {
		return int32(0), nil
	}
	reversed := pos < 0
	if reversed {
		reverse16(u)
		reverse16(su)
		pos = -pos
	}
	from := max(pos-1, 0)
	i := ordinalIndex(u[from:], su, occ)
	if i < 0 {
		return int32(0), nil
	}
	if reversed {
		return int32(n - pos - i), nil
	}
	return int32(i + pos), nil
}

func reverse16(u []uint16) {
	for i, j := 0, len(u)-1; i < j; i, j = i+1, j-1 {
		u[i], u[j] = u[j], u[i]
	}
}

// ordinalIndex is StringUtils.ordinalIndexOf on UTF-16 units.
func ordinalIndex(s, sub []uint16, n int) int {
	if n <= 0 {
		return -1
	}
	if len(sub) == 0 {
		return 0
	}
	found, idx := 0, -1
	for {
		next := index16(s, sub, idx+1)
		if next < 0 {
			return -1
		}
		found++
		idx = next
		if found == n {
			return idx
		}
	}
}

func index16(s, sub []uint16, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		match := true
		for j := range sub {
			if s[i+j] != sub[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

// padString is ksqlDB's LPad/RPad: NULL for a NULL input, NULL or empty padding, or a
// negative length.
func padString(sv, lv, pv types.Value, left bool) types.Value {
	s, ok1 := sv.(string)
	l, ok2 := lv.(int32)
	p, ok3 := pv.(string)
	if !ok1 || !ok2 || !ok3 || p == "" || l < 0 {
		return nil
	}
	su := utf16.Encode([]rune(s))
	pu := utf16.Encode([]rune(p))
	return string(utf16.Decode(pad16(su, pu, int(l), left)))
}

func pad16[T uint16 | byte](s, p []T, l int, left bool) []T {
	padLen := max(l-len(s), 0)
	padding := make([]T, 0, padLen)
	for len(padding) < padLen {
		padding = append(padding, p...)
	}
	padding = padding[:padLen]
	var out []T
	if left {
		out = append(append(out, padding...), s...)
	} else {
		out = append(append(out, s...), padding...)
	}
	if len(out) > l {
		out = out[:l]
	}
	if out == nil {
		out = []T{}
	}
	return out
}

func padBytes(sv, lv, pv types.Value, left bool) types.Value {
	s, ok1 := sv.([]byte)
	l, ok2 := lv.(int32)
	p, ok3 := pv.([]byte)
	if !ok1 || !ok2 || !ok3 || len(p) == 0 || l < 0 {
		return nil
	}
	return pad16(s, p, int(l), left)
}

// initcap is ksqlDB's InitCap: words are runs of non-whitespace with their trailing
// whitespace; leading whitespace is dropped.
func initcap(s string) string {
	s = strings.ToLower(s)
	var sb strings.Builder
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if javaIsWhitespace(r) {
			i += n
			if sb.Len() == 0 {
				continue
			}
			sb.WriteRune(r)
			continue
		}
		start := i
		for i < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[i:])
			if javaIsWhitespace(r2) {
				break
			}
			i += n2
		}
		word := s[start:i]
		first, fn := utf8.DecodeRuneInString(word)
		sb.WriteString(strings.ToUpper(string(first)))
		sb.WriteString(word[fn:])
		for i < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[i:])
			if !javaIsWhitespace(r2) {
				break
			}
			sb.WriteRune(r2)
			i += n2
		}
	}
	return sb.String()
}

func splitString(s, d string) []any {
	var parts []string
	if d == "" {
		if s == "" {
			return []any{""}
		}
		parts = strings.Split(s, "")
	} else {
		parts = strings.Split(s, d)
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out
}

func splitBytes(s, d []byte) []any {
	var parts [][]byte
	if len(d) == 0 {
		if len(s) == 0 {
			return []any{[]byte{}}
		}
		for i := range s {
			parts = append(parts, s[i:i+1])
		}
	} else {
		parts = bytes.Split(s, d)
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = append([]byte{}, p...)
	}
	return out
}

func splitToMap(sv, ev, kv types.Value) (types.Value, error) {
	s, ok1 := sv.(string)
	ed, ok2 := ev.(string)
	kd, ok3 := kv.(string)
	if !ok1 || !ok2 || !ok3 || ed == "" || kd == "" || ed == kd {
		return nil, nil
	}
	m := &types.MapValue{}
	for _, entry := range strings.Split(s, ed) {
		if entry == "" {
			continue
		}
		k, v, ok := strings.Cut(entry, kd)
		if !ok {
			continue
		}
		m.Put(k, v)
	}
	return m, nil
}

func chrInt(a types.Value) (types.Value, error) {
	c := a.(int32)
	if c < 0 || c > 0x10FFFF {
		return nil, nil
	}
	return string(rune(c)), nil
}

// chrString decodes \uXXXX escapes (surrogate pairs included), as StringEscapeUtils does.
func chrString(a types.Value) (types.Value, error) {
	s := a.(string)
	if len(s) < 6 || !strings.HasPrefix(s, `\u`) {
		return nil, nil
	}
	var units []uint16
	for len(s) >= 6 && strings.HasPrefix(s, `\u`) {
		n, err := strconv.ParseUint(s[2:6], 16, 16)
		if err != nil {
			return nil, nil
		}
		units = append(units, uint16(n))
		s = s[6:]
	}
	if s != "" {
		return nil, nil
	}
	return string(utf16.Decode(units)), nil
}

// encode is ksqlDB's Encode: hex, utf8, ascii and base64 in and out.
func encode(sv, iv, ov types.Value) (types.Value, error) {
	s := sv.(string)
	in, out := strings.ToLower(iv.(string)), strings.ToLower(ov.(string))
	if in == out || !validEncoding(in) || !validEncoding(out) {
		return nil, fnError("ENCODE", "Supported input and output encodings are: hex, utf8, ascii and base64")
	}
	var b []byte
	switch in {
	case "hex":
		var ok bool
		if b, ok = decodeHexLenient(s); !ok {
			return nil, fnError("ENCODE", "invalid hex %q", s)
		}
	case "utf8":
		b = []byte(s)
	case "ascii":
		b = asciiBytes(s)
	case "base64":
		b = decodeBase64Lenient(s)
	}
	switch out {
	case "hex":
		return hex.EncodeToString(b), nil
	case "utf8":
		return utf8String(b), nil
	case "ascii":
		return asciiString(b), nil
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

func validEncoding(e string) bool {
	return e == "hex" || e == "utf8" || e == "ascii" || e == "base64"
}

func toBytes(sv, ev types.Value) (types.Value, error) {
	s := sv.(string)
	switch strings.ToLower(ev.(string)) {
	case "hex":
		// Guava's BaseEncoding.base16(): upper-case digits only.
		if strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'f' }) {
			return nil, fnError("TO_BYTES", "invalid hex %q: Unrecognized character", s)
		}
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil, fnError("TO_BYTES", "invalid hex %q", s)
		}
		return b, nil
	case "utf8":
		return []byte(s), nil
	case "ascii":
		return asciiBytes(s), nil
	case "base64":
		// Base64.getMimeDecoder ignores characters outside the alphabet (the line breaks
		// FROM_BYTES writes, for one).
		clean := strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=' {
				return r
			}
			return -1
		}, s)
		b, err := decodeBase64(clean)
		if err != nil {
			return nil, fnError("TO_BYTES", "invalid base64 %q", s)
		}
		return b, nil
	}
	return nil, fnError("TO_BYTES", "Supported encodings are: hex, utf8, ascii and base64")
}

func fromBytes(bv, ev types.Value) (types.Value, error) {
	b := bv.([]byte)
	switch strings.ToLower(ev.(string)) {
	case "hex":
		// Guava's BaseEncoding.base16() writes upper case.
		return strings.ToUpper(hex.EncodeToString(b)), nil
	case "utf8":
		return utf8String(b), nil
	case "ascii":
		return asciiString(b), nil
	case "base64":
		return mimeBase64(b), nil
	}
	return nil, fnError("FROM_BYTES", "Supported encodings are: hex, utf8, ascii and base64")
}

// mimeBase64 is Base64.getMimeEncoder(): lines of 76 characters separated by CRLF.
func mimeBase64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	if len(s) <= 76 {
		return s
	}
	var sb strings.Builder
	for len(s) > 76 {
		sb.WriteString(s[:76])
		sb.WriteString("\r\n")
		s = s[76:]
	}
	sb.WriteString(s)
	return sb.String()
}

func elt(args []types.Value) (types.Value, error) {
	n, ok := args[0].(int32)
	if !ok || n < 1 || int(n) >= len(args) {
		return nil, nil
	}
	return args[n], nil
}

func field(args []types.Value) (types.Value, error) {
	s, ok := args[0].(string)
	if !ok {
		return int32(0), nil
	}
	for i, a := range args[1:] {
		if x, ok := a.(string); ok && x == s {
			return int32(i + 1), nil
		}
	}
	return int32(0), nil
}
