package serde

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/types"
)

// The expected texts are those of ksqlDB's query-validation tests
// (../shared/conformance/ksqldb-qtt.jsonl), matched as substrings as the corpus runner does.
func TestNewCodecErrors(t *testing.T) {
	arrInt := types.ArrayOf(types.IntType)
	mapIntDouble := types.MapOf(types.IntType, types.DoubleType)
	tests := []struct {
		name   string
		opts   Options
		fields []types.Field
		want   string
		code   types.Code
	}{
		{"kafka two value fields", Options{Format: "KafkA"},
			[]types.Field{fld("V0", types.IntType), fld("V1", types.StringType)},
			"The 'KAFKA' format only supports a single field. Got: [`V0` INTEGER, `V1` STRING]", types.CodeFeatureNotSupported},
		{"kafka boolean", Options{Format: "KAFKA"}, []types.Field{fld("V0", types.BooleanType)},
			"The 'KAFKA' format does not support type 'BOOLEAN'", types.CodeFeatureNotSupported},
		{"kafka array", Options{Format: "KAFKA"}, []types.Field{fld("FOO", arrInt)},
			"The 'KAFKA' format does not support type 'ARRAY'", types.CodeFeatureNotSupported},
		{"kafka struct key", Options{Format: "KAFKA", IsKey: true},
			[]types.Field{fld("K", types.StructOf(fld("F1", types.DoubleType)))},
			"The 'KAFKA' format does not support type 'STRUCT'", types.CodeFeatureNotSupported},
		{"kafka decimal key, full text", Options{Format: "KAFKA", IsKey: true},
			[]types.Field{fld("K", types.DecimalType(21, 19))},
			"Key format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[`K` DECIMAL(21, 19) KEY], features=[]}\nreason: The 'KAFKA' format does not support type 'DECIMAL'",
			types.CodeFeatureNotSupported},
		{"kafka array key, full text", Options{Format: "KAFKA", IsKey: true}, []types.Field{fld("ID", arrInt)},
			"Key format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[`ID` ARRAY<INTEGER> KEY], features=[]}\nreason: The 'KAFKA' format does not support type 'ARRAY'",
			types.CodeFeatureNotSupported},
		{"kafka two key columns", Options{Format: "KAFKA", IsKey: true},
			[]types.Field{fld("ID", types.IntType), fld("AGE", types.IntType)},
			"reason: The 'KAFKA' format only supports a single field. Got: [`ID` INTEGER KEY, `AGE` INTEGER KEY]", types.CodeFeatureNotSupported},
		{"kafka timestamp", Options{Format: "KAFKA"}, []types.Field{fld("T", types.TimestampType)},
			"The 'KAFKA' format does not support type 'TIMESTAMP'", types.CodeFeatureNotSupported},
		{"delimited struct key", Options{Format: "DELIMITED", IsKey: true},
			[]types.Field{fld("K", types.StructOf(fld("F", types.DoubleType)))},
			"Key format does not support schema.\nformat: DELIMITED\nschema: Persistence{columns=[`K` STRUCT<`F` DOUBLE> KEY], features=[]}\nreason: The 'DELIMITED' format does not support type 'STRUCT', column: `K`",
			types.CodeFeatureNotSupported},
		{"delimited array", Options{Format: "DELIMITED"}, []types.Field{fld("FOO", arrInt)},
			"The 'DELIMITED' format does not support type 'ARRAY'", types.CodeFeatureNotSupported},
		{"delimited map", Options{Format: "DELIMITED"}, []types.Field{fld("FOO", mapIntDouble)},
			"The 'DELIMITED' format does not support type 'MAP'", types.CodeFeatureNotSupported},
		{"delimited struct rowkey", Options{Format: "DELIMITED", IsKey: true},
			[]types.Field{fld("ROWKEY", types.StructOf(fld("A", types.IntType)))},
			"The 'DELIMITED' format does not support type 'STRUCT', column: `ROWKEY`", types.CodeFeatureNotSupported},
		{"delimited wrap true", Options{Format: "DELIMITED", WrapSingleValue: boolp(true)},
			[]types.Field{fld("FOO", types.IntType)},
			"Format 'DELIMITED' does not support 'WRAP_SINGLE_VALUE' set to 'true'.", types.CodeInvalidParameter},
		{"kafka wrap true", Options{Format: "KAFKA", WrapSingleValue: boolp(true)},
			[]types.Field{fld("FOO", types.IntType)},
			"Format 'KAFKA' does not support 'WRAP_SINGLE_VALUE' set to 'true'.", types.CodeInvalidParameter},
		{"wrap on two fields", Options{Format: "JSON", WrapSingleValue: boolp(true)},
			[]types.Field{fld("F0", types.StringType), fld("F1", types.StringType)},
			"'WRAP_SINGLE_VALUE' is only valid for single-field value schemas", types.CodeInvalidParameter},
		{"unwrap on two fields", Options{Format: "JSON", WrapSingleValue: boolp(false)},
			[]types.Field{fld("F0", types.StringType), fld("F1", types.StringType)},
			"'WRAP_SINGLE_VALUE' is only valid for single-field value schemas", types.CodeInvalidParameter},
		{"wrap on a key", Options{Format: "JSON", IsKey: true, WrapSingleValue: boolp(false)},
			[]types.Field{fld("K", types.StringType)},
			"'WRAP_SINGLE_VALUE' is only valid for value formats", types.CodeInvalidParameter},
		{"none with a key column", Options{Format: "NONE", IsKey: true}, []types.Field{fld("K", types.StringType)},
			"The 'NONE' format can only be used when no columns are defined. Got: [`K` STRING KEY]", types.CodeFeatureNotSupported},
		{"json map key column", Options{Format: "JSON", IsKey: true}, []types.Field{fld("K", mapIntDouble)},
			"Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. Key column name: `K`. Column type: MAP<INTEGER, DOUBLE>. See https://github.com/confluentinc/ksql/issues/6621 for more.",
			types.CodeFeatureNotSupported},
		{"nested map key column", Options{Format: "JSON", IsKey: true},
			[]types.Field{fld("KSQL_COL_0", types.StructOf(fld("F", types.MapOf(types.StringType, types.StringType))))},
			"Key column name: `KSQL_COL_0`. Column type: STRUCT<`F` MAP<STRING, STRING>>.", types.CodeFeatureNotSupported},
		{"kafka map key: map check first", Options{Format: "KAFKA", IsKey: true}, []types.Field{fld("K", mapIntDouble)},
			"Map keys, including types that contain maps", types.CodeFeatureNotSupported},
		{"json map with int keys", Options{Format: "JSON"}, []types.Field{fld("KSQL_COL_0", mapIntDouble)},
			"JSON only supports MAP types with STRING keys", types.CodeFeatureNotSupported},
		{"delimiter with json", Options{Format: "JSON", Delimiter: "|"}, []types.Field{fld("A", types.IntType)},
			"JSON does not support the following configs: [delimiter]", types.CodeInvalidParameter},
		{"long delimiter", Options{Format: "DELIMITED", Delimiter: "<~>"}, []types.Field{fld("A", types.IntType)},
			"Failed to prepare statement: Configuration VALUE_DELIMITER is invalid: Invalid delimiter value: '<~>'. Delimiter must be a single character or TAB,SPACE\nExample valid value: ';'",
			types.CodeInvalidParameter},
		{"space delimiter", Options{Format: "DELIMITED", Delimiter: " "}, []types.Field{fld("A", types.IntType)},
			"Failed to prepare statement: Configuration VALUE_DELIMITER is invalid: Delimiter cannot be empty, if you meant to have a tab or space for delimiter, please use the special values 'TAB' or 'SPACE'\nExample valid value: ';'",
			types.CodeInvalidParameter},
		{"tab key delimiter", Options{Format: "DELIMITED", IsKey: true, Delimiter: "\t"}, []types.Field{fld("A", types.IntType)},
			"Configuration KEY_DELIMITER is invalid: Delimiter cannot be empty", types.CodeInvalidParameter},
		{"quote delimiter", Options{Format: "DELIMITED", Delimiter: `"`}, []types.Field{fld("A", types.IntType)},
			"Invalid delimiter value", types.CodeInvalidParameter},
		{"unknown format", Options{Format: "XML"}, nil, "Unknown format: XML", types.CodeInvalidParameter},
		{"avro", Options{Format: "avro"}, nil, "The 'AVRO' format is not supported yet", types.CodeFeatureNotSupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCodec(tt.opts, tt.fields)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n  %q\nwant it to contain\n  %q", err.Error(), tt.want)
			}
			if got := types.CodeOf(err); got != tt.code {
				t.Fatalf("code %s, want %s", got, tt.code)
			}
		})
	}
}

func TestNewCodecAccepts(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		fields []types.Field
	}{
		{"kafka int", Options{Format: "kafka"}, []types.Field{fld("V", types.IntType)}},
		{"kafka bytes unwrapped", Options{Format: "KAFKA", WrapSingleValue: boolp(false)}, []types.Field{fld("B", types.BytesType)}},
		{"kafka keyless", Options{Format: "KAFKA", IsKey: true}, nil},
		{"none keyless", Options{Format: "NONE", IsKey: true}, nil},
		{"delimited everything scalar", Options{Format: "DELIMITED", Delimiter: "TAB"}, []types.Field{
			fld("A", types.BooleanType), fld("B", types.IntType), fld("C", types.BigintType), fld("D", types.DoubleType),
			fld("E", types.DecimalType(4, 2)), fld("F", types.StringType), fld("G", types.BytesType),
			fld("H", types.TimestampType), fld("I", types.DateType), fld("J", types.TimeType)}},
		{"delimited unwrapped", Options{Format: "DELIMITED", WrapSingleValue: boolp(false)}, []types.Field{fld("FOO", types.IntType)}},
		{"delimited unicode delimiter", Options{Format: "DELIMITED", Delimiter: "§"}, []types.Field{fld("A", types.IntType)}},
		{"json nested", Options{Format: "JSON"}, []types.Field{fld("A", types.ArrayOf(types.MapOf(types.StringType,
			types.StructOf(fld("X", types.DecimalType(10, 2))))))}},
		{"json struct key", Options{Format: "JSON", IsKey: true}, []types.Field{fld("K", types.StructOf(fld("F", types.DoubleType)))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustCodec(t, tt.opts, tt.fields...) })
	}
}

func TestParseDelimiter(t *testing.T) {
	for in, want := range map[string]rune{"": ',', "TAB": '\t', "tab": '\t', "SPACE": ' ', "|": '|', ";": ';', "§": '§', "t": 't'} {
		got, err := ParseDelimiter(in, false)
		if err != nil || got != want {
			t.Errorf("ParseDelimiter(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{" ", "\t", "  ", "ab", "😀", "\n", `"`} {
		if _, err := ParseDelimiter(in, false); err == nil {
			t.Errorf("ParseDelimiter(%q) accepted", in)
		}
	}
}
