package parser

import (
	"errors"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/types"
)

// TestErrors checks that bad input gives the right code at the right line:column of the
// original text (not of the rewritten text TiDB saw), with a useful message.
func TestErrors(t *testing.T) {
	tests := []struct {
		sql        string
		code       types.Code
		line, col  int
		msgContain string
	}{
		{"SELEC 1", types.CodeSyntaxError, 1, 1, `Unknown statement 'SELEC'`},
		{"CREATE STREAM s (k INT KEY, c NULL) WITH (kafka_topic='t')", types.CodeSyntaxError, 1, 31, "syntax error"},
		{"CREATE STREAM s (k INT KEY, c ARRAY<NULL>) WITH (kafka_topic='t')", types.CodeSyntaxError, 1, 37, "syntax error"},
		{"SELECT k, 1.7976931348623159E308 FROM t", types.CodeSyntaxError, 1, 11, "Number overflows DOUBLE: 1.7976931348623159E308"},
		{"SELECT k, -1.7976931348623160E308 FROM t", types.CodeSyntaxError, 1, 11, "Number overflows DOUBLE: -1.7976931348623160E308"},
		{"SELECT k, 1 -1.7976931348623160E308 FROM t", types.CodeSyntaxError, 1, 14, "Number overflows DOUBLE: 1.7976931348623160E308"},
		{"SELECT 'abc", types.CodeSyntaxError, 1, 8, "unterminated quoted string"},
		{"SELECT \"abc", types.CodeSyntaxError, 1, 8, "unterminated quoted identifier"},
		{"SELECT 1 /* never closed", types.CodeSyntaxError, 1, 10, "unterminated /* comment"},
		{"SELECT $$abc", types.CodeSyntaxError, 1, 8, "unterminated dollar-quoted"},
		{"SELECT a FROM t WHERE", types.CodeSyntaxError, 1, 22, "end of input"},
		{"SELECT a,\n  b FROM t\n WHERE x = = 2", types.CodeSyntaxError, 3, 12, `"="`},
		{"SELECT 1;\nSELECT 2;\nSELECT 3 FROM WHERE", types.CodeSyntaxError, 3, 15, `"WHERE"`},
		{"SELECT loc->lat, ::int FROM t", types.CodeSyntaxError, 1, 18, `"::"`},
		{"SELECT tags[1 FROM t", types.CodeSyntaxError, 1, 12, "unbalanced"},
		{"SELECT CAST(x AS NOPE(1)) FROM t", types.CodeSyntaxError, 1, 22, `"("`},
		{"SELECT CAST(x AS ARRAY<INT) FROM t", types.CodeSyntaxError, 1, 27, `">"`},
		{"SELECT STRUCT(a 1) FROM t", types.CodeSyntaxError, 1, 15, "name := value"},
		{"SELECT f(x => ) FROM t", types.CodeSyntaxError, 1, 15, "lambda body"},
		{"SELECT a := 1 FROM t", types.CodeSyntaxError, 1, 10, ":="},
		{"SELECT __ssql_cast(1, 0)", types.CodeSyntaxError, 1, 8, "reserved"},
		{"CREATE STREAM s (a INT KEY WITH (kafka_topic='t')", types.CodeSyntaxError, 1, 28, `Expecting {',', ')'}`},
		{"CREATE STREAM s (a DECIMAL(0, 1)) WITH (kafka_topic='t')", types.CodeSyntaxError, 1, 20, "DECIMAL"},
		{"CREATE STREAM s (a INT) WITH (kafka_topic='t', KAFKA_TOPIC='u')", types.CodeSyntaxError, 1, 48, "duplicate property"},
		{"CREATE STREAM s (a INT) WITH (kafka_topic=)", types.CodeSyntaxError, 1, 43, "literal"},
		{"CREATE TABLE t AS SELECT 1 UNION SELECT 2", types.CodeSyntaxError, 1, 19, "UNION"},
		{"CREATE STREAM s (a INT) AS SELECT * FROM t", types.CodeSyntaxError, 1, 25, "cannot declare columns"},
		{"CREATE VIEW v AS SELECT 1", types.CodeSyntaxError, 1, 8, "STREAM or TABLE"},
		{"SELECT * FROM a WINDOW TUMBLING (SIZE 5 FORTNIGHTS)", types.CodeSyntaxError, 1, 41, "time unit"},
		{"SELECT * FROM a JOIN b WITHIN 5 ON a.x = b.x", types.CodeSyntaxError, 1, 33, "time unit"},
		{"SELECT * FROM a FULL JOIN b USING (x)", types.CodeSyntaxError, 1, 29, "ON"},
		{"SELECT 1 EMIT CHANGES UNION SELECT 2", types.CodeSyntaxError, 1, 10, "single SELECT"},
		{"INSERT INTO s (a, b) SELECT 1", types.CodeSyntaxError, 1, 22, "VALUES"},
		{"DROP STREAM", types.CodeSyntaxError, 1, 12, "end of input"},
		{"SET x", types.CodeSyntaxError, 1, 6, "TO or ="},
		{"SET 'a' = 1", types.CodeSyntaxError, 1, 11, "quoted property value"},
		{"FETCH BACKWARD 1 FROM c", types.CodeFeatureNotSupported, 1, 7, "scrolling"},
		{"SAVEPOINT a", types.CodeFeatureNotSupported, 1, 1, "SAVEPOINT"},
		{"SELECT * FROM t FOR UPDATE", types.CodeSyntaxError, 1, 21, `"UPDATE"`},
		{"SELECT 1; SELECT 'x", types.CodeSyntaxError, 1, 18, "unterminated"},
		{"SELECT 1 ° 2", types.CodeSyntaxError, 1, 10, "°"},
		{"SELECT " + strings.Repeat("(", 1001) + "1" + strings.Repeat(")", 1001), types.CodeProgramLimitExceeded, 1, 1008, "nested too deeply"},
		{"SELECT é FROM t WHERE a = E'\\u00'", types.CodeSyntaxError, 1, 29, "Unicode escape"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.sql)
		if err == nil {
			t.Errorf("%q: parsed, want an error", tt.sql)
			continue
		}
		var e *types.Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error %T is not a *types.Error: %v", tt.sql, err, err)
			continue
		}
		if e.Code != tt.code || e.Pos.Line != tt.line || e.Pos.Column != tt.col || !strings.Contains(e.Message, tt.msgContain) {
			t.Errorf("%q:\n got %s %s: %s\nwant %s line %d:%d: ...%s...", tt.sql, e.Code, e.Pos, e.Message,
				tt.code, tt.line, tt.col, tt.msgContain)
		}
	}
}

// TestParseOne checks the one-statement entry point.
func TestParseOne(t *testing.T) {
	if _, err := ParseOne("SELECT 1; SELECT 2"); err == nil || types.CodeOf(err) != types.CodeSyntaxError {
		t.Errorf("two statements: got %v", err)
	}
	st, err := ParseOne("  -- ping\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.(interface{ Text() string }); !ok || st.Text() != "" {
		t.Errorf("empty query: got %#v", st)
	}
	if st, err := ParseOne("SHOW STREAMS;"); err != nil || st.Text() != "SHOW STREAMS" {
		t.Errorf("trailing semicolon: %v %v", st, err)
	}
}
