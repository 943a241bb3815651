package wire

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

// Parameter type inference. A client that leaves a parameter's type unspecified (OID 0) learns
// it from the ParameterDescription of Describe, and picks its encoding by it: pgx encodes
// everything as text for 0 but in binary for a type it knows. The wire does not parse
// statements; it recognizes the shapes where the type is plain from the statement text and the
// catalog, and leaves 0 everywhere else:
//
//   - INSERT INTO name [(col, ...)] VALUES ($1, ...): the type of the column each $n fills;
//   - col op $n and $n op col (=, <>, !=, <, <=, >, >=), col [NOT] BETWEEN $n AND $m,
//     col [NOT] IN ($n, ...), where col names a column of a relation the statement names;
//   - LIMIT $n and OFFSET $n: bigint.
//
// Only scalar types are inferred (arrays, maps and structs stay 0).

// ptok is a token of the inference lexer.
type ptok struct {
	kind  byte   // 'i' identifier, 'q' quoted identifier, 'p' $n, 'n' number, 'o' operator, 'l' other literal
	val   string // identifiers upper-cased; quoted ones as written; $n its number
	param int
	pos   int // byte offset in the statement
}

// lexForInference splits sql into the tokens inference looks at; literals and comments are
// reduced to one token each.
func lexForInference(sql string) []ptok {
	var toks []ptok
	for i := 0; i < len(sql); {
		c, start, n := sql[i], i, len(toks)
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case strings.HasPrefix(sql[i:], "--"), strings.HasPrefix(sql[i:], "/*"):
			i = skipComment(sql, i)
		case c == '\'':
			escapes := len(toks) > 0 && i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e')
			if escapes {
				toks = toks[:len(toks)-1] // the E prefix was lexed as an identifier
			}
			j := skipQuoted(sql, i, '\'', escapes)
			val := sql[i+1 : max(i+1, j-1)]
			if !escapes {
				val = strings.ReplaceAll(val, "''", "'")
			}
			toks = append(toks, ptok{kind: 'l', val: val})
			i = j
		case c == '"' || c == '`':
			j := skipQuoted(sql, i, c, false)
			name := sql[i+1 : max(i+1, j-1)]
			name = strings.ReplaceAll(name, string([]byte{c, c}), string(c))
			toks = append(toks, ptok{kind: 'q', val: name})
			i = j
		case c == '$':
			if tag := dollarTag(sql, i); tag != "" {
				end := strings.Index(sql[i+len(tag):], tag)
				if end < 0 {
					return toks
				}
				i += 2*len(tag) + end
				toks = append(toks, ptok{kind: 'l', pos: start})
				continue
			}
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(sql[i+1 : j])
			toks = append(toks, ptok{kind: 'p', param: n})
			i = max(j, i+1)
		case c >= '0' && c <= '9':
			j := i
			for j < len(sql) && (isIdentChar(sql[j]) || sql[j] == '.') {
				j++
			}
			toks = append(toks, ptok{kind: 'n', val: sql[i:j]})
			i = j
		case isIdentChar(c):
			j := i
			for j < len(sql) && isIdentChar(sql[j]) {
				j++
			}
			toks = append(toks, ptok{kind: 'i', val: strings.ToUpper(sql[i:j])})
			i = j
		default:
			op := string(c)
			if i+1 < len(sql) {
				switch two := sql[i : i+2]; two {
				case "<=", ">=", "<>", "!=", "::", "||":
					op = two
				}
			}
			toks = append(toks, ptok{kind: 'o', val: op})
			i += len(op)
		}
		if len(toks) > n {
			toks[len(toks)-1].pos = start
		}
	}
	return toks
}

func (t ptok) isKw(kw string) bool { return t.kind == 'i' && t.val == kw }
func (t ptok) isOp(op string) bool { return t.kind == 'o' && t.val == op }
func (t ptok) isName() bool        { return t.kind == 'i' || t.kind == 'q' }

func isComparison(t ptok) bool {
	if t.kind != 'o' {
		return false
	}
	switch t.val {
	case "=", "<>", "!=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// relationByName finds a relation as the statement names it: unquoted names match
// case-insensitively (the catalog stores them upper-cased), quoted ones exactly.
func relationByName(rels []api.Relation, t ptok) *api.Relation {
	for i := range rels {
		if t.kind == 'q' && rels[i].Name == t.val || t.kind == 'i' && strings.EqualFold(rels[i].Name, t.val) {
			return &rels[i]
		}
	}
	return nil
}

func columnByName(rel *api.Relation, t ptok) *api.RelationColumn {
	for i := range rel.Columns {
		c := &rel.Columns[i]
		if t.kind == 'q' && c.Name == t.val || t.kind == 'i' && strings.EqualFold(c.Name, t.val) {
			return c
		}
	}
	return nil
}

// paramOIDFor is the parameter type a client should send for a value of t (0: unknown).
func paramOIDFor(t types.Type) uint32 {
	switch t.Kind {
	case types.Boolean, types.Int, types.Bigint, types.Double, types.Decimal, types.String,
		types.Bytes, types.Timestamp, types.Date, types.Time:
		return pgTypeOf(t).oid
	}
	return 0
}

// inferParamTypes fills the entries of oids (index n-1 for $n) that are 0 where the statement
// shows the parameter's type.
func inferParamTypes(sql string, oids []uint32, rels []api.Relation) {
	toks := lexForInference(sql)
	set := func(n int, oid uint32) {
		if n >= 1 && n <= len(oids) && oids[n-1] == 0 && oid != 0 {
			oids[n-1] = oid
		}
	}
	// The relations the statement names: after FROM, JOIN, INTO, UPDATE (schema-qualified or not).
	var named []*api.Relation
	for i := 0; i+1 < len(toks); i++ {
		if !(toks[i].isKw("FROM") || toks[i].isKw("JOIN") || toks[i].isKw("INTO")) {
			continue
		}
		j := i + 1
		for j+2 < len(toks) && toks[j].isName() && toks[j+1].isOp(".") && toks[j+2].isName() {
			j += 2
		}
		if toks[j].isName() {
			if rel := relationByName(rels, toks[j]); rel != nil {
				named = append(named, rel)
			}
		}
	}
	// columnType is the type of a column named in the statement; ambiguous names (two
	// relations, two types) are unknown.
	columnType := func(t ptok) uint32 {
		if !t.isName() {
			return 0
		}
		var oid uint32
		for _, rel := range named {
			if col := columnByName(rel, t); col != nil {
				o := paramOIDFor(col.Type)
				if oid != 0 && o != oid {
					return 0
				}
				oid = o
			}
		}
		return oid
	}

	if len(toks) > 3 && toks[0].isKw("INSERT") && toks[1].isKw("INTO") {
		inferInsertValues(toks, rels, set)
	}
	for i, t := range toks {
		if t.kind != 'p' {
			continue
		}
		next := func(k int) ptok {
			if i+k < len(toks) && i+k >= 0 {
				return toks[i+k]
			}
			return ptok{}
		}
		switch {
		case isComparison(next(-1)) && next(-2).isName():
			set(t.param, columnType(next(-2)))
		case isComparison(next(1)) && next(2).isName() && !next(3).isOp(".") && !next(3).isOp("("):
			set(t.param, columnType(next(2)))
		case isComparison(next(1)) && next(3).isOp(".") && next(4).isName() && !next(5).isOp("("):
			set(t.param, columnType(next(4)))
		case next(-1).isKw("BETWEEN") && next(-2).isName():
			set(t.param, columnType(next(-2)))
		case next(-1).isKw("AND") && next(-3).isKw("BETWEEN") && next(-4).isName():
			set(t.param, columnType(next(-4)))
		case next(-1).isKw("LIMIT") || next(-1).isKw("OFFSET"):
			set(t.param, oidInt8)
		default:
			// col [NOT] IN (..., $n, ...)
			k := i - 1
			for k >= 0 && (toks[k].isOp(",") || toks[k].kind == 'p' || toks[k].kind == 'l' || toks[k].kind == 'n') {
				k--
			}
			if k >= 2 && toks[k].isOp("(") && toks[k-1].isKw("IN") {
				col := toks[k-2]
				if col.isKw("NOT") && k >= 3 {
					col = toks[k-3]
				}
				set(t.param, columnType(col))
			}
		}
	}
}

// inferInsertValues types the $n that stand alone in the VALUES of INSERT INTO name [(cols)].
func inferInsertValues(toks []ptok, rels []api.Relation, set func(int, uint32)) {
	j := 2
	for j+2 < len(toks) && toks[j].isName() && toks[j+1].isOp(".") && toks[j+2].isName() {
		j += 2
	}
	rel := relationByName(rels, toks[j])
	if rel == nil {
		return
	}
	j++
	var cols []*api.RelationColumn
	if j < len(toks) && toks[j].isOp("(") {
		for j++; j < len(toks) && !toks[j].isOp(")"); j++ {
			if toks[j].isOp(",") {
				continue
			}
			col := columnByName(rel, toks[j]) // nil for ROWTIME and unknown names
			cols = append(cols, col)
		}
		j++
	} else {
		for i := range rel.Columns {
			if !rel.Columns[i].Header {
				cols = append(cols, &rel.Columns[i])
			}
		}
	}
	if j+1 >= len(toks) || !toks[j].isKw("VALUES") || !toks[j+1].isOp("(") {
		return
	}
	// Split the first row of values at commas of depth 1.
	depth, idx, start := 0, 0, j+2
	value := func(end int) {
		if end == start+1 && toks[start].kind == 'p' && idx < len(cols) && cols[idx] != nil {
			set(toks[start].param, paramOIDFor(cols[idx].Type))
		}
		idx++
		start = end + 1
	}
	for k := j + 1; k < len(toks); k++ {
		switch {
		case toks[k].isOp("("):
			depth++
		case toks[k].isOp(")"):
			depth--
			if depth == 0 {
				value(k)
				return
			}
		case toks[k].isOp(",") && depth == 1:
			value(k)
		}
	}
}

// describeLiteral is a value of a parameter's type that a statement can be run with to learn
// its columns (Describe of a prepared statement): engine comparisons refuse NULL.
func describeLiteral(oid uint32) string {
	switch oid {
	case oidInt2, oidInt4, oidInt8, oidFloat4, oidFloat8, oidNumeric, oidOID:
		return "0"
	case oidBool:
		return "FALSE"
	case oidText, oidVarchar, oidBpchar, oidNameType:
		return "''"
	case oidTimestamp, oidTimestamptz:
		return "'1970-01-01T00:00:00.000'"
	case oidDate:
		return "'1970-01-01'"
	case oidTime:
		return "'00:00:00'"
	}
	return "NULL"
}
