package expr

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

// The JSON functions work on JSON text held in STRING values. They need object key order and
// number text kept as written (ksqlDB's Jackson tree keeps both), which encoding/json's
// generic decoding loses, so this file has a small tree parser and a compact writer.

type jsonKind uint8

const (
	jNull jsonKind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

type jsonNode struct {
	kind  jsonKind
	b     bool
	text  string // number text or string value
	items []*jsonNode
	keys  []string
}

func (n *jsonNode) get(key string) *jsonNode {
	for i, k := range n.keys {
		if k == key {
			return n.items[i]
		}
	}
	return nil
}

type jsonParser struct {
	s   string
	pos int
}

// parseJSON parses the first JSON value of s; ok is false for invalid or empty text. Like
// Jackson's ObjectReader.readTree, which ksqlDB's JSON functions use, whatever follows that
// first value is ignored: '{"a": 1}}' reads as {"a": 1}. As in Jackson, a root-level number
// must end at white space or the end ('1}' is invalid) and true/false/null must not run into
// more letters ('truex' is invalid).
func parseJSON(s string) (*jsonNode, bool) {
	p := &jsonParser{s: s}
	p.ws()
	n, ok := p.value(0)
	if !ok {
		return nil, false
	}
	if p.pos < len(s) {
		c := s[p.pos]
		switch n.kind {
		case jNumber:
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				return nil, false
			}
		case jNull, jBool:
			if c == '_' || c == '$' || c >= 0x80 || c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z' {
				return nil, false
			}
		}
	}
	return n, true
}

func (p *jsonParser) ws() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

func (p *jsonParser) lit(w string) bool {
	if strings.HasPrefix(p.s[p.pos:], w) {
		p.pos += len(w)
		return true
	}
	return false
}

func (p *jsonParser) value(depth int) (*jsonNode, bool) {
	if p.pos >= len(p.s) || depth > 1000 {
		return nil, false
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		p.pos++
		n := &jsonNode{kind: jObject}
		p.ws()
		if p.lit("}") {
			return n, true
		}
		for {
			p.ws()
			k, ok := p.str()
			if !ok {
				return nil, false
			}
			p.ws()
			if !p.lit(":") {
				return nil, false
			}
			p.ws()
			v, ok := p.value(depth + 1)
			if !ok {
				return nil, false
			}
			if i := indexOf(n.keys, k); i >= 0 {
				n.items[i] = v
			} else {
				n.keys = append(n.keys, k)
				n.items = append(n.items, v)
			}
			p.ws()
			if p.lit("}") {
				return n, true
			}
			if !p.lit(",") {
				return nil, false
			}
		}
	case c == '[':
		p.pos++
		n := &jsonNode{kind: jArray}
		p.ws()
		if p.lit("]") {
			return n, true
		}
		for {
			p.ws()
			v, ok := p.value(depth + 1)
			if !ok {
				return nil, false
			}
			n.items = append(n.items, v)
			p.ws()
			if p.lit("]") {
				return n, true
			}
			if !p.lit(",") {
				return nil, false
			}
		}
	case c == '"':
		s, ok := p.str()
		return &jsonNode{kind: jString, text: s}, ok
	case p.lit("true"):
		return &jsonNode{kind: jBool, b: true}, true
	case p.lit("false"):
		return &jsonNode{kind: jBool}, true
	case p.lit("null"):
		return &jsonNode{kind: jNull}, true
	default:
		start := p.pos
		if p.s[p.pos] == '-' {
			p.pos++
		}
		digits := p.pos
		for p.pos < len(p.s) && strings.IndexByte("0123456789.eE+-", p.s[p.pos]) >= 0 {
			p.pos++
		}
		text := p.s[start:p.pos]
		if p.pos == digits || !validJavaDecimal(p.s[digits:p.pos]) {
			return nil, false
		}
		return &jsonNode{kind: jNumber, text: text}, true
	}
}

func indexOf(keys []string, k string) int {
	for i, x := range keys {
		if x == k {
			return i
		}
	}
	return -1
}

func (p *jsonParser) str() (string, bool) {
	if !p.lit(`"`) {
		return "", false
	}
	var sb strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return sb.String(), true
		case c == '\\':
			if p.pos+1 >= len(p.s) {
				return "", false
			}
			e := p.s[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
				sb.WriteByte(e)
			case 'b':
				sb.WriteByte('\b')
			case 'f':
				sb.WriteByte('\f')
			case 'n':
				sb.WriteByte('\n')
			case 'r':
				sb.WriteByte('\r')
			case 't':
				sb.WriteByte('\t')
			case 'u':
				if p.pos+4 > len(p.s) {
					return "", false
				}
				r, err := strconv.ParseUint(p.s[p.pos:p.pos+4], 16, 16)
				if err != nil {
					return "", false
				}
				p.pos += 4
				if r >= 0xD800 && r < 0xDC00 && strings.HasPrefix(p.s[p.pos:], `\u`) && p.pos+6 <= len(p.s) {
					if lo, err := strconv.ParseUint(p.s[p.pos+2:p.pos+6], 16, 16); err == nil && lo >= 0xDC00 && lo < 0xE000 {
						p.pos += 6
						sb.WriteRune(rune((r-0xD800)<<10 + (lo - 0xDC00) + 0x10000))
						continue
					}
				}
				sb.WriteRune(rune(r))
			default:
				return "", false
			}
		case c < 0x20:
			return "", false
		default:
			sb.WriteByte(c)
			p.pos++
		}
	}
	return "", false
}

// writeJSON writes n compactly, as Jackson's toString does.
func writeJSON(sb *strings.Builder, n *jsonNode) {
	switch n.kind {
	case jNull:
		sb.WriteString("null")
	case jBool:
		sb.WriteString(strconv.FormatBool(n.b))
	case jNumber:
		sb.WriteString(n.text)
	case jString:
		writeJSONString(sb, n.text)
	case jArray:
		sb.WriteByte('[')
		for i, it := range n.items {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeJSON(sb, it)
		}
		sb.WriteByte(']')
	case jObject:
		sb.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeJSONString(sb, k)
			sb.WriteByte(':')
			writeJSON(sb, n.items[i])
		}
		sb.WriteByte('}')
	}
}

func jsonText(n *jsonNode) string {
	var sb strings.Builder
	writeJSON(&sb, n)
	return sb.String()
}

func writeJSONString(sb *strings.Builder, s string) {
	const hexd = "0123456789ABCDEF"
	sb.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			sb.WriteRune(r)
			i += n
			continue
		}
		switch c {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		default:
			if c < 0x20 {
				sb.WriteString(`\u00`)
				sb.WriteByte(hexd[c>>4])
				sb.WriteByte(hexd[c&15])
			} else {
				sb.WriteByte(c)
			}
		}
		i++
	}
	sb.WriteByte('"')
}

// --- functions -------------------------------------------------------------------------------

func init() {
	register(
		fn("EXTRACTJSONFIELD", CategoryJSON, "Extracts a value from JSON text with a JSONPath ($.a.b[0]); strings come back unquoted, other values as JSON text; NULL when absent.",
			"EXTRACTJSONFIELD('{\"a\": {\"b\": 1}}', '$.a.b') = '1'",
			sig(stringT, i2(strict2(extractJSONField)), P("json", tString), P("path", tString))),
		fn("IS_JSON_STRING", CategoryJSON, "Reports whether a string is valid JSON.", "IS_JSON_STRING('[1, 2]') = true",
			sig(types.BooleanType, i1(func(a types.Value) (types.Value, error) {
				s, ok := a.(string)
				if !ok {
					return false, nil
				}
				_, valid := parseJSON(s)
				return valid, nil
			}), P("json", tString))),
		fn("JSON_ARRAY_LENGTH", CategoryJSON, "Returns the length of a JSON array, NULL for anything else.", "JSON_ARRAY_LENGTH('[1, 2]') = 2",
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) {
				n, ok := parseJSON(a.(string))
				if !ok || n.kind != jArray {
					return nil, nil
				}
				return int32(len(n.items)), nil
			})), P("json", tString))),
		fn("JSON_ARRAY_CONTAINS", CategoryJSON, "Reports whether a JSON array contains a value (compared as JSON: numbers by value, strings by text).",
			"JSON_ARRAY_CONTAINS('[1, 2]', 2) = true",
			sigRule("BOOLEAN", func([]types.Type, bindings) (types.Type, error) { return types.BooleanType, nil },
				i2(jsonArrayContains), P("jsonArray", tString), P("val", tT))),
		fn("JSON_KEYS", CategoryJSON, "Returns the keys of a JSON object, NULL for anything else.", "JSON_KEYS('{\"a\": 1}') = ['a']",
			sig(types.ArrayOf(stringT), i1(strict1(func(a types.Value) (types.Value, error) {
				n, ok := parseJSON(a.(string))
				if !ok || n.kind != jObject {
					return nil, nil
				}
				out := make([]any, len(n.keys))
				for i, k := range n.keys {
					out[i] = k
				}
				return out, nil
			})), P("json", tString))),
		fn("JSON_ITEMS", CategoryJSON, "Returns the elements of a JSON array as JSON texts, NULL for anything else.", "JSON_ITEMS('[{\"a\": 1}]') = ['{\"a\":1}']",
			sig(types.ArrayOf(stringT), i1(strict1(func(a types.Value) (types.Value, error) {
				n, ok := parseJSON(a.(string))
				if !ok || n.kind != jArray {
					return nil, nil
				}
				out := make([]any, len(n.items))
				for i, it := range n.items {
					out[i] = jsonText(it)
				}
				return out, nil
			})), P("json", tString))),
		fn("JSON_RECORDS", CategoryJSON, "Returns the top-level entries of a JSON object as a map of key to value text, NULL for anything else.",
			"JSON_RECORDS('{\"a\": 1}') = {a=1}",
			sig(types.MapOf(stringT, stringT), i1(strict1(func(a types.Value) (types.Value, error) {
				n, ok := parseJSON(a.(string))
				if !ok || n.kind != jObject {
					return nil, nil
				}
				m := &types.MapValue{Keys: make([]any, 0, len(n.keys)), Values: make([]any, 0, len(n.keys))}
				for i, k := range n.keys {
					m.Keys = append(m.Keys, k)
					m.Values = append(m.Values, nodeText(n.items[i]))
				}
				return m, nil
			})), P("json", tString))),
		fn("JSON_CONCAT", CategoryJSON, "Merges JSON objects (later keys win) or concatenates JSON arrays (other values become elements); NULL if any input is not JSON.",
			"JSON_CONCAT('{\"a\": 1}', '{\"b\": 2}') = '{\"a\":1,\"b\":2}'",
			variadic(sig(stringT, iN(jsonConcat), P("json", tString)))),
		fn("TO_JSON_STRING", CategoryJSON, "Serializes any value as JSON text (DATE, TIME and TIMESTAMP as ISO strings, BYTES as base64).",
			"TO_JSON_STRING(ARRAY[1, 2]) = '[1,2]'",
			sig(stringT, func(args []types.Type, _ types.Type) impl {
				t := args[0]
				return impl{f1: func(a types.Value) (types.Value, error) {
					var sb strings.Builder
					writeValueJSON(&sb, a, t)
					return sb.String(), nil
				}}
			}, P("val", tT))),
	)
}

// nodeText is what ksqlDB returns for an extracted node: a string's text, else JSON.
func nodeText(n *jsonNode) string {
	if n.kind == jString {
		return n.text
	}
	return jsonText(n)
}

// jsonPath tokenizes $.a.b[0]['c'].
func jsonPath(path string) ([]string, bool) {
	if !strings.HasPrefix(path, "$") {
		return nil, false
	}
	var toks []string
	p := path[1:]
	for p != "" {
		switch p[0] {
		case '.':
			end := strings.IndexAny(p[1:], ".[")
			if end < 0 {
				end = len(p) - 1
			}
			toks = append(toks, p[1:end+1])
			p = p[end+1:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, false
			}
			tok := strings.TrimSpace(p[1:end])
			if len(tok) >= 2 && (tok[0] == '\'' || tok[0] == '"') && tok[len(tok)-1] == tok[0] {
				tok = tok[1 : len(tok)-1]
			}
			toks = append(toks, tok)
			p = p[end+1:]
		default:
			return nil, false
		}
	}
	return toks, true
}

func extractJSONField(jv, pv types.Value) (types.Value, error) {
	toks, ok := jsonPath(pv.(string))
	if !ok {
		return nil, fnError("EXTRACTJSONFIELD", "Invalid JsonPath: %s", pv.(string))
	}
	n, ok := parseJSON(jv.(string))
	if !ok {
		return nil, nil
	}
	for _, t := range toks {
		switch n.kind {
		case jArray:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(n.items) {
				return nil, nil
			}
			n = n.items[i]
		case jObject:
			if n = n.get(t); n == nil {
				return nil, nil
			}
		default:
			return nil, nil
		}
	}
	if n.kind == jNull {
		return nil, nil
	}
	return nodeText(n), nil
}

func jsonArrayContains(av, v types.Value) (types.Value, error) {
	s, ok := av.(string)
	if !ok {
		return false, nil
	}
	n, ok := parseJSON(s)
	if !ok || n.kind != jArray {
		return false, nil
	}
	for _, it := range n.items {
		switch x := v.(type) {
		case nil:
			if it.kind == jNull {
				return true, nil
			}
		case string:
			if it.kind == jString && it.text == x {
				return true, nil
			}
		case bool:
			if it.kind == jBool && it.b == x {
				return true, nil
			}
		case int32, int64:
			if it.kind == jNumber {
				if n, err := strconv.ParseInt(it.text, 10, 64); err == nil && n == decimalOf(x).IntPart() {
					return true, nil
				}
			}
		case float64:
			if it.kind == jNumber {
				if f, err := strconv.ParseFloat(it.text, 64); err == nil && f == x {
					return true, nil
				}
			}
		case decimal.Decimal:
			if it.kind == jNumber {
				if d, err := decimal.NewFromString(it.text); err == nil && d.Equal(x) {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

func jsonConcat(args []types.Value) (types.Value, error) {
	nodes := make([]*jsonNode, len(args))
	allObjects := true
	for i, a := range args {
		s, ok := a.(string)
		if !ok {
			return nil, nil
		}
		n, ok := parseJSON(s)
		if !ok {
			return nil, nil
		}
		nodes[i] = n
		allObjects = allObjects && n.kind == jObject
	}
	var out *jsonNode
	if allObjects {
		out = &jsonNode{kind: jObject}
		for _, n := range nodes {
			for i, k := range n.keys {
				if j := indexOf(out.keys, k); j >= 0 {
					out.items[j] = n.items[i]
				} else {
					out.keys = append(out.keys, k)
					out.items = append(out.items, n.items[i])
				}
			}
		}
	} else {
		out = &jsonNode{kind: jArray, items: []*jsonNode{}}
		for _, n := range nodes {
			if n.kind == jArray {
				out.items = append(out.items, n.items...)
			} else {
				out.items = append(out.items, n)
			}
		}
	}
	return jsonText(out), nil
}

// writeValueJSON serializes a SQL value as ksqlDB's TO_JSON_STRING does.
func writeValueJSON(sb *strings.Builder, v types.Value, t types.Type) {
	switch x := v.(type) {
	case nil:
		sb.WriteString("null")
	case string:
		writeJSONString(sb, x)
	case bool:
		sb.WriteString(strconv.FormatBool(x))
	case int32:
		sb.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		sb.WriteString(strconv.FormatInt(x, 10))
	case float64:
		s := javaDouble(x)
		if strings.ContainsAny(s, "NI") {
			writeJSONString(sb, s)
		} else {
			sb.WriteString(s)
		}
	case decimal.Decimal:
		sb.WriteString(x.StringFixed(int32(t.Scale)))
	case []byte:
		writeJSONString(sb, base64.StdEncoding.EncodeToString(x))
	case types.TimestampMillis:
		writeJSONString(sb, formatTimestampISO(int64(x)))
	case types.DateDays:
		writeJSONString(sb, formatDateISO(int32(x)))
	case types.TimeMillis:
		writeJSONString(sb, formatTimeISO(int64(x)))
	case []any:
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeValueJSON(sb, e, elemType(t))
		}
		sb.WriteByte(']')
	case *types.MapValue:
		sb.WriteByte('{')
		for i, k := range x.Keys {
			if i > 0 {
				sb.WriteByte(',')
			}
			ks, isStr := k.(string)
			if !isStr {
				ks = javaString(k, *t.Key)
			}
			writeJSONString(sb, ks)
			sb.WriteByte(':')
			writeValueJSON(sb, x.Values[i], elemType(t))
		}
		sb.WriteByte('}')
	case types.StructValue:
		sb.WriteByte('{')
		for i, f := range t.Fields {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeJSONString(sb, f.Name)
			sb.WriteByte(':')
			var fv types.Value
			if i < len(x) {
				fv = x[i]
			}
			writeValueJSON(sb, fv, f.Type)
		}
		sb.WriteByte('}')
	}
}
