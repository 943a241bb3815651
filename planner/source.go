package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/exec/serde"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// TopicInfo tells the planner what it needs to know of a topic: whether it exists and its
// partition count.
type TopicInfo func(name string) (partitions int32, exists bool)

// Context is what planning a statement needs from the engine.
type Context struct {
	Catalog *catalog.Catalog
	// Properties are the effective ksqlDB properties (server defaults overridden by SET).
	Properties map[string]string
	Topic      TopicInfo
}

func (c *Context) prop(name string) string { return c.Properties[name] }

// reserved names are pseudo columns a user may not declare.
var reserved = map[string]bool{"ROWTIME": true, "ROWPARTITION": true, "ROWOFFSET": true, "WINDOWSTART": true, "WINDOWEND": true}

var knownProperties = map[string]bool{
	"kafka_topic": true, "value_format": true, "key_format": true, "format": true, "partitions": true,
	"replicas": true, "timestamp": true, "timestamp_format": true, "value_delimiter": true,
	"key_delimiter": true, "wrap_single_value": true, "retention_ms": true, "cleanup_policy": true,
	"key_schema_id": true, "value_schema_id": true, "key_schema_full_name": true, "value_schema_full_name": true,
	"value_avro_schema_full_name": true, "window_type": true, "window_size": true, "source_connector": true,
}

// CreatedSource is the outcome of planning CREATE STREAM/TABLE: the source to register and
// whether its topic must be created first.
type CreatedSource struct {
	Source      *catalog.Source
	CreateTopic bool
}

func propString(p ast.Properties, name string) (string, bool) {
	l, ok := p[name]
	if !ok || l == nil {
		return "", false
	}
	return l.Text, true
}

func propInt(p ast.Properties, name string) (int64, bool, error) {
	l, ok := p[name]
	if !ok || l == nil {
		return 0, false, nil
	}
	if l.Kind == ast.IntegerLit {
		return l.Int, true, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(l.Text), 10, 64)
	if err != nil {
		return 0, true, types.ErrorAt(types.CodeInvalidParameter, l.Pos(), "Invalid value for %s: %s is not a number", strings.ToUpper(name), l.Text)
	}
	return n, true, nil
}

func propBool(p ast.Properties, name string) (*bool, error) {
	l, ok := p[name]
	if !ok || l == nil {
		return nil, nil
	}
	var v bool
	switch {
	case l.Kind == ast.BoolLit:
		v = l.Bool
	case strings.EqualFold(l.Text, "true"):
		v = true
	case strings.EqualFold(l.Text, "false"):
		v = false
	default:
		return nil, types.ErrorAt(types.CodeInvalidParameter, l.Pos(), "Invalid value for %s: %s is not a boolean", strings.ToUpper(name), l.Text)
	}
	return &v, nil
}

// formats reads the key and value formats of a WITH clause, falling back to inherit (the
// source's formats, for CREATE ... AS SELECT) and then to ksqlDB's defaults.
func formats(c *Context, with ast.Properties, inheritKey, inheritValue *catalog.Format) (key, value catalog.Format, err error) {
	f, hasFormat := propString(with, "format")
	kf, hasKey := propString(with, "key_format")
	vf, hasValue := propString(with, "value_format")
	if hasFormat && (hasKey || hasValue) {
		which := "KEY_FORMAT"
		if hasValue {
			which = "VALUE_FORMAT"
		}
		return key, value, types.Errorf(types.CodeInvalidParameter, "Cannot supply both '%s' and 'FORMAT' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.", which)
	}
	if hasFormat {
		kf, vf, hasKey, hasValue = f, f, true, true
	}
	switch {
	case hasValue:
		value.Name = strings.ToUpper(vf)
	case inheritValue != nil:
		value = *inheritValue
	default:
		if d := c.prop("ksql.persistence.default.format.value"); d != "" {
			value.Name = strings.ToUpper(d)
		} else {
			return key, value, types.Errorf(types.CodeInvalidParameter, "Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either provide one or set a default via the 'ksql.persistence.default.format.value' config.")
		}
	}
	switch {
	case hasKey:
		key.Name = strings.ToUpper(kf)
	case inheritKey != nil:
		key = *inheritKey
	default:
		key.Name = "KAFKA"
		if d := c.prop("ksql.persistence.default.format.key"); d != "" {
			key.Name = strings.ToUpper(d)
		}
	}
	if d, ok := propString(with, "value_delimiter"); ok {
		if value.Name != "DELIMITED" {
			return key, value, types.Errorf(types.CodeInvalidParameter, "%s does not support the following configs: [delimiter]", value.Name)
		}
		value.Delimiter = d
		if _, err := serde.ParseDelimiter(d, false); err != nil {
			return key, value, err
		}
	}
	if d, ok := propString(with, "key_delimiter"); ok {
		if key.Name != "DELIMITED" {
			return key, value, types.Errorf(types.CodeInvalidParameter, "%s does not support the following configs: [delimiter]", key.Name)
		}
		key.Delimiter = d
		if _, err := serde.ParseDelimiter(d, true); err != nil {
			return key, value, err
		}
	}
	if w, err := propBool(with, "wrap_single_value"); err != nil {
		return key, value, err
	} else if w != nil {
		value.WrapSingleValue = w
	}
	return key, value, nil
}

// wrapDefault applies ksql.persistence.wrap.single.values to a source with one value column
// whose statement did not say WRAP_SINGLE_VALUE.
func wrapDefault(c *Context, src *catalog.Source) {
	d := c.prop("ksql.persistence.wrap.single.values")
	if d == "" || src.ValueFormat.WrapSingleValue != nil || len(src.ValueColumns()) != 1 {
		return
	}
	w := strings.EqualFold(d, "true")
	src.ValueFormat.WrapSingleValue = &w
}

// checkCodecs validates the columns against the formats, as ksqlDB does at CREATE time.
func checkCodecs(src *catalog.Source) error {
	if _, err := keyCodec(src); err != nil {
		return err
	}
	if _, err := valueCodec(src); err != nil {
		return err
	}
	return nil
}

func fieldsOf(cols []catalog.Column) []types.Field {
	out := make([]types.Field, len(cols))
	for i, c := range cols {
		out[i] = types.Field{Name: c.Name, Type: c.Type}
	}
	return out
}

func keyCodec(src *catalog.Source) (*serde.Codec, error) {
	return serde.NewCodec(serde.Options{Format: src.KeyFormat.Name, IsKey: true, Delimiter: src.KeyFormat.Delimiter}, fieldsOf(src.KeyColumns()))
}

func valueCodec(src *catalog.Source) (*serde.Codec, error) {
	return serde.NewCodec(serde.Options{Format: src.ValueFormat.Name, Delimiter: src.ValueFormat.Delimiter, WrapSingleValue: src.ValueFormat.WrapSingleValue}, fieldsOf(src.ValueColumns()))
}

// PlanCreateSource checks a CREATE STREAM/TABLE and builds the source it declares.
func PlanCreateSource(c *Context, st *ast.CreateSource) (*CreatedSource, error) {
	name := st.Name.Name
	kind := catalog.Stream
	if st.Kind == ast.KindTable {
		kind = catalog.Table
	}
	for k, v := range st.With {
		if !knownProperties[k] {
			return nil, types.ErrorAt(types.CodeInvalidParameter, v.Pos(), "Invalid config variable(s) in the WITH clause: %s", strings.ToUpper(k))
		}
	}
	topic, ok := propString(st.With, "kafka_topic")
	if !ok {
		return nil, types.ErrorAt(types.CodeInvalidParameter, st.Pos(), "Missing required property \"KAFKA_TOPIC\" which has no default value.")
	}
	src := &catalog.Source{Name: name, Kind: kind, Topic: topic, Statement: st.Text(), ReadOnly: st.ReadOnly}
	seen := map[string]bool{}
	hasKey := false
	for _, cd := range st.Columns {
		cn := cd.Name.Name
		if reserved[strings.ToUpper(cn)] {
			return nil, types.ErrorAt(types.CodeInvalidParameter, cd.Name.Pos, "'%s' is a reserved column name. You cannot use it as a name for a column.", cn)
		}
		if seen[cn] {
			return nil, types.ErrorAt(types.CodeDuplicateColumn, cd.Name.Pos, "Duplicate column names: %s", cn)
		}
		seen[cn] = true
		t := cd.Type
		if cd.TypeRef != nil {
			var err error
			t, err = cd.TypeRef.Resolve(c.Catalog.Type)
			if err != nil {
				return nil, err
			}
		}
		col := catalog.Column{Name: cn, Type: t, Role: catalog.RoleValue}
		switch {
		case cd.Key && kind == catalog.Table:
			return nil, types.ErrorAt(types.CodeInvalidParameter, cd.Name.Pos, "Column `%s` is a 'KEY' column: please use 'PRIMARY KEY' for tables.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.", cn)
		case cd.PrimaryKey && kind == catalog.Stream:
			return nil, types.ErrorAt(types.CodeInvalidParameter, cd.Name.Pos, "Column `%s` is a 'PRIMARY KEY' column: please use 'KEY' for streams.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.", cn)
		case cd.Key || cd.PrimaryKey:
			col.Role = catalog.RoleKey
			hasKey = true
		case cd.Headers:
			col.Role = catalog.RoleHeader
			col.HeaderKey = cd.HeaderKey
			if cd.HeaderKey == "" && !t.Equal(types.ArrayOf(types.StructOf(types.Field{Name: "KEY", Type: types.StringType}, types.Field{Name: "VALUE", Type: types.BytesType}))) {
				return nil, types.ErrorAt(types.CodeDatatypeMismatch, cd.Name.Pos, "Invalid type for HEADERS column: expected ARRAY<STRUCT<`KEY` STRING, `VALUE` BYTES>>, got %s", t)
			}
			if cd.HeaderKey != "" && t.Kind != types.Bytes {
				return nil, types.ErrorAt(types.CodeDatatypeMismatch, cd.Name.Pos, "Invalid type for HEADER('%s') column: expected BYTES, got %s", cd.HeaderKey, t)
			}
		}
		src.Columns = append(src.Columns, col)
	}
	if kind == catalog.Table && !hasKey && len(st.Columns) > 0 {
		return nil, types.ErrorAt(types.CodeInvalidParameter, st.Pos(), "Tables require a PRIMARY KEY. Please define the PRIMARY KEY.")
	}
	var err error
	src.KeyFormat, src.ValueFormat, err = formats(c, st.With, nil, nil)
	if err != nil {
		return nil, at(err, st)
	}
	if err := checkWindowAndSchemaProps(st.With, src, hasKey); err != nil {
		return nil, at(err, st)
	}
	if len(st.Columns) == 0 {
		return nil, types.ErrorAt(types.CodeInvalidParameter, st.Pos(), "No columns supplied.")
	}
	wrapDefault(c, src)
	if err := checkCodecs(src); err != nil {
		return nil, at(err, st)
	}
	if ts, ok := propString(st.With, "timestamp"); ok {
		col, _, found := src.Column(strings.ToUpper(ts))
		if !found {
			col, _, found = src.Column(ts)
		}
		if !found {
			return nil, types.ErrorAt(types.CodeUndefinedColumn, st.With["timestamp"].Pos(), "The TIMESTAMP column set in the WITH clause does not exist in the schema: '%s'", strings.ToUpper(ts))
		}
		src.TimestampColumn = col.Name
		tf, hasFormat := propString(st.With, "timestamp_format")
		switch {
		case hasFormat:
			if col.Type.Kind != types.String {
				return nil, types.ErrorAt(types.CodeDatatypeMismatch, st.With["timestamp"].Pos(), "Timestamp column, `%s`, should be of type STRING when TIMESTAMP_FORMAT is set", col.Name)
			}
			src.TimestampFormat = tf
		case col.Type.Kind != types.Bigint && col.Type.Kind != types.Timestamp:
			return nil, types.ErrorAt(types.CodeDatatypeMismatch, st.With["timestamp"].Pos(), "Timestamp column, `%s`, should be LONG(INT64), TIMESTAMP, or a String with a timestamp_format specified.", col.Name)
		}
	}
	out := &CreatedSource{Source: src}
	parts, hasParts, err := propInt(st.With, "partitions")
	if err != nil {
		return nil, err
	}
	existing, exists := c.Topic(topic)
	switch {
	case exists:
		src.Partitions = existing
		if hasParts && int32(parts) != existing {
			return nil, types.ErrorAt(types.CodeInvalidParameter, st.With["partitions"].Pos(), "A Kafka topic with the name '%s' already exists, with different partition/replica configuration than required. KSQL expects %d partitions (topic has %d).", topic, parts, existing)
		}
	case hasParts:
		if parts < 1 {
			return nil, types.ErrorAt(types.CodeInvalidParameter, st.With["partitions"].Pos(), "Invalid number of partitions: %d", parts)
		}
		src.Partitions = int32(parts)
		out.CreateTopic = true
	default:
		return nil, types.ErrorAt(types.CodeUndefinedTable, st.With["kafka_topic"].Pos(), "Kafka topic does not exist: %s", topic)
	}
	return out, nil
}

// Codecs returns the key and value codecs of a source, for writers outside a query
// (INSERT ... VALUES).
func Codecs(src *catalog.Source) (key, value *serde.Codec, err error) {
	if key, err = keyCodec(src); err != nil {
		return nil, nil, err
	}
	if value, err = valueCodec(src); err != nil {
		return nil, nil, err
	}
	return key, value, nil
}

// checkWindowAndSchemaProps validates WINDOW_TYPE/WINDOW_SIZE and the schema-registry-only
// properties the way ksqlDB does.
func checkWindowAndSchemaProps(with ast.Properties, src *catalog.Source, hasKey bool) error {
	for _, p := range []string{"value_avro_schema_full_name", "value_schema_full_name"} {
		if _, ok := propString(with, p); ok && src.ValueFormat.Name != "AVRO" && src.ValueFormat.Name != "PROTOBUF" {
			return types.Errorf(types.CodeInvalidParameter, "%s does not support the following configs: [fullSchemaName]", src.ValueFormat.Name)
		}
	}
	if _, ok := propString(with, "key_schema_full_name"); ok && src.KeyFormat.Name != "AVRO" && src.KeyFormat.Name != "PROTOBUF" {
		return types.Errorf(types.CodeInvalidParameter, "%s does not support the following configs: [fullSchemaName]", src.KeyFormat.Name)
	}
	wt, windowed := propString(with, "window_type")
	if !windowed {
		return nil
	}
	switch strings.ToUpper(wt) {
	case "SESSION", "TUMBLING", "HOPPING":
	default:
		return types.Errorf(types.CodeInvalidParameter, "Configuration WINDOW_TYPE is invalid: '%s'. Valid values are SESSION, HOPPING or TUMBLING.", wt)
	}
	src.Window = &catalog.Window{Type: catalog.WindowType(strings.ToUpper(wt))}
	if ws, ok := propString(with, "window_size"); ok {
		if err := checkDuration(ws); err != nil {
			return types.Errorf(types.CodeInvalidParameter, "Configuration WINDOW_SIZE is invalid: %v", err)
		}
		src.Window.SizeMs = durationMs(ws)
	}
	if !hasKey {
		return types.Errorf(types.CodeInvalidParameter, "Windowed sources require a key column.")
	}
	return nil
}

// durationMs converts a duration checked by checkDuration to milliseconds.
func durationMs(s string) int64 {
	f := strings.Fields(s)
	n, _ := strconv.ParseInt(f[0], 10, 64)
	switch strings.TrimSuffix(strings.ToUpper(f[1]), "S") {
	case "SECOND":
		n *= 1000
	case "MINUTE":
		n *= 60_000
	case "HOUR":
		n *= 3_600_000
	case "DAY":
		n *= 86_400_000
	}
	return n
}

// checkDuration checks a ksqlDB duration such as '30 SECONDS'.
func checkDuration(s string) error {
	f := strings.Fields(s)
	if len(f) != 2 {
		return fmt.Errorf("Invalid duration: '%s'. Expected '<value> <unit>'", s)
	}
	if _, err := strconv.ParseInt(f[0], 10, 64); err != nil {
		return fmt.Errorf("Invalid duration: '%s'. Not a number: '%s'", s, f[0])
	}
	unit := strings.ToUpper(f[1])
	switch strings.TrimSuffix(unit, "S") {
	case "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY":
		return nil
	}
	return fmt.Errorf("Invalid duration: '%s'. Unknown time unit: '%s'", s, unit)
}
