package pgcatalog

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/types"
)

// Value is a catalog value: nil (NULL), bool, int64 (every integer and OID type), float64
// (float4, float8, numeric), string (every text type, json, pg_node_tree ...), Reg (reg*
// types), time.Time, []Value (arrays and int2vector/oidvector) or Record.
type Value = any

// Reg is a value of a reg* type: an OID that prints as a name.
type Reg struct {
	OID  int64
	Name string
}

// Record is a composite value.
type Record struct {
	Names []string
	Types []uint32
	Vals  []Value
}

func errorf(code types.Code, format string, args ...any) *types.Error {
	return types.Errorf(code, format, args...)
}

// truth reads a boolean value; NULL is "unknown" (ok false).
func truth(v Value) (b, ok bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case nil:
		return false, false
	case string:
		b, err := parseBool(x)
		return b, err == nil
	case int64:
		return x != 0, true
	}
	return false, false
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "y", "yes", "on", "1":
		return true, nil
	case "f", "false", "n", "no", "off", "0":
		return false, nil
	}
	return false, errorf(types.CodeInvalidText, "invalid input syntax for type boolean: \"%s\"", s)
}

func asInt(v Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(math.Round(x)), true
	case Reg:
		return x.OID, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			f, err2 := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err2 != nil {
				return 0, false
			}
			return int64(f), true
		}
		return n, true
	}
	return 0, false
}

func asFloat(v Value) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case Reg:
		return float64(x.OID), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// compare orders two non-NULL values: numbers numerically (a string against a number is read
// as a number, as an unknown literal would be), strings bytewise, arrays and records element
// by element. ok is false when they cannot be compared.
func compare(a, b Value) (int, bool) {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpInt(x, y), true
		case float64:
			return cmpFloat(float64(x), y), true
		case Reg:
			return cmpInt(x, y.OID), true
		case string:
			if f, ok := asFloat(y); ok {
				return cmpFloat(float64(x), f), true
			}
			return strings.Compare(strconv.FormatInt(x, 10), y), true
		case bool:
			n, _ := asInt(y)
			return cmpInt(x, n), true
		}
	case float64:
		if f, ok := asFloat(b); ok {
			return cmpFloat(x, f), true
		}
	case Reg:
		switch y := b.(type) {
		case string:
			if n, ok := asInt(y); ok {
				return cmpInt(x.OID, n), true
			}
			return strings.Compare(x.Name, y), true
		default:
			if n, ok := asInt(y); ok {
				return cmpInt(x.OID, n), true
			}
		}
	case string:
		switch y := b.(type) {
		case string:
			return strings.Compare(x, y), true
		case int64, float64, Reg:
			c, ok := compare(b, a)
			return -c, ok
		case bool:
			if bx, err := parseBool(x); err == nil {
				return cmpBool(bx, y), true
			}
		case time.Time:
			if t, err := parseTime(x); err == nil {
				return t.Compare(y), true
			}
		case []Value:
			if arr, err := parseArray(x, oidText); err == nil {
				return compare(arr, y)
			}
		}
	case bool:
		switch y := b.(type) {
		case bool:
			return cmpBool(x, y), true
		case string:
			if by, err := parseBool(y); err == nil {
				return cmpBool(x, by), true
			}
		case int64:
			c, ok := compare(b, a)
			return -c, ok
		}
	case time.Time:
		switch y := b.(type) {
		case time.Time:
			return x.Compare(y), true
		case string:
			if t, err := parseTime(y); err == nil {
				return x.Compare(t), true
			}
		}
	case []Value:
		var ys []Value
		switch y := b.(type) {
		case []Value:
			ys = y
		case string:
			arr, err := parseArray(y, oidText)
			if err != nil {
				return 0, false
			}
			ys = arr.([]Value)
		default:
			return 0, false
		}
		for i := 0; i < len(x) && i < len(ys); i++ {
			if x[i] == nil || ys[i] == nil {
				if x[i] == nil && ys[i] == nil {
					continue
				}
				if x[i] == nil {
					return 1, true
				}
				return -1, true
			}
			c, ok := compare(x[i], ys[i])
			if !ok {
				return 0, false
			}
			if c != 0 {
				return c, true
			}
		}
		return cmpInt(int64(len(x)), int64(len(ys))), true
	case Record:
		y, ok := b.(Record)
		if !ok {
			return 0, false
		}
		return compare(x.Vals, y.Vals)
	}
	return 0, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// sortCompare orders values for ORDER BY: NULL sorts after everything (nullsFirst reverses).
func sortCompare(a, b Value) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return 1
		}
		return -1
	}
	c, ok := compare(a, b)
	if !ok {
		return strings.Compare(textOut(a, 0), textOut(b, 0))
	}
	return c
}

// hashKey is a canonical key for grouping, DISTINCT and hash joins: values that compare equal
// get the same key.
func hashKey(v Value) string {
	switch x := v.(type) {
	case nil:
		return "\x00N"
	case bool:
		if x {
			return "\x00t"
		}
		return "\x00f"
	case int64:
		return "n" + strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e18 {
			return "n" + strconv.FormatInt(int64(x), 10)
		}
		return "n" + strconv.FormatFloat(x, 'g', -1, 64)
	case Reg:
		return "n" + strconv.FormatInt(x.OID, 10)
	case string:
		return "s" + x
	case time.Time:
		return "t" + x.UTC().Format(time.RFC3339Nano)
	case []Value:
		var b strings.Builder
		b.WriteString("a")
		for _, e := range x {
			k := hashKey(e)
			b.WriteString(strconv.Itoa(len(k)))
			b.WriteByte(':')
			b.WriteString(k)
		}
		return b.String()
	case Record:
		return "r" + hashKey(x.Vals)
	}
	return "?"
}

// rowKey is hashKey over a whole row.
func rowKey(row []Value) string { return hashKey(row) }

// textOut renders v (not nil) in the Postgres text output format of type oid (0: by value).
func textOut(v Value, oid uint32) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "t"
		}
		return "f"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return floatText(x, oid)
	case string:
		if oid == oidChar && len(x) > 1 {
			return x[:1]
		}
		return x
	case Reg:
		return x.Name
	case time.Time:
		return timeText(x, oid)
	case []Value:
		if oid == oidInt2Vector || oid == oidOIDVector {
			parts := make([]string, len(x))
			for i, e := range x {
				parts[i] = textOut(e, oidInt4)
			}
			return strings.Join(parts, " ")
		}
		return arrayText(x, elemType(oid))
	case Record:
		var b strings.Builder
		b.WriteByte('(')
		for i, e := range x.Vals {
			if i > 0 {
				b.WriteByte(',')
			}
			if e == nil {
				continue
			}
			var et uint32
			if i < len(x.Types) {
				et = x.Types[i]
			}
			s := textOut(e, et)
			if s == "" || strings.ContainsAny(s, `(),"\ `) {
				s = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
			}
			b.WriteString(s)
		}
		b.WriteByte(')')
		return b.String()
	}
	return ""
}

func floatText(f float64, oid uint32) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if oid == oidNumeric {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	bits := 64
	if oid == oidFloat4 {
		bits = 32
	}
	s := strconv.FormatFloat(f, 'g', -1, bits)
	if strings.Contains(s, "e+") {
		mant, exp, _ := strings.Cut(s, "e+")
		if len(exp) == 1 {
			exp = "0" + exp
		}
		s = mant + "e+" + exp
	}
	return s
}

func timeText(t time.Time, oid uint32) string {
	switch oid {
	case oidDate:
		return t.Format("2006-01-02")
	case oidTime:
		return t.Format("15:04:05.999999")
	case oidTimestamp:
		return t.Format("2006-01-02 15:04:05.999999")
	}
	return t.UTC().Format("2006-01-02 15:04:05.999999") + "+00"
}

func arrayText(a []Value, elem uint32) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		if e == nil {
			b.WriteString("NULL")
			continue
		}
		if sub, ok := e.([]Value); ok {
			b.WriteString(arrayText(sub, elem))
			continue
		}
		s := textOut(e, elem)
		if s == "" || strings.EqualFold(s, "null") || strings.ContainsAny(s, "{},\"\\ \t\n\r") {
			s = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
		}
		b.WriteString(s)
	}
	b.WriteByte('}')
	return b.String()
}

// parseArray reads an array literal ('{a,"b c",NULL}') with elements of type elem.
func parseArray(s string, elem uint32) (Value, error) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "="); strings.HasPrefix(s, "[") && i > 0 {
		s = s[i+1:] // dimension decoration
	}
	if !strings.HasPrefix(s, "{") {
		return nil, errorf(types.CodeInvalidText, "malformed array literal: \"%s\"", s)
	}
	v, rest, err := parseArrayAt(s, elem)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(rest) != "" {
		return nil, errorf(types.CodeInvalidText, "malformed array literal: \"%s\"", s)
	}
	return v, nil
}

func parseArrayAt(s string, elem uint32) ([]Value, string, error) {
	bad := errorf(types.CodeInvalidText, "malformed array literal: \"%s\"", s)
	s = s[1:]
	out := []Value{}
	for {
		s = strings.TrimLeft(s, " \t\n")
		if s == "" {
			return nil, "", bad
		}
		if s[0] == '}' && len(out) == 0 {
			return out, s[1:], nil
		}
		switch s[0] {
		case '{':
			sub, rest, err := parseArrayAt(s, elem)
			if err != nil {
				return nil, "", err
			}
			out = append(out, sub)
			s = rest
		case '"':
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, "", bad
			}
			v, err := castText(b.String(), elem)
			if err != nil {
				return nil, "", err
			}
			out = append(out, v)
			s = s[i+1:]
		default:
			i := 0
			for i < len(s) && s[i] != ',' && s[i] != '}' {
				i++
			}
			raw := strings.TrimSpace(s[:i])
			if strings.EqualFold(raw, "null") {
				out = append(out, nil)
			} else {
				v, err := castText(raw, elem)
				if err != nil {
					return nil, "", err
				}
				out = append(out, v)
			}
			s = s[i:]
		}
		s = strings.TrimLeft(s, " \t\n")
		if s == "" {
			return nil, "", bad
		}
		if s[0] == '}' {
			return out, s[1:], nil
		}
		if s[0] != ',' {
			return nil, "", bad
		}
		s = s[1:]
	}
}

// castText converts text input to a value of type oid, without catalog lookups (reg* types
// are resolved by the evaluator).
func castText(s string, oid uint32) (Value, error) {
	switch oid {
	case oidBool:
		return parseBool(s)
	case oidInt2, oidInt4, oidInt8, oidOID, oidXID, oidCID:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, errorf(types.CodeInvalidText, "invalid input syntax for type %s: \"%s\"", typeByOID(oid).display, s)
		}
		if oid == oidInt2 && (n < math.MinInt16 || n > math.MaxInt16) || oid == oidInt4 && (n < math.MinInt32 || n > math.MaxInt32) {
			return nil, errorf(types.CodeNumericOutOfRange, "value \"%s\" is out of range for type %s", s, typeByOID(oid).display)
		}
		return n, nil
	case oidFloat4, oidFloat8, oidNumeric:
		t := strings.TrimSpace(s)
		switch strings.ToLower(t) {
		case "nan":
			return math.NaN(), nil
		case "infinity", "inf", "+infinity":
			return math.Inf(1), nil
		case "-infinity", "-inf":
			return math.Inf(-1), nil
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, errorf(types.CodeInvalidText, "invalid input syntax for type %s: \"%s\"", typeByOID(oid).display, s)
		}
		return f, nil
	case oidInt2Vector, oidOIDVector:
		var out []Value
		for _, f := range strings.Fields(s) {
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, errorf(types.CodeInvalidText, "invalid input syntax for type %s: \"%s\"", typeByOID(oid).name, s)
			}
			out = append(out, n)
		}
		if out == nil {
			out = []Value{}
		}
		return out, nil
	case oidDate, oidTimestamp, oidTimestamptz, oidTime:
		t, err := parseTime(s)
		if err != nil {
			return nil, err
		}
		return t, nil
	case oidChar:
		if len(s) > 1 {
			return s[:1], nil
		}
		return s, nil
	}
	if isArrayType(oid) {
		return parseArray(s, elemType(oid))
	}
	return s, nil
}

var timeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999-07", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04", "2006-01-02", "15:04:05.999999999", "15:04",
}

func parseTime(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "now":
		return time.Now().UTC(), nil
	case "epoch":
		return time.Unix(0, 0).UTC(), nil
	}
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, t); err == nil {
			return v, nil
		}
	}
	return time.Time{}, errorf(types.CodeInvalidDatetime, "invalid input syntax for type timestamp: \"%s\"", s)
}

// pgEpoch is 2000-01-01, the origin of binary dates and timestamps.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// AppendText appends v (not nil) in the text format of type oid.
func AppendText(buf []byte, v Value, oid uint32) []byte {
	return append(buf, textOut(v, oid)...)
}

// AppendBinary appends v (not nil) in the binary format of type oid.
func AppendBinary(buf []byte, v Value, oid uint32) ([]byte, error) {
	switch oid {
	case oidBool:
		b, _ := truth(v)
		if b {
			return append(buf, 1), nil
		}
		return append(buf, 0), nil
	case oidInt2:
		n, _ := asInt(v)
		return binary.BigEndian.AppendUint16(buf, uint16(int16(n))), nil
	case oidInt4:
		n, _ := asInt(v)
		return binary.BigEndian.AppendUint32(buf, uint32(int32(n))), nil
	case oidOID, oidRegclass, oidRegtype, oidRegproc, oidRegprocedure, oidRegnamespace, oidRegrole, oidRegoper, oidXID, oidCID, oidRegconfig:
		n, _ := asInt(v)
		return binary.BigEndian.AppendUint32(buf, uint32(n)), nil
	case oidInt8:
		n, _ := asInt(v)
		return binary.BigEndian.AppendUint64(buf, uint64(n)), nil
	case oidFloat4:
		f, _ := asFloat(v)
		return binary.BigEndian.AppendUint32(buf, math.Float32bits(float32(f))), nil
	case oidFloat8:
		f, _ := asFloat(v)
		return binary.BigEndian.AppendUint64(buf, math.Float64bits(f)), nil
	case oidNumeric:
		return appendNumericBinary(buf, textOut(v, oidNumeric)), nil
	case oidJSONB:
		return append(append(buf, 1), textOut(v, oid)...), nil
	case oidDate, oidTimestamp, oidTimestamptz:
		t, ok := v.(time.Time)
		if !ok {
			var err error
			if t, err = parseTime(textOut(v, oid)); err != nil {
				return nil, err
			}
		}
		if oid == oidDate {
			days := int32(math.Floor(t.Sub(pgEpoch).Hours() / 24))
			return binary.BigEndian.AppendUint32(buf, uint32(days)), nil
		}
		return binary.BigEndian.AppendUint64(buf, uint64(t.Sub(pgEpoch).Microseconds())), nil
	case oidRecord:
		r, ok := v.(Record)
		if !ok {
			break
		}
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(r.Vals)))
		for i, e := range r.Vals {
			et := oidText
			if i < len(r.Types) {
				et = r.Types[i]
			}
			buf = binary.BigEndian.AppendUint32(buf, et)
			if e == nil {
				buf = binary.BigEndian.AppendUint32(buf, 0xffffffff)
				continue
			}
			at := len(buf)
			buf = append(buf, 0, 0, 0, 0)
			var err error
			if buf, err = AppendBinary(buf, e, et); err != nil {
				return nil, err
			}
			binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
		}
		return buf, nil
	case oidAclitem, oidInterval, oidTID, oidUUID, oidInet, oidCidr, oidMoney, oidTimetz, oidTime, oidBit, oidVarbit:
		return nil, errorf(types.CodeFeatureNotSupported, "binary format is not supported for type %s", typeByOID(oid).display)
	}
	if isArrayType(oid) || oid == oidInt2Vector || oid == oidOIDVector {
		a, ok := v.([]Value)
		if !ok {
			return nil, errorf(types.CodeInternal, "array value expected")
		}
		elem := elemType(oid)
		if oid == oidInt2Vector {
			elem = oidInt2
		} else if oid == oidOIDVector {
			elem = oidOID
		}
		return appendArrayBinary(buf, a, elem)
	}
	return append(buf, textOut(v, oid)...), nil
}

func appendArrayBinary(buf []byte, a []Value, elem uint32) ([]byte, error) {
	hasNull := uint32(0)
	for _, e := range a {
		if e == nil {
			hasNull = 1
		}
		if _, nested := e.([]Value); nested {
			return nil, errorf(types.CodeFeatureNotSupported, "binary format of multi-dimensional arrays is not supported")
		}
	}
	ndim := uint32(1)
	if len(a) == 0 {
		ndim = 0
	}
	buf = binary.BigEndian.AppendUint32(buf, ndim)
	buf = binary.BigEndian.AppendUint32(buf, hasNull)
	buf = binary.BigEndian.AppendUint32(buf, elem)
	if ndim == 0 {
		return buf, nil
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(a)))
	buf = binary.BigEndian.AppendUint32(buf, 1)
	for _, e := range a {
		if e == nil {
			buf = binary.BigEndian.AppendUint32(buf, 0xffffffff)
			continue
		}
		at := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		if buf, err = AppendBinary(buf, e, elem); err != nil {
			return nil, err
		}
		binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	}
	return buf, nil
}

// appendNumericBinary encodes a decimal string as Postgres' binary numeric: base-10000 digits.
func appendNumericBinary(buf []byte, s string) []byte {
	const posSign, negSign, nanSign = 0x0000, 0x4000, 0xC000
	if s == "NaN" || strings.Contains(s, "Inf") {
		buf = binary.BigEndian.AppendUint16(buf, 0)
		buf = binary.BigEndian.AppendUint16(buf, 0)
		buf = binary.BigEndian.AppendUint16(buf, nanSign)
		return binary.BigEndian.AppendUint16(buf, 0)
	}
	sign := uint16(posSign)
	if strings.HasPrefix(s, "-") {
		sign, s = negSign, s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	dscale := len(frac)
	// Pad the integer part to a multiple of 4 on the left, the fraction on the right.
	if pad := (4 - len(intPart)%4) % 4; pad > 0 {
		intPart = strings.Repeat("0", pad) + intPart
	}
	if pad := (4 - len(frac)%4) % 4; pad > 0 {
		frac += strings.Repeat("0", pad)
	}
	var digits []uint16
	for i := 0; i < len(intPart); i += 4 {
		d, _ := strconv.Atoi(intPart[i : i+4])
		digits = append(digits, uint16(d))
	}
	weight := len(digits) - 1
	for i := 0; i < len(frac); i += 4 {
		d, _ := strconv.Atoi(frac[i : i+4])
		digits = append(digits, uint16(d))
	}
	for len(digits) > 0 && digits[0] == 0 {
		digits = digits[1:]
		weight--
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 {
		weight = 0
	}
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(digits)))
	buf = binary.BigEndian.AppendUint16(buf, uint16(int16(weight)))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	buf = binary.BigEndian.AppendUint16(buf, uint16(dscale))
	for _, d := range digits {
		buf = binary.BigEndian.AppendUint16(buf, d)
	}
	return buf
}
