package serde

import (
	"strings"
	"unicode/utf8"

	"github.com/streamsql/streamsql/types"
)

// NewCodec checks that the format can carry the fields and builds a codec for them. Its
// errors carry ksqlDB's wording (the conformance corpus matches on it) and name the format
// and the offending column.
func NewCodec(opts Options, fields []types.Field) (*Codec, error) {
	f, err := parseFormat(opts.Format)
	if err != nil {
		return nil, err
	}
	c := &Codec{format: f, isKey: opts.IsKey, fields: fields}
	if err := c.checkOptions(opts); err != nil {
		return nil, err
	}
	if opts.IsKey {
		if err := checkMapKeys(fields); err != nil {
			return nil, err
		}
	}
	if reason := c.checkSchema(); reason != "" {
		return nil, c.schemaError(reason, opts)
	}
	c.kinds = make([]types.Kind, len(fields))
	for i, fl := range fields {
		c.kinds[i] = fl.Type.Kind
	}
	switch f {
	case formatJSON:
		switch {
		case opts.IsKey:
			// ksqlDB writes a single key column bare and several as an object.
			c.wrapped = len(fields) > 1
		case len(fields) == 1:
			c.wrapped = opts.WrapSingleValue == nil || *opts.WrapSingleValue
		default:
			c.wrapped = true
		}
		if c.wrapped {
			c.cols = newObjectPlan(fields)
		} else if len(fields) == 1 {
			c.single = newNode(fields[0].Type)
		}
	case formatDelimited:
		d, err := ParseDelimiter(opts.Delimiter, opts.IsKey)
		if err != nil {
			return nil, err
		}
		c.delim = utf8.AppendRune(nil, d)
	}
	return c, nil
}

func parseFormat(name string) (format, error) {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "JSON":
		return formatJSON, nil
	case "DELIMITED":
		return formatDelimited, nil
	case "KAFKA":
		return formatKafka, nil
	case "NONE":
		return formatNone, nil
	case "AVRO", "PROTOBUF", "PROTOBUF_NOSR", "JSON_SR":
		return 0, types.Errorf(types.CodeFeatureNotSupported,
			"The '%s' format is not supported yet: it needs a schema registry", strings.ToUpper(name))
	}
	return 0, types.Errorf(types.CodeInvalidParameter, "Unknown format: %s", name)
}

// checkOptions validates the WITH options that are independent of the column types.
func (c *Codec) checkOptions(opts Options) error {
	if opts.Delimiter != "" && c.format != formatDelimited {
		return types.Errorf(types.CodeInvalidParameter,
			"%s does not support the following configs: [delimiter]", c.format)
	}
	if w := opts.WrapSingleValue; w != nil {
		if opts.IsKey {
			return types.Errorf(types.CodeInvalidParameter,
				"'WRAP_SINGLE_VALUE' is only valid for value formats, not for the key format")
		}
		if len(c.fields) != 1 {
			return types.Errorf(types.CodeInvalidParameter,
				"'WRAP_SINGLE_VALUE' is only valid for single-field value schemas")
		}
		if *w && c.format != formatJSON {
			return types.Errorf(types.CodeInvalidParameter,
				"Format '%s' does not support 'WRAP_SINGLE_VALUE' set to 'true'.", c.format)
		}
	}
	return nil
}

// ParseDelimiter reads a VALUE_DELIMITER or KEY_DELIMITER setting: one character, or TAB or
// SPACE; "" is the default comma. A blank value is refused because ksqlDB trims it away.
// Its errors carry ksqlDB's full text, "Failed to prepare statement: " included, as a
// delimiter is checked when a statement is prepared.
func ParseDelimiter(s string, isKey bool) (rune, error) {
	if s == "" {
		return ',', nil
	}
	prop := "VALUE_DELIMITER"
	if isKey {
		prop = "KEY_DELIMITER"
	}
	if strings.TrimSpace(s) == "" {
		return 0, types.Errorf(types.CodeInvalidParameter, "Failed to prepare statement: Configuration %s is invalid: "+
			"Delimiter cannot be empty, if you meant to have a tab or space for delimiter, "+
			"please use the special values 'TAB' or 'SPACE'\nExample valid value: ';'", prop)
	}
	switch strings.ToUpper(s) {
	case "TAB":
		return '\t', nil
	case "SPACE":
		return ' ', nil
	}
	r, size := utf8.DecodeRuneInString(s)
	// A Java char is one UTF-16 unit: characters outside the BMP are two, so ksqlDB refuses
	// them. The quote and line ends cannot delimit CSV fields.
	if size != len(s) || r == utf8.RuneError || r > 0xFFFF || r == '"' || r == '\n' || r == '\r' {
		return 0, types.Errorf(types.CodeInvalidParameter, "Failed to prepare statement: Configuration %s is invalid: "+
			"Invalid delimiter value: '%s'. Delimiter must be a single character or TAB,SPACE"+
			"\nExample valid value: ';'", prop, s)
	}
	return r, nil
}

// checkMapKeys refuses key columns holding maps: ksqlDB does, because map entry order makes
// the serialized key (and so the partition) unstable.
func checkMapKeys(fields []types.Field) error {
	for _, f := range fields {
		if containsMap(f.Type) {
			return types.Errorf(types.CodeFeatureNotSupported, "Map keys, including types that "+
				"contain maps, are not supported as they may lead to unexpected behavior due to "+
				"inconsistent serialization. Key column name: `%s`. Column type: %s. "+
				"See https://github.com/confluentinc/ksql/issues/6621 for more.",
				f.Name, typeString(f.Type))
		}
	}
	return nil
}

func containsMap(t types.Type) bool {
	switch t.Kind {
	case types.Map:
		return true
	case types.Array:
		return containsMap(*t.Elem)
	case types.Struct:
		for _, f := range t.Fields {
			if containsMap(f.Type) {
				return true
			}
		}
	}
	return false
}

// checkSchema returns why the format cannot carry the fields, in ksqlDB's words, or "".
func (c *Codec) checkSchema() string {
	fields := c.fields
	switch c.format {
	case formatNone:
		if len(fields) > 0 {
			return "The 'NONE' format can only be used when no columns are defined. Got: " +
				c.columnList()
		}
	case formatKafka:
		if len(fields) > 1 {
			return "The 'KAFKA' format only supports a single field. Got: " + c.columnList()
		}
		if len(fields) == 1 {
			switch k := fields[0].Type.Kind; k {
			case types.Int, types.Bigint, types.Double, types.String, types.Bytes:
			default:
				return "The 'KAFKA' format does not support type '" + k.String() + "'"
			}
		}
	case formatDelimited:
		for _, f := range fields {
			switch k := f.Type.Kind; k {
			case types.Array, types.Map, types.Struct, types.Unknown:
				return "The 'DELIMITED' format does not support type '" + k.String() +
					"', column: `" + f.Name + "`"
			}
		}
	case formatJSON:
		for _, f := range fields {
			if !jsonMapKeysOK(f.Type) {
				return "JSON only supports MAP types with STRING keys"
			}
		}
	}
	return ""
}

func jsonMapKeysOK(t types.Type) bool {
	switch t.Kind {
	case types.Map:
		return t.Key.Kind == types.String && jsonMapKeysOK(*t.Elem)
	case types.Array:
		return jsonMapKeysOK(*t.Elem)
	case types.Struct:
		for _, f := range t.Fields {
			if !jsonMapKeysOK(f.Type) {
				return false
			}
		}
	}
	return true
}

// schemaError wraps a reason the way ksqlDB reports an unsupported persistence schema.
func (c *Codec) schemaError(reason string, opts Options) error {
	part := "Value"
	if c.isKey {
		part = "Key"
	}
	features := ""
	if w := opts.WrapSingleValue; w != nil && !c.isKey {
		if *w {
			features = "WRAP_SINGLES"
		} else {
			features = "UNWRAP_SINGLES"
		}
	}
	return types.Errorf(types.CodeFeatureNotSupported,
		"%s format does not support schema.\nformat: %s\nschema: Persistence{columns=%s, features=[%s]}\nreason: %s",
		part, c.format, c.columnList(), features, reason)
}

// columnList renders the fields as ksqlDB does in these messages: [`A` INTEGER, `B` STRING KEY].
func (c *Codec) columnList() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, f := range c.fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteName(f.Name))
		b.WriteByte(' ')
		b.WriteString(typeString(f.Type))
		if c.isKey {
			b.WriteString(" KEY")
		}
	}
	b.WriteByte(']')
	return b.String()
}

// typeString renders t the way ksqlDB's schema formatter does: like types.Type.String, but
// struct field names are always back-quoted.
func typeString(t types.Type) string {
	switch t.Kind {
	case types.Array:
		return "ARRAY<" + typeString(*t.Elem) + ">"
	case types.Map:
		return "MAP<" + typeString(*t.Key) + ", " + typeString(*t.Elem) + ">"
	case types.Struct:
		var b strings.Builder
		b.WriteString("STRUCT<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteName(f.Name))
			b.WriteByte(' ')
			b.WriteString(typeString(f.Type))
		}
		b.WriteByte('>')
		return b.String()
	}
	return t.String()
}

func quoteName(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
