package parser

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

func TestSyntaxErrorsCarryAHint(t *testing.T) {
	cases := []struct {
		sql, hint string
		line, col int
	}{
		{"SELEC 1;", "Did you mean SELECT?", 1, 1},
		{"CREATE STREAM x AS SELECT * FRM s;", "Did you mean FROM?", 1, 29},
		{"SELECT * FROM s\nWHER x > 1 EMIT CHANGES;", "Did you mean WHERE instead of WHER?", 2, 6},
		{"CREATE STREAM (;", "docs/sql.md", 1, 15},
	}
	for _, c := range cases {
		t.Run(c.sql, func(t *testing.T) {
			_, err := Parse(c.sql)
			var te *types.Error
			require.ErrorAs(t, err, &te)
			require.Equal(t, types.CodeSyntaxError, te.Code)
			require.Contains(t, te.Hint, c.hint)
			require.Equal(t, c.line, te.Pos.Line, "%v", err)
			require.Equal(t, c.col, te.Pos.Column, "%v", err)
		})
	}
}

func TestDescribeExtendedEitherSide(t *testing.T) {
	for _, sql := range []string{"DESCRIBE EXTENDED s;", "DESCRIBE s EXTENDED;"} {
		st, err := ParseOne(sql)
		require.NoError(t, err, sql)
		d, ok := st.(*ast.Describe)
		require.True(t, ok, sql)
		require.True(t, d.Extended, sql)
		require.Equal(t, "S", d.Name.Name, sql)
	}
}
