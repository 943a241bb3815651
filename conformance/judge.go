package conformance

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/types"
)

// gotRecord is an output record as the judge shows it in reports.
type gotRecord struct {
	Topic     string   `json:"topic"`
	Key       any      `json:"key"`
	Value     any      `json:"value"`
	Timestamp int64    `json:"timestamp"`
	Headers   []Header `json:"headers,omitempty"`
}

func checkOutputs(ctx context.Context, b broker.Broker, cat *catalog.Catalog, c *Case) (string, any, any) {
	byTopic := map[string][]Record{}
	var order []string
	for _, o := range c.Outputs {
		if _, ok := byTopic[o.Topic]; !ok {
			order = append(order, o.Topic)
		}
		byTopic[o.Topic] = append(byTopic[o.Topic], o)
	}
	for _, topic := range order {
		want := byTopic[topic]
		recs, err := readTopic(ctx, b, topic)
		if err != nil {
			return "reading output topic " + topic + ": " + err.Error(), nil, nil
		}
		src := sinkForTopic(cat, topic)
		got := make([]gotRecord, 0, len(recs))
		for _, r := range recs {
			got = append(got, describeRecord(r, src))
		}
		if len(recs) != len(want) {
			return fmt.Sprintf("topic %s: expected %d records, got %d", topic, len(want), len(recs)), want, got
		}
		for i := range want {
			if why := compareRecord(want[i], recs[i], src); why != "" {
				return fmt.Sprintf("topic %s record %d: %s", topic, i, why), want[i], got[i]
			}
		}
	}
	return "", nil, nil
}

func sinkForTopic(cat *catalog.Catalog, topic string) *catalog.Source {
	var found *catalog.Source
	for _, s := range cat.Sources("") {
		if s.Topic == topic && (found == nil || len(s.WriterQueries) > 0) {
			found = s
		}
	}
	return found
}

// readTopic reads every record of every partition, partition by partition.
func readTopic(ctx context.Context, b broker.Broker, topic string) ([]broker.Record, error) {
	offs, err := b.Offsets(ctx, topic)
	if err != nil {
		return nil, err
	}
	var out []broker.Record
	for p, o := range offs {
		off := o.Earliest
		for off < o.Latest {
			res, err := b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: int32(p), Offset: off, MaxRecords: 10000, MaxBytes: 64 << 20, MaxWait: time.Second})
			if err != nil {
				return nil, err
			}
			out = append(out, res.Records...)
			if res.NextOffset <= off {
				break
			}
			off = res.NextOffset
		}
	}
	return out, nil
}

func compareRecord(want Record, got broker.Record, src *catalog.Source) string {
	keyFormat, valueFormat := "JSON", "JSON"
	var keyCols, valueCols []catalog.Column
	if src != nil {
		keyFormat, valueFormat = src.KeyFormat.Name, src.ValueFormat.Name
		keyCols, valueCols = src.KeyColumns(), src.ValueColumns()
	}
	if want.Window != nil {
		key, why := splitWindow(want.Window, got.Key, src)
		if why != "" {
			return why
		}
		got.Key = key
	}
	if !want.HasKey {
		if got.Key != nil && !strings.EqualFold(keyFormat, "NONE") {
			return fmt.Sprintf("expected a null key, got %q", got.Key)
		}
	} else if why := compareBytes(want.Key, got.Key, keyFormat, keyCols); why != "" {
		return "key: " + why
	}
	if isJSONNull(want.Value) {
		if got.Value != nil {
			return fmt.Sprintf("expected a tombstone, got %q", got.Value)
		}
	} else if why := compareBytes(want.Value, got.Value, valueFormat, valueCols); why != "" {
		return "value: " + why
	}
	if want.Timestamp != nil && *want.Timestamp != got.Timestamp.UnixMilli() {
		return fmt.Sprintf("timestamp: expected %d, got %d", *want.Timestamp, got.Timestamp.UnixMilli())
	}
	if want.Headers != nil {
		if len(want.Headers) != len(got.Headers) {
			return fmt.Sprintf("headers: expected %d, got %d", len(want.Headers), len(got.Headers))
		}
		for i, h := range want.Headers {
			g := got.Headers[i]
			if h.Key != g.Key || (h.Value == nil) != (g.Value == nil) {
				return fmt.Sprintf("header %d differs", i)
			}
			if h.Value != nil {
				wb, _ := base64.StdEncoding.DecodeString(*h.Value)
				if !bytes.Equal(wb, g.Value) {
					return fmt.Sprintf("header %d value differs", i)
				}
			}
		}
	}
	return ""
}

func compareBytes(want json.RawMessage, got []byte, format string, cols []catalog.Column) string {
	if got == nil {
		return "expected " + string(want) + ", got null"
	}
	switch strings.ToUpper(format) {
	case "DELIMITED":
		var w string
		if err := json.Unmarshal(want, &w); err != nil {
			w = string(want)
		}
		if w != string(got) {
			return fmt.Sprintf("expected %q, got %q", w, got)
		}
		return ""
	case "KAFKA":
		t := types.StringType
		if len(cols) == 1 {
			t = cols[0].Type
		}
		g, err := decodeKafkaPrimitive(got, t)
		if err != nil {
			return err.Error()
		}
		return compareJSON(want, g, t)
	case "NONE":
		return ""
	default:
		return compareJSON(want, got, schemaType(cols))
	}
}

func decodeKafkaPrimitive(b []byte, t types.Type) ([]byte, error) {
	switch t.Kind {
	case types.Int:
		if len(b) != 4 {
			return nil, fmt.Errorf("KAFKA INT must be 4 bytes, got %d", len(b))
		}
		return []byte(fmt.Sprint(int32(binary.BigEndian.Uint32(b)))), nil
	case types.Bigint:
		if len(b) != 8 {
			return nil, fmt.Errorf("KAFKA BIGINT must be 8 bytes, got %d", len(b))
		}
		return []byte(fmt.Sprint(int64(binary.BigEndian.Uint64(b)))), nil
	case types.Double:
		if len(b) != 8 {
			return nil, fmt.Errorf("KAFKA DOUBLE must be 8 bytes, got %d", len(b))
		}
		return json.Marshal(math.Float64frombits(binary.BigEndian.Uint64(b)))
	default:
		return json.Marshal(string(b))
	}
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// schemaType is the type of a serialized key or value: the struct of its columns (the
// unwrapped single column is handled by jsonEqualTyped, which accepts either).
func schemaType(cols []catalog.Column) types.Type {
	fields := make([]types.Field, len(cols))
	for i, c := range cols {
		fields[i] = types.Field{Name: c.Name, Type: c.Type}
	}
	return types.StructOf(fields...)
}

func compareJSON(want json.RawMessage, got []byte, t types.Type) string {
	w, err := decodeJSON(want)
	if err != nil {
		return "bad expected JSON: " + err.Error()
	}
	g, err := decodeJSON(got)
	if err != nil {
		return fmt.Sprintf("output is not JSON (%v): %q", err, got)
	}
	if !jsonEqualTyped(w, g, t) {
		return fmt.Sprintf("expected %s, got %s", compact(want), got)
	}
	return ""
}

// jsonEqualTyped is jsonEqual knowing the schema: where ksqlDB's type is DOUBLE, an expected
// whole number equals the same value written as a double (1000000000000 and 1.0E12), which is
// how ksqlDB's own driver compares them. t may be the zero Type (unknown).
func jsonEqualTyped(w, g any, t types.Type) bool {
	if t.Kind == types.Struct && len(t.Fields) == 1 {
		// A single column may be written unwrapped: then the value is not an object holding
		// a member named after the column.
		if m, isObj := g.(map[string]any); !isObj {
			t = t.Fields[0].Type
		} else if _, wrapped := fieldOf(m, t.Fields[0].Name); !wrapped {
			t = t.Fields[0].Type
		}
	}
	switch x := w.(type) {
	case string:
		// ksqlDB's tests write expected DECIMAL values as strings ("3.40"): they equal the
		// same digits written as a JSON number.
		if y, ok := g.(json.Number); ok && t.Kind == types.Decimal {
			return x == string(y)
		}
	case json.Number:
		y, ok := g.(json.Number)
		if ok && t.Kind == types.Double {
			a, errA := strconv.ParseFloat(string(x), 64)
			b, errB := strconv.ParseFloat(string(y), 64)
			if errA == nil && errB == nil && (a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))) {
				return true
			}
		}
	case map[string]any:
		y, ok := g.(map[string]any)
		if !ok {
			break
		}
		if t.Kind == types.Struct && len(t.Fields) > 0 {
			// ksqlDB's driver reads the expected record with the sink's schema: fields the
			// schema lacks are ignored and missing ones are NULL. Compare the same way.
			for _, f := range t.Fields {
				ev, _ := fieldOf(x, f.Name)
				gv, _ := fieldOf(y, f.Name)
				if !jsonEqualTyped(ev, gv, f.Type) {
					return false
				}
			}
			for k := range y {
				if _, ok := fieldByName(t, k); !ok {
					return false // we wrote a field the schema does not have
				}
			}
			return true
		}
		if len(x) != len(y) {
			break
		}
		for k, v := range x {
			gv, ok := y[k]
			if !ok {
				gv, ok = foldedField(y, k)
			}
			if !ok || !jsonEqualTyped(v, gv, fieldType(t, k)) {
				return false
			}
		}
		return true
	case []any:
		y, ok := g.([]any)
		if !ok || len(x) != len(y) || t.Elem == nil {
			break
		}
		for i := range x {
			if !jsonEqualTyped(x[i], y[i], *t.Elem) {
				return false
			}
		}
		return true
	}
	return jsonEqual(w, g)
}

// fieldType is the type of member k of a struct or map type (zero when unknown).
func fieldType(t types.Type, k string) types.Type {
	switch t.Kind {
	case types.Struct:
		for _, f := range t.Fields {
			if strings.EqualFold(f.Name, k) {
				return f.Type
			}
		}
	case types.Map:
		if t.Elem != nil {
			return *t.Elem
		}
	}
	return types.Type{}
}

func compact(b []byte) string {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}

// jsonEqual compares decoded JSON. Numbers compare by value, except that an integer written
// where a fraction was expected is accepted only if equal, and a fraction where an integer was
// expected is a mismatch (ksqlDB writes INT columns without a decimal point).
func jsonEqual(w, g any) bool {
	switch x := w.(type) {
	case json.Number:
		y, ok := g.(json.Number)
		if !ok {
			return false
		}
		if isIntegerLiteral(x) && !isIntegerLiteral(y) {
			return false
		}
		a, _, errA := big.ParseFloat(string(x), 10, 200, big.ToNearestEven)
		b, _, errB := big.ParseFloat(string(y), 10, 200, big.ToNearestEven)
		if errA != nil || errB != nil {
			return string(x) == string(y)
		}
		if a.Cmp(b) == 0 {
			return true
		}
		// Doubles printed by different runtimes may differ in the last digit.
		fa, _ := a.Float64()
		fb, _ := b.Float64()
		return !isIntegerLiteral(x) && math.Abs(fa-fb) <= 1e-12*math.Max(math.Abs(fa), math.Abs(fb))
	case map[string]any:
		y, ok := g.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			gv, ok := y[k]
			if !ok {
				// ksqlDB's own test driver reads JSON objects the way its JSON format
				// does, matching field names case-insensitively: the corpus has
				// expectations such as {"json_v": ...} for a column JSON_V.
				gv, ok = foldedField(y, k)
			}
			if !ok || !jsonEqual(v, gv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := g.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	default:
		return w == g
	}
}

func isIntegerLiteral(n json.Number) bool { return !strings.ContainsAny(string(n), ".eE") }

func describeRecord(r broker.Record, src *catalog.Source) gotRecord {
	g := gotRecord{Topic: r.Topic, Timestamp: r.Timestamp.UnixMilli()}
	show := func(b []byte, format string, cols []catalog.Column) any {
		if b == nil {
			return nil
		}
		if strings.EqualFold(format, "KAFKA") && len(cols) == 1 {
			if d, err := decodeKafkaPrimitive(b, cols[0].Type); err == nil {
				b = d
			}
		}
		if v, err := decodeJSON(b); err == nil {
			return v
		}
		return string(b)
	}
	if src != nil {
		g.Key = show(r.Key, src.KeyFormat.Name, src.KeyColumns())
		g.Value = show(r.Value, src.ValueFormat.Name, src.ValueColumns())
	} else {
		g.Key, g.Value = show(r.Key, "", nil), show(r.Value, "", nil)
	}
	for _, h := range r.Headers {
		hh := Header{Key: h.Key}
		if h.Value != nil {
			s := base64.StdEncoding.EncodeToString(h.Value)
			hh.Value = &s
		}
		g.Headers = append(g.Headers, hh)
	}
	return g
}

var (
	spaces      = regexp.MustCompile(`\s+`)
	commaSpaces = regexp.MustCompile(`\s*,\s*`)
)

// normalizeSchema makes DESCRIBE-style schemas comparable: case, quoting, spacing and the
// INT/INTEGER, VARCHAR/STRING and PRIMARY KEY/KEY spellings do not matter.
func normalizeSchema(s string) string {
	s = strings.ToUpper(strings.ReplaceAll(s, "`", ""))
	s = spaces.ReplaceAllString(s, " ")
	s = commaSpaces.ReplaceAllString(s, ",")
	s = strings.ReplaceAll(s, "INTEGER", "INT")
	s = strings.ReplaceAll(s, "VARCHAR", "STRING")
	s = strings.ReplaceAll(s, "PRIMARY KEY", "KEY")
	s = strings.ReplaceAll(s, "< ", "<")
	s = strings.ReplaceAll(s, " >", ">")
	return strings.TrimSpace(s)
}

func checkPostSources(cat *catalog.Catalog, c *Case) (string, any, any) {
	if c.Post == nil {
		return "", nil, nil
	}
	for _, want := range c.Post.Sources {
		src, ok := cat.Source(want.Name)
		if !ok {
			names := []string{}
			for _, s := range cat.Sources("") {
				names = append(names, s.Name)
			}
			sort.Strings(names)
			return "post: source " + want.Name + " does not exist", want, names
		}
		if want.Type != "" && !strings.EqualFold(want.Type, string(src.Kind)) {
			return "post: source " + want.Name + " kind", want.Type, src.Kind
		}
		if want.Schema != "" && normalizeSchema(want.Schema) != normalizeSchema(src.SchemaString()) {
			return "post: source " + want.Name + " schema", want.Schema, src.SchemaString()
		}
	}
	return "", nil, nil
}

// foldedField finds the one field of m whose name equals k ignoring case.
func foldedField(m map[string]any, k string) (any, bool) {
	var found any
	n := 0
	for name, v := range m {
		if strings.EqualFold(name, k) {
			found = v
			n++
		}
	}
	return found, n == 1
}

// fieldOf finds member k exactly, else ignoring case.
func fieldOf(m map[string]any, k string) (any, bool) {
	if v, ok := m[k]; ok {
		return v, true
	}
	return foldedField(m, k)
}

func fieldByName(t types.Type, k string) (types.Field, bool) {
	for _, f := range t.Fields {
		if strings.EqualFold(f.Name, k) {
			return f, true
		}
	}
	return types.Field{}, false
}

// splitWindow checks the window a windowed key carries (Kafka Streams' layout: the start for
// time windows; the end then the start for sessions) and returns the key without it.
func splitWindow(w *Window, key []byte, src *catalog.Source) ([]byte, string) {
	session := strings.EqualFold(w.Type, "session")
	n := 8
	if session {
		n = 16
	}
	if len(key) < n {
		return nil, fmt.Sprintf("expected a windowed key (%s window), got %q", w.Type, key)
	}
	suffix := key[len(key)-n:]
	var start, end int64
	if session {
		end = int64(binary.BigEndian.Uint64(suffix))
		start = int64(binary.BigEndian.Uint64(suffix[8:]))
	} else {
		start = int64(binary.BigEndian.Uint64(suffix))
		end = w.End
		if src != nil && src.Window != nil && src.Window.SizeMs > 0 {
			end = start + src.Window.SizeMs
		}
	}
	if start != w.Start || end != w.End {
		return nil, fmt.Sprintf("window: expected [%d, %d], got [%d, %d]", w.Start, w.End, start, end)
	}
	return key[:len(key)-n], ""
}
