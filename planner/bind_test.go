package planner

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/types"
)

func testScope() *Scope {
	return &Scope{
		Qualifiers: []string{"INPUT"},
		Columns: []ScopeColumn{
			{Name: "ID", Type: types.IntType, Index: 0},
			{Name: "VAL", Type: types.StringType, Index: 1},
			{Name: "D", Type: types.DateType, Index: 2},
			{Name: "ROWTIME", Type: types.BigintType, Index: 3},
		},
		Width: 4,
	}
}

func TestBindClause(t *testing.T) {
	cases := []struct {
		clause, sql string
		want        types.Value // result on the row below when err is empty
		err         string
	}{
		// ksqlDB's magic timestamps: a string compared with ROWTIME is a timestamp.
		{ClauseWhere, "ROWTIME > '2018-01-01T00:00:00.001'", true, ""},
		{ClauseWhere, "'2018-01-01T00:00:00.002' <= ROWTIME", true, ""},
		{ClauseWhere, "ROWTIME >= '2018'", true, ""},
		{ClauseWhere, "ROWTIME > '2019-01-01T00:00:00+0445'", false, ""},
		{ClauseWhere, "ROWTIME BETWEEN '2018-01-01T00:00:00.001' AND '2018-01-01T00:00:01'", true, ""},
		{ClauseWhere, "ROWTIME > 'not a date'", nil, "Failed to parse timestamp 'not a date'"},
		// Only those columns: elsewhere BIGINT and STRING do not compare.
		{ClauseWhere, "ID >= 'not an int'", nil, "Error in WHERE expression: Cannot compare ID (INTEGER) to 'not an int' (STRING) with GREATER_THAN_OR_EQUAL."},
		{ClauseWhere, "ABS(BOB) < 10", nil, "WHERE column 'BOB' cannot be resolved."},
		{ClauseSelect, "BOB", nil, "SELECT column 'BOB' cannot be resolved."},
		{ClauseWhere, "ID IN (10, true)", nil, "Invalid Predicate: operator does not exist: INTEGER = BOOLEAN (true)"},
		{ClauseWhere, "ID IN (10, '10 - not a number')", nil, `Invalid Predicate: invalid input syntax for type INTEGER: "10 - not a number".`},
		{ClauseSelect, "CAST(VAL AS ARRAY<INT>)", nil, "Invalid Select: Cast of STRING to ARRAY<INTEGER> is not supported"},
		{ClauseSelect, "ID >= 'x'", nil, "Cannot compare ID (INTEGER) to 'x' (STRING)"},
		{ClauseWhere, "RANDOM() + 1.5", nil, "Type error in WHERE expression: Should evaluate to boolean but is (RANDOM() + 1.5) (DOUBLE) instead."},
		// A first argument of DATEADD that is not a time unit is an ordinary argument.
		{ClauseSelect, "DATEADD(D, 5, D)", nil, "Function 'DATEADD' does not accept parameters (DATE, INTEGER, DATE)."},
		{ClauseSelect, "DATEADD(DAYS, 5, D)", types.DateDays(17), ""},
		{ClauseSelect, "null", nil, "Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR)."},
		{ClauseSelect, "CAST(null AS VARCHAR)", nil, ""},
		// Integer literals must fit BIGINT.
		{ClauseSelect, "-9223372036854775808", int64(-9223372036854775808), ""},
		{ClauseSelect, "-9223372036854775809", nil, "Invalid numeric literal: -9223372036854775809"},
		{ClauseSelect, "9223372036854775808", nil, "Invalid numeric literal: 9223372036854775808"},
		{ClauseSelect, "92233720368547758080.5", nil, ""},
	}
	row := types.Row{int32(1), "a", types.DateDays(12), int64(1514764800002)}
	for _, c := range cases {
		t.Run(c.sql, func(t *testing.T) {
			e, err := parser.ParseExpr(c.sql)
			require.NoError(t, err)
			x, err := BindClause(testScope(), e, c.clause)
			if c.err != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err)
			if c.want == nil {
				return
			}
			v, err := x.Eval(row)
			require.NoError(t, err)
			require.Equal(t, c.want, v)
		})
	}
}
