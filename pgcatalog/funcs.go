package pgcatalog

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/streamsql/streamsql/types"
)

// builtin is a scalar function.
type builtin struct {
	min, max int // argument count; max < 0: variadic
	ret      func(args []uint32) uint32
	fn       func(c *ctx, args []Value, types []uint32) (Value, error)
	lenient  bool // called with NULL arguments too (otherwise NULL in, NULL out)
}

func fixed(t uint32) func([]uint32) uint32 { return func([]uint32) uint32 { return t } }

func firstArg(args []uint32) uint32 {
	for _, a := range args {
		if a != oidUnknown && a != 0 {
			return a
		}
	}
	return oidText
}

const (
	codeNullValueNotAllowed types.Code = "22004"
	codeCannotCoerce        types.Code = "42846"
)

// niladic functions may be called without parentheses.
var niladic = map[string]bool{
	"current_schema": true, "current_user": true, "session_user": true, "user": true, "current_role": true,
	"current_catalog": true, "current_date": true, "current_timestamp": true, "localtimestamp": true,
	"current_time": true, "localtime": true,
}

var builtins map[string]*builtin

func str(v Value) string {
	if s, ok := v.(string); ok {
		return s
	}
	return textOut(v, 0)
}

func intArg(v Value) int64 {
	n, _ := asInt(v)
	return n
}

func yes(c *ctx, args []Value, _ []uint32) (Value, error)  { return true, nil }
func null(c *ctx, args []Value, _ []uint32) (Value, error) { return nil, nil }

func init() {
	userName := func(c *ctx, _ []Value, _ []uint32) (Value, error) { return c.q.st.env.User, nil }
	now := func(c *ctx, _ []Value, _ []uint32) (Value, error) { return c.q.st.now, nil }
	privilege := &builtin{min: 1, max: 4, ret: fixed(oidBool), fn: yes}
	zero8 := &builtin{min: 1, max: 2, ret: fixed(oidInt8), fn: func(*ctx, []Value, []uint32) (Value, error) { return int64(0), nil }}
	nullText := func(min, max int) *builtin { return &builtin{min: min, max: max, ret: fixed(oidText), fn: null} }
	visible := &builtin{min: 1, max: 1, ret: fixed(oidBool), fn: yes}
	builtins = map[string]*builtin{
		"version": {ret: fixed(oidText), fn: func(c *ctx, _ []Value, _ []uint32) (Value, error) {
			if v := c.q.st.env.Version; v != "" {
				return v, nil
			}
			return "PostgreSQL 13.0 (streamsql) on x86_64-pc-linux-gnu, compiled by Go, 64-bit", nil
		}},
		"current_schema":   {ret: fixed(oidName), fn: func(*ctx, []Value, []uint32) (Value, error) { return "public", nil }},
		"current_database": {ret: fixed(oidName), fn: func(c *ctx, _ []Value, _ []uint32) (Value, error) { return c.q.st.env.Database, nil }},
		"current_catalog":  {ret: fixed(oidName), fn: func(c *ctx, _ []Value, _ []uint32) (Value, error) { return c.q.st.env.Database, nil }},
		"current_schemas": {min: 1, max: 1, ret: fixed(oidNameArray), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			if b, _ := truth(a[0]); b {
				return []Value{"pg_catalog", "public"}, nil
			}
			return []Value{"public"}, nil
		}},
		"current_user":  {ret: fixed(oidName), fn: userName},
		"session_user":  {ret: fixed(oidName), fn: userName},
		"user":          {ret: fixed(oidName), fn: userName},
		"current_role":  {ret: fixed(oidName), fn: userName},
		"getpgusername": {ret: fixed(oidName), fn: userName},
		"current_setting": {min: 1, max: 2, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			name := str(a[0])
			if v, ok := c.q.st.settings.Get(name); ok {
				return v, nil
			}
			if len(a) > 1 {
				if b, _ := truth(a[1]); b {
					return nil, nil
				}
			}
			return nil, errorf(types.CodeUndefinedObject, "unrecognized configuration parameter \"%s\"", name)
		}},
		"set_config": {min: 3, max: 3, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			return c.q.st.settings.Set(str(a[0]), str(a[1]))
		}},
		"pg_backend_pid":           {ret: fixed(oidInt4), fn: func(c *ctx, _ []Value, _ []uint32) (Value, error) { return int64(c.q.st.env.PID), nil }},
		"inet_client_addr":         {ret: fixed(oidInet), fn: null},
		"inet_server_addr":         {ret: fixed(oidInet), fn: null},
		"inet_client_port":         {ret: fixed(oidInt4), fn: null},
		"inet_server_port":         {ret: fixed(oidInt4), fn: null},
		"pg_postmaster_start_time": {ret: fixed(oidTimestamptz), fn: now},
		"pg_conf_load_time":        {ret: fixed(oidTimestamptz), fn: now},
		"now":                      {ret: fixed(oidTimestamptz), fn: now},
		"current_timestamp":        {ret: fixed(oidTimestamptz), fn: now},
		"transaction_timestamp":    {ret: fixed(oidTimestamptz), fn: now},
		"statement_timestamp":      {ret: fixed(oidTimestamptz), fn: now},
		"clock_timestamp":          {ret: fixed(oidTimestamptz), fn: func(*ctx, []Value, []uint32) (Value, error) { return time.Now().UTC(), nil }},
		"localtimestamp":           {ret: fixed(oidTimestamp), fn: now},
		"current_date":             {ret: fixed(oidDate), fn: now},
		"current_time":             {ret: fixed(oidTime), fn: now},
		"localtime":                {ret: fixed(oidTime), fn: now},
		"pg_is_in_recovery":        {ret: fixed(oidBool), fn: func(*ctx, []Value, []uint32) (Value, error) { return false, nil }},
		"txid_current":             {ret: fixed(oidInt8), fn: func(*ctx, []Value, []uint32) (Value, error) { return int64(1000), nil }},
		"pg_current_xact_id":       {ret: fixed(oidInt8), fn: func(*ctx, []Value, []uint32) (Value, error) { return int64(1000), nil }},
		"current_query":            {ret: fixed(oidText), fn: null},
		"getdatabaseencoding":      {ret: fixed(oidName), fn: func(*ctx, []Value, []uint32) (Value, error) { return "UTF8", nil }},
		"pg_client_encoding":       {ret: fixed(oidName), fn: func(*ctx, []Value, []uint32) (Value, error) { return "UTF8", nil }},
		"pg_encoding_to_char": {min: 1, max: 1, ret: fixed(oidName), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			switch intArg(a[0]) {
			case 6:
				return "UTF8", nil
			case 0:
				return "SQL_ASCII", nil
			}
			return "", nil
		}},
		"pg_char_to_encoding": {min: 1, max: 1, ret: fixed(oidInt4), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			if strings.EqualFold(str(a[0]), "SQL_ASCII") {
				return int64(0), nil
			}
			if strings.EqualFold(str(a[0]), "UTF8") {
				return int64(6), nil
			}
			return int64(-1), nil
		}},
		"pg_get_userbyid": {min: 1, max: 1, ret: fixed(oidName), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			if n := intArg(a[0]); n == roleOID {
				return c.q.st.env.User, nil
			} else {
				return "unknown (OID=" + strconv.FormatInt(n, 10) + ")", nil
			}
		}},
		"obj_description": {min: 1, max: 2, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			if u := c.q.st.byOID[intArg(a[0])]; u != nil {
				return u.desc, nil
			}
			return nil, nil
		}},
		"shobj_description": nullText(2, 2),
		"col_description":   nullText(2, 2),
		"pg_table_is_visible": {min: 1, max: 1, ret: fixed(oidBool), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			// Visible: on the search path (public, pg_catalog); information_schema is not.
			oid := intArg(a[0])
			for _, r := range sysRelations {
				if r.oid == oid {
					return r.schema == "pg_catalog", nil
				}
			}
			return true, nil
		}},
		"pg_type_is_visible":           visible,
		"pg_function_is_visible":       visible,
		"pg_opclass_is_visible":        visible,
		"pg_operator_is_visible":       visible,
		"pg_collation_is_visible":      visible,
		"pg_conversion_is_visible":     visible,
		"pg_ts_config_is_visible":      visible,
		"pg_statistics_obj_is_visible": visible,
		"pg_opfamily_is_visible":       visible,
		"pg_ts_parser_is_visible":      visible,
		"pg_ts_dict_is_visible":        visible,
		"pg_ts_template_is_visible":    visible,
		"format_type": {min: 2, max: 2, lenient: true, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			if a[0] == nil {
				return nil, nil
			}
			typmod := int64(-1)
			if a[1] != nil {
				typmod = intArg(a[1])
			}
			return formatType(uint32(intArg(a[0])), typmod), nil
		}},
		"pg_get_expr": {min: 2, max: 3, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) { return str(a[0]), nil }},
		"pg_get_indexdef": {min: 1, max: 3, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			oid := intArg(a[0])
			col := int64(0)
			if len(a) > 1 {
				col = intArg(a[1])
			}
			for _, u := range c.q.st.rels {
				if u.pkOID == oid {
					if col == 0 {
						return c.q.st.indexDef(u), nil
					}
					if col > 0 && int(col) <= len(u.pkCols) {
						return quoteIdent(u.cols[u.pkCols[col-1]-1].name), nil
					}
					return "", nil
				}
			}
			return nil, nil
		}},
		"pg_get_constraintdef": {min: 1, max: 2, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			oid := intArg(a[0])
			for _, u := range c.q.st.rels {
				if u.conOID == oid && u.conOID != 0 {
					return c.q.st.constraintDef(u), nil
				}
			}
			return nil, nil
		}},
		"pg_get_viewdef":                     nullText(1, 2),
		"pg_get_triggerdef":                  nullText(1, 2),
		"pg_get_ruledef":                     nullText(1, 2),
		"pg_get_partkeydef":                  nullText(1, 1),
		"pg_get_statisticsobjdef_columns":    nullText(1, 1),
		"pg_get_serial_sequence":             nullText(2, 2),
		"pg_get_function_arguments":          nullText(1, 1),
		"pg_get_function_identity_arguments": nullText(1, 1),
		"pg_get_function_result":             nullText(1, 1),
		"pg_get_functiondef":                 nullText(1, 1),
		"pg_get_partition_constraintdef":     nullText(1, 1),
		"pg_tablespace_location":             {min: 1, max: 1, ret: fixed(oidText), fn: func(*ctx, []Value, []uint32) (Value, error) { return "", nil }},
		"pg_relation_is_publishable":         {min: 1, max: 1, ret: fixed(oidBool), fn: func(*ctx, []Value, []uint32) (Value, error) { return false, nil }},
		"has_table_privilege":                privilege,
		"has_any_column_privilege":           privilege,
		"has_column_privilege":               privilege,
		"has_schema_privilege":               privilege,
		"has_database_privilege":             privilege,
		"has_function_privilege":             privilege,
		"has_sequence_privilege":             privilege,
		"has_type_privilege":                 privilege,
		"has_tablespace_privilege":           privilege,
		"has_language_privilege":             privilege,
		"has_server_privilege":               privilege,
		"has_foreign_data_wrapper_privilege": privilege,
		"pg_has_role":                        privilege,
		"pg_relation_size":                   zero8,
		"pg_total_relation_size":             zero8,
		"pg_table_size":                      zero8,
		"pg_indexes_size":                    zero8,
		"pg_database_size":                   zero8,
		"pg_tablespace_size":                 zero8,
		"pg_column_size":                     {min: 1, max: 1, ret: fixed(oidInt4), fn: null},
		"pg_size_pretty": {min: 1, max: 1, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			n, _ := asFloat(a[0])
			for _, u := range []string{"bytes", "kB", "MB", "GB", "TB"} {
				if math.Abs(n) < 10*1024 || u == "TB" {
					return strconv.FormatInt(int64(math.Round(n)), 10) + " " + u, nil
				}
				n /= 1024
			}
			return "", nil
		}},
		"to_regclass":           {min: 1, max: 1, ret: fixed(oidRegclass), fn: toReg(oidRegclass)},
		"to_regtype":            {min: 1, max: 1, ret: fixed(oidRegtype), fn: toReg(oidRegtype)},
		"to_regproc":            {min: 1, max: 1, ret: fixed(oidRegproc), fn: toReg(oidRegproc)},
		"to_regprocedure":       {min: 1, max: 1, ret: fixed(oidRegprocedure), fn: toReg(oidRegprocedure)},
		"to_regnamespace":       {min: 1, max: 1, ret: fixed(oidRegnamespace), fn: toReg(oidRegnamespace)},
		"to_regrole":            {min: 1, max: 1, ret: fixed(oidRegrole), fn: toReg(oidRegrole)},
		"_pg_char_max_length":   {min: 2, max: 2, ret: fixed(oidInt4), fn: null},
		"_pg_numeric_precision": {min: 2, max: 2, ret: fixed(oidInt4), fn: null},
		"_pg_truetypid":         {min: 2, max: 2, ret: fixed(oidOID), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) { return a[1], nil }},

		// arrays
		"array_to_string": {min: 2, max: 3, ret: fixed(oidText), fn: func(c *ctx, a []Value, ts []uint32) (Value, error) {
			arr, ok := toArray(a[0])
			if !ok {
				return nil, nil
			}
			var parts []string
			for _, e := range flatten(arr) {
				if e == nil {
					if len(a) > 2 && a[2] != nil {
						parts = append(parts, str(a[2]))
					}
					continue
				}
				parts = append(parts, textOut(e, elemType(ts[0])))
			}
			return strings.Join(parts, str(a[1])), nil
		}},
		"array_upper": {min: 2, max: 2, ret: fixed(oidInt4), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			arr, ok := toArray(a[0])
			if !ok || len(arr) == 0 || intArg(a[1]) != 1 {
				return nil, nil
			}
			return int64(len(arr)), nil
		}},
		"array_lower": {min: 2, max: 2, ret: fixed(oidInt4), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			arr, ok := toArray(a[0])
			if !ok || len(arr) == 0 || intArg(a[1]) != 1 {
				return nil, nil
			}
			return int64(1), nil
		}},
		"array_length": {min: 2, max: 2, ret: fixed(oidInt4), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			arr, ok := toArray(a[0])
			if !ok || len(arr) == 0 || intArg(a[1]) != 1 {
				return nil, nil
			}
			return int64(len(arr)), nil
		}},
		"cardinality": {min: 1, max: 1, ret: fixed(oidInt4), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			arr, _ := toArray(a[0])
			return int64(len(flatten(arr))), nil
		}},
		"array_ndims": {min: 1, max: 1, ret: fixed(oidInt4), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			arr, _ := toArray(a[0])
			if len(arr) == 0 {
				return nil, nil
			}
			return int64(1), nil
		}},
		"string_to_array": {min: 2, max: 3, ret: fixed(oidTextArray), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			s := str(a[0])
			if s == "" {
				return []Value{}, nil
			}
			var parts []string
			if a[1] == nil {
				for _, r := range s {
					parts = append(parts, string(r))
				}
			} else {
				parts = strings.Split(s, str(a[1]))
			}
			out := make([]Value, len(parts))
			for i, p := range parts {
				out[i] = p
				if len(a) > 2 && a[2] != nil && p == str(a[2]) {
					out[i] = nil
				}
			}
			return out, nil
		}},
		"array_position": {min: 2, max: 3, ret: fixed(oidInt4), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			arr, _ := toArray(a[0])
			for i, e := range arr {
				if cmp, ok := compare(e, a[1]); ok && cmp == 0 && e != nil {
					return int64(i + 1), nil
				}
			}
			return nil, nil
		}},
		"array_cat": {min: 2, max: 2, lenient: true, ret: firstArg, fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			x, _ := toArray(a[0])
			y, _ := toArray(a[1])
			if a[0] == nil && a[1] == nil {
				return nil, nil
			}
			return append(append([]Value{}, x...), y...), nil
		}},
		"array_append": {min: 2, max: 2, lenient: true, ret: firstArg, fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			x, _ := toArray(a[0])
			return append(append([]Value{}, x...), a[1]), nil
		}},
		"array_prepend": {min: 2, max: 2, lenient: true, ret: func(ts []uint32) uint32 { return ts[1] }, fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			x, _ := toArray(a[1])
			return append([]Value{a[0]}, x...), nil
		}},
		"array_remove": {min: 2, max: 2, ret: firstArg, fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			x, _ := toArray(a[0])
			out := []Value{}
			for _, e := range x {
				if cmp, ok := compare(e, a[1]); !(ok && cmp == 0 && e != nil) {
					out = append(out, e)
				}
			}
			return out, nil
		}},

		// strings
		"lower": {min: 1, max: 1, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) { return strings.ToLower(str(a[0])), nil }},
		"upper": {min: 1, max: 1, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) { return strings.ToUpper(str(a[0])), nil }},
		"length": {min: 1, max: 2, ret: fixed(oidInt4), fn: func(c *ctx, a []Value, ts []uint32) (Value, error) {
			if arr, ok := a[0].([]Value); ok {
				return int64(len(arr)), nil
			}
			return int64(len([]rune(str(a[0])))), nil
		}},
		"char_length":      {min: 1, max: 1, ret: fixed(oidInt4), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) { return int64(len([]rune(str(a[0])))), nil }},
		"character_length": {min: 1, max: 1, ret: fixed(oidInt4), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) { return int64(len([]rune(str(a[0])))), nil }},
		"octet_length":     {min: 1, max: 1, ret: fixed(oidInt4), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) { return int64(len(str(a[0]))), nil }},
		"quote_ident":      {min: 1, max: 1, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) { return quoteIdent(str(a[0])), nil }},
		"quote_literal": {min: 1, max: 1, ret: fixed(oidText), fn: func(c *ctx, a []Value, ts []uint32) (Value, error) {
			return quoteLiteral(textOut(a[0], ts[0])), nil
		}},
		"quote_nullable": {min: 1, max: 1, lenient: true, ret: fixed(oidText), fn: func(c *ctx, a []Value, ts []uint32) (Value, error) {
			if a[0] == nil {
				return "NULL", nil
			}
			return quoteLiteral(textOut(a[0], ts[0])), nil
		}},
		"parse_ident": {min: 1, max: 2, ret: fixed(oidTextArray), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			parts, err := parseIdent(str(a[0]))
			if err != nil {
				return nil, err
			}
			out := make([]Value, len(parts))
			for i, p := range parts {
				out[i] = p
			}
			return out, nil
		}},
		"format": {min: 1, max: -1, lenient: true, ret: fixed(oidText), fn: formatFunc},
		"replace": {min: 3, max: 3, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			if str(a[1]) == "" {
				return str(a[0]), nil
			}
			return strings.ReplaceAll(str(a[0]), str(a[1]), str(a[2])), nil
		}},
		"btrim": {min: 1, max: 2, ret: fixed(oidText), fn: trimFunc(strings.Trim)},
		"ltrim": {min: 1, max: 2, ret: fixed(oidText), fn: trimFunc(strings.TrimLeft)},
		"rtrim": {min: 1, max: 2, ret: fixed(oidText), fn: trimFunc(strings.TrimRight)},
		"substr": {min: 2, max: 3, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			r := []rune(str(a[0]))
			from := intArg(a[1]) - 1
			to := int64(len(r))
			if len(a) > 2 {
				to = from + intArg(a[2])
			}
			from, to = max(from, 0), min(to, int64(len(r)))
			if from >= to {
				return "", nil
			}
			return string(r[from:to]), nil
		}},
		"left": {min: 2, max: 2, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			r := []rune(str(a[0]))
			n := intArg(a[1])
			if n < 0 {
				n = max(int64(len(r))+n, 0)
			}
			return string(r[:min(n, int64(len(r)))]), nil
		}},
		"right": {min: 2, max: 2, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			r := []rune(str(a[0]))
			n := intArg(a[1])
			if n < 0 {
				n = max(int64(len(r))+n, 0)
			}
			n = min(n, int64(len(r)))
			return string(r[int64(len(r))-n:]), nil
		}},
		"concat": {min: 0, max: -1, lenient: true, ret: fixed(oidText), fn: func(c *ctx, a []Value, ts []uint32) (Value, error) {
			var b strings.Builder
			for i, v := range a {
				if v != nil {
					b.WriteString(textOut(v, ts[i]))
				}
			}
			return b.String(), nil
		}},
		"concat_ws": {min: 1, max: -1, lenient: true, ret: fixed(oidText), fn: func(c *ctx, a []Value, ts []uint32) (Value, error) {
			if a[0] == nil {
				return nil, nil
			}
			var parts []string
			for i, v := range a[1:] {
				if v != nil {
					parts = append(parts, textOut(v, ts[i+1]))
				}
			}
			return strings.Join(parts, str(a[0])), nil
		}},
		"split_part": {min: 3, max: 3, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			parts := strings.Split(str(a[0]), str(a[1]))
			n := intArg(a[2])
			if n < 0 {
				n = int64(len(parts)) + n + 1
			}
			if n < 1 || n > int64(len(parts)) {
				return "", nil
			}
			return parts[n-1], nil
		}},
		"strpos": {min: 2, max: 2, ret: fixed(oidInt4), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			i := strings.Index(str(a[0]), str(a[1]))
			if i < 0 {
				return int64(0), nil
			}
			return int64(len([]rune(str(a[0])[:i])) + 1), nil
		}},
		"starts_with": {min: 2, max: 2, ret: fixed(oidBool), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			return strings.HasPrefix(str(a[0]), str(a[1])), nil
		}},
		"repeat": {min: 2, max: 2, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			n := intArg(a[1])
			if n < 0 {
				n = 0
			}
			if n*int64(len(str(a[0]))) > 1<<20 {
				return nil, errorf(types.CodeProgramLimitExceeded, "requested length too large")
			}
			return strings.Repeat(str(a[0]), int(n)), nil
		}},
		"md5": {min: 1, max: 1, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			h := md5.Sum([]byte(str(a[0])))
			return hex.EncodeToString(h[:]), nil
		}},
		"initcap": {min: 1, max: 1, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			r := []rune(strings.ToLower(str(a[0])))
			up := true
			for i, ch := range r {
				if up && unicode.IsLetter(ch) {
					r[i] = unicode.ToUpper(ch)
				}
				up = !unicode.IsLetter(ch) && !unicode.IsDigit(ch)
			}
			return string(r), nil
		}},
		"reverse": {min: 1, max: 1, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			r := []rune(str(a[0]))
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			return string(r), nil
		}},
		"regexp_replace": {min: 3, max: 4, ret: fixed(oidText), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			flags := ""
			if len(a) > 3 {
				flags = str(a[3])
			}
			re, err := compileRegex(str(a[1]), strings.Contains(flags, "i"))
			if err != nil {
				return nil, err
			}
			rep := regexp.MustCompile(`\\(\d)`).ReplaceAllString(str(a[2]), "$${$1}")
			if strings.Contains(flags, "g") {
				return re.ReplaceAllString(str(a[0]), rep), nil
			}
			s := str(a[0])
			loc := re.FindStringSubmatchIndex(s)
			if loc == nil {
				return s, nil
			}
			return s[:loc[0]] + string(re.ExpandString(nil, rep, s, loc)) + s[loc[1]:], nil
		}},
		"regexp_match": {min: 2, max: 3, ret: fixed(oidTextArray), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			re, err := compileRegex(str(a[1]), len(a) > 2 && strings.Contains(str(a[2]), "i"))
			if err != nil {
				return nil, err
			}
			m := re.FindStringSubmatch(str(a[0]))
			if m == nil {
				return nil, nil
			}
			if len(m) == 1 {
				return []Value{m[0]}, nil
			}
			out := make([]Value, len(m)-1)
			for i, s := range m[1:] {
				out[i] = s
			}
			return out, nil
		}},
		"nullif": {min: 2, max: 2, lenient: true, ret: firstArg, fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			if a[0] != nil && a[1] != nil {
				if cmp, ok := compare(a[0], a[1]); ok && cmp == 0 {
					return nil, nil
				}
			}
			return a[0], nil
		}},
		"coalesce": {min: 1, max: -1, lenient: true, ret: firstArg, fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			for _, v := range a {
				if v != nil {
					return v, nil
				}
			}
			return nil, nil
		}},
		"greatest": {min: 1, max: -1, lenient: true, ret: firstArg, fn: extreme(1)},
		"least":    {min: 1, max: -1, lenient: true, ret: firstArg, fn: extreme(-1)},
		"abs": {min: 1, max: 1, ret: firstArg, fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			switch x := a[0].(type) {
			case int64:
				if x < 0 {
					return -x, nil
				}
				return x, nil
			}
			f, _ := asFloat(a[0])
			return math.Abs(f), nil
		}},
		"floor":   {min: 1, max: 1, ret: floatRet, fn: mathFunc(math.Floor)},
		"ceil":    {min: 1, max: 1, ret: floatRet, fn: mathFunc(math.Ceil)},
		"ceiling": {min: 1, max: 1, ret: floatRet, fn: mathFunc(math.Ceil)},
		"trunc":   {min: 1, max: 2, ret: floatRet, fn: mathFunc(math.Trunc)},
		"sqrt":    {min: 1, max: 1, ret: fixed(oidFloat8), fn: mathFunc(math.Sqrt)},
		"round": {min: 1, max: 2, ret: floatRet, fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			f, _ := asFloat(a[0])
			p := 1.0
			if len(a) > 1 {
				p = math.Pow(10, float64(intArg(a[1])))
			}
			return math.Round(f*p) / p, nil
		}},
		"mod": {min: 2, max: 2, ret: firstArg, fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			x, y := intArg(a[0]), intArg(a[1])
			if y == 0 {
				return nil, errorf(types.CodeDivisionByZero, "division by zero")
			}
			return x % y, nil
		}},
		"power": {min: 2, max: 2, ret: fixed(oidFloat8), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			x, _ := asFloat(a[0])
			y, _ := asFloat(a[1])
			return math.Pow(x, y), nil
		}},
		"json_build_object":  {min: 0, max: -1, lenient: true, ret: fixed(oidJSON), fn: jsonObject},
		"jsonb_build_object": {min: 0, max: -1, lenient: true, ret: fixed(oidJSONB), fn: jsonObject},
		"json_build_array":   {min: 0, max: -1, lenient: true, ret: fixed(oidJSON), fn: jsonArray},
		"jsonb_build_array":  {min: 0, max: -1, lenient: true, ret: fixed(oidJSONB), fn: jsonArray},
		"to_json": {min: 1, max: 1, ret: fixed(oidJSON), fn: func(c *ctx, a []Value, ts []uint32) (Value, error) {
			b, _ := json.Marshal(jsonValue(a[0], ts[0]))
			return string(b), nil
		}},
		"to_jsonb": {min: 1, max: 1, ret: fixed(oidJSONB), fn: func(c *ctx, a []Value, ts []uint32) (Value, error) {
			b, _ := json.Marshal(jsonValue(a[0], ts[0]))
			return string(b), nil
		}},
		"date_part": {min: 2, max: 2, ret: fixed(oidFloat8), fn: func(c *ctx, a []Value, ts []uint32) (Value, error) {
			t, err := timeArg(a[1])
			if err != nil {
				return nil, err
			}
			return datePart(str(a[0]), t)
		}},
		"date_trunc": {min: 2, max: 3, ret: func(ts []uint32) uint32 {
			if ts[1] == oidTimestamp {
				return oidTimestamp
			}
			return oidTimestamptz
		}, fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			t, err := timeArg(a[1])
			if err != nil {
				return nil, err
			}
			return dateTrunc(str(a[0]), t)
		}},
		"to_timestamp": {min: 1, max: 2, ret: fixed(oidTimestamptz), fn: func(c *ctx, a []Value, _ []uint32) (Value, error) {
			if len(a) == 2 {
				return timeArg(a[0])
			}
			f, _ := asFloat(a[0])
			return time.Unix(0, int64(f*1e9)).UTC(), nil
		}},
		"timezone": {min: 2, max: 2, ret: func(ts []uint32) uint32 { return ts[1] }, fn: func(c *ctx, a []Value, _ []uint32) (Value, error) { return a[1], nil }},
		"pg_typeof": {min: 1, max: 1, lenient: true, ret: fixed(oidRegtype), fn: func(c *ctx, a []Value, ts []uint32) (Value, error) {
			t := resolveUnknown(ts[0])
			if ts[0] == oidUnknown {
				t = oidUnknown
			}
			return Reg{int64(t), formatType(t, -1)}, nil
		}},
	}
}

func floatRet(ts []uint32) uint32 {
	switch ts[0] {
	case oidNumeric, oidFloat4:
		return ts[0]
	}
	return oidFloat8
}

func mathFunc(f func(float64) float64) func(*ctx, []Value, []uint32) (Value, error) {
	return func(c *ctx, a []Value, _ []uint32) (Value, error) {
		x, ok := asFloat(a[0])
		if !ok {
			return nil, errorf(types.CodeInvalidText, "invalid input syntax for type double precision: \"%s\"", str(a[0]))
		}
		return f(x), nil
	}
}

func extreme(sign int) func(*ctx, []Value, []uint32) (Value, error) {
	return func(c *ctx, a []Value, _ []uint32) (Value, error) {
		var best Value
		for _, v := range a {
			if v == nil {
				continue
			}
			if best == nil {
				best = v
				continue
			}
			if cmp, ok := compare(v, best); ok && cmp*sign > 0 {
				best = v
			}
		}
		return best, nil
	}
}

func trimFunc(f func(string, string) string) func(*ctx, []Value, []uint32) (Value, error) {
	return func(c *ctx, a []Value, _ []uint32) (Value, error) {
		chars := " "
		if len(a) > 1 {
			chars = str(a[1])
		}
		return f(str(a[0]), chars), nil
	}
}

func toReg(oid uint32) func(*ctx, []Value, []uint32) (Value, error) {
	return func(c *ctx, a []Value, _ []uint32) (Value, error) {
		v, err := castValue(c.q.st, str(a[0]), oidText, oid)
		if err != nil {
			return nil, nil
		}
		return v, nil
	}
}

func flatten(a []Value) []Value {
	var out []Value
	for _, e := range a {
		if sub, ok := e.([]Value); ok {
			out = append(out, flatten(sub)...)
		} else {
			out = append(out, e)
		}
	}
	return out
}

func quoteLiteral(s string) string {
	if strings.Contains(s, `\`) {
		return "E'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// parseIdent splits a possibly qualified, possibly quoted name: parse_ident('a."B".c').
func parseIdent(s string) ([]string, error) {
	var out []string
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) && s[i] == '"' {
			var b strings.Builder
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '"' {
					if j+1 < len(s) && s[j+1] == '"' {
						b.WriteByte('"')
						j++
						continue
					}
					break
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, errorf(types.CodeInvalidParameter, "string is not a valid identifier: \"%s\"", s)
			}
			out = append(out, b.String())
			i = j + 1
		} else {
			j := i
			for j < len(s) && s[j] != '.' && s[j] != ' ' {
				j++
			}
			if j == i {
				return nil, errorf(types.CodeInvalidParameter, "string is not a valid identifier: \"%s\"", s)
			}
			out = append(out, strings.ToLower(s[i:j]))
			i = j
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			return out, nil
		}
		if s[i] != '.' {
			return nil, errorf(types.CodeInvalidParameter, "string is not a valid identifier: \"%s\"", s)
		}
		i++
	}
}

func formatFunc(c *ctx, a []Value, ts []uint32) (Value, error) {
	if a[0] == nil {
		return nil, nil
	}
	f := str(a[0])
	var b strings.Builder
	arg := 1
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		i++
		if i >= len(f) {
			return nil, errorf(types.CodeInvalidParameter, "unterminated format() type specifier")
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		if arg >= len(a) {
			return nil, errorf(types.CodeInvalidParameter, "too few arguments for format()")
		}
		v := a[arg]
		s := ""
		if v != nil {
			s = textOut(v, ts[arg])
		}
		arg++
		switch f[i] {
		case 's':
			b.WriteString(s)
		case 'I':
			if v == nil {
				return nil, errorf(codeNullValueNotAllowed, "null values cannot be formatted as an SQL identifier")
			}
			b.WriteString(quoteIdent(s))
		case 'L':
			if v == nil {
				b.WriteString("NULL")
			} else {
				b.WriteString(quoteLiteral(s))
			}
		default:
			return nil, errorf(types.CodeInvalidParameter, "unrecognized format() type specifier \"%c\"", f[i])
		}
	}
	return b.String(), nil
}

func jsonValue(v Value, t uint32) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool, int64, float64:
		return x
	case string:
		if t == oidJSON || t == oidJSONB {
			var j any
			if json.Unmarshal([]byte(x), &j) == nil {
				return j
			}
		}
		return x
	case []Value:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e, elemType(t))
		}
		return out
	}
	return textOut(v, t)
}

func jsonObject(c *ctx, a []Value, ts []uint32) (Value, error) {
	if len(a)%2 != 0 {
		return nil, errorf(types.CodeInvalidParameter, "argument list must have even number of elements")
	}
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i < len(a); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		if a[i] == nil {
			return nil, errorf(codeNullValueNotAllowed, "argument %d cannot be null", i+1)
		}
		k, _ := json.Marshal(textOut(a[i], ts[i]))
		v, _ := json.Marshal(jsonValue(a[i+1], ts[i+1]))
		b.Write(k)
		b.WriteString(" : ")
		b.Write(v)
	}
	b.WriteByte('}')
	return b.String(), nil
}

func jsonArray(c *ctx, a []Value, ts []uint32) (Value, error) {
	out := make([]any, len(a))
	for i, v := range a {
		out[i] = jsonValue(v, ts[i])
	}
	b, _ := json.Marshal(out)
	return string(b), nil
}

func timeArg(v Value) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		return parseTime(x)
	}
	return time.Time{}, errorf(types.CodeDatatypeMismatch, "a timestamp is required")
}

func datePart(field string, t time.Time) (Value, error) {
	switch strings.ToLower(field) {
	case "epoch":
		return float64(t.UnixMicro()) / 1e6, nil
	case "year":
		return float64(t.Year()), nil
	case "month":
		return float64(t.Month()), nil
	case "day":
		return float64(t.Day()), nil
	case "hour":
		return float64(t.Hour()), nil
	case "minute":
		return float64(t.Minute()), nil
	case "second":
		return float64(t.Second()) + float64(t.Nanosecond())/1e9, nil
	case "dow":
		return float64(t.Weekday()), nil
	case "doy":
		return float64(t.YearDay()), nil
	case "quarter":
		return float64((int(t.Month())-1)/3 + 1), nil
	}
	return nil, errorf(types.CodeInvalidParameter, "unit \"%s\" not recognized for type timestamp", field)
}

func dateTrunc(field string, t time.Time) (Value, error) {
	switch strings.ToLower(field) {
	case "second":
		return t.Truncate(time.Second), nil
	case "minute":
		return t.Truncate(time.Minute), nil
	case "hour":
		return t.Truncate(time.Hour), nil
	case "day":
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()), nil
	case "month":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location()), nil
	case "year":
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, t.Location()), nil
	}
	return nil, errorf(types.CodeInvalidParameter, "unit \"%s\" not recognized for type timestamp", field)
}

// arith evaluates + - * / % ^.
func arith(op string, l, r evalFn, lt, rt uint32) evalFn {
	return func(c *ctx) (Value, error) {
		lv, err := l(c)
		if err != nil || lv == nil {
			return nil, err
		}
		rv, err := r(c)
		if err != nil || rv == nil {
			return nil, err
		}
		li, lInt := lv.(int64)
		ri, rInt := rv.(int64)
		if lInt && rInt && op != "^" {
			switch op {
			case "+":
				return li + ri, nil
			case "-":
				return li - ri, nil
			case "*":
				return li * ri, nil
			case "/", "%":
				if ri == 0 {
					return nil, errorf(types.CodeDivisionByZero, "division by zero")
				}
				if op == "/" {
					return li / ri, nil
				}
				return li % ri, nil
			}
		}
		lf, ok1 := asFloat(lv)
		rf, ok2 := asFloat(rv)
		if !ok1 || !ok2 {
			return nil, errorf(types.CodeUndefinedFunction, "operator does not exist: %s %s %s", typeByOID(lt).display, op, typeByOID(rt).display)
		}
		switch op {
		case "+":
			return lf + rf, nil
		case "-":
			return lf - rf, nil
		case "*":
			return lf * rf, nil
		case "/":
			if rf == 0 {
				return nil, errorf(types.CodeDivisionByZero, "division by zero")
			}
			return lf / rf, nil
		case "%":
			if rf == 0 {
				return nil, errorf(types.CodeDivisionByZero, "division by zero")
			}
			return math.Mod(lf, rf), nil
		}
		return math.Pow(lf, rf), nil
	}
}

func arithType(op string, lt, rt uint32) uint32 {
	isFloat := func(t uint32) bool { return t == oidFloat8 || t == oidFloat4 || t == oidNumeric }
	switch {
	case op == "^":
		return oidFloat8
	case lt == oidNumeric || rt == oidNumeric:
		if isFloat(lt) && lt != oidNumeric || isFloat(rt) && rt != oidNumeric {
			return oidFloat8
		}
		return oidNumeric
	case isFloat(lt) || isFloat(rt):
		return oidFloat8
	case lt == oidInt8 || rt == oidInt8:
		return oidInt8
	case lt == oidUnknown && rt == oidUnknown:
		return oidText
	}
	return oidInt4
}

var regexCache sync.Map // pattern -> *regexp.Regexp

func compileRegex(pat string, fold bool) (*regexp.Regexp, error) {
	key := pat
	if fold {
		key = "(?i)" + pat
	}
	if re, ok := regexCache.Load(key); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(key)
	if err != nil {
		return nil, errorf("2201B", "invalid regular expression: %v", err)
	}
	regexCache.Store(key, re)
	return re, nil
}

func regexOp(op string, l, r evalFn) evalFn {
	not := strings.HasPrefix(op, "!")
	fold := strings.HasSuffix(op, "*")
	return func(c *ctx) (Value, error) {
		lv, err := l(c)
		if err != nil || lv == nil {
			return nil, err
		}
		rv, err := r(c)
		if err != nil || rv == nil {
			return nil, err
		}
		re, err := compileRegex(str(rv), fold)
		if err != nil {
			return nil, err
		}
		return re.MatchString(str(lv)) != not, nil
	}
}

type likeMatcher struct{ fold bool }

func (m *likeMatcher) eval(c *ctx, l, p, esc evalFn, not bool) (Value, error) {
	lv, err := l(c)
	if err != nil || lv == nil {
		return nil, err
	}
	pv, err := p(c)
	if err != nil || pv == nil {
		return nil, err
	}
	escape := byte('\\')
	if esc != nil {
		ev, err := esc(c)
		if err != nil {
			return nil, err
		}
		if s := str(ev); s == "" {
			escape = 0
		} else {
			escape = s[0]
		}
	}
	re, err := compileRegex(likeToRegex(str(pv), escape), m.fold)
	if err != nil {
		return nil, err
	}
	return re.MatchString(str(lv)) != not, nil
}

func likeToRegex(p string, escape byte) string {
	var b strings.Builder
	b.WriteString("(?s)^")
	for i := 0; i < len(p); i++ {
		ch := p[i]
		switch {
		case escape != 0 && ch == escape && i+1 < len(p):
			i++
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		case ch == '%':
			b.WriteString(".*")
		case ch == '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString("$")
	return b.String()
}

func similarToRegex(p string) string {
	var b strings.Builder
	b.WriteString("^(?:")
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; ch {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		case '.', '^', '$':
			b.WriteString(`\` + string(ch))
		default:
			b.WriteByte(ch)
		}
	}
	b.WriteString(")$")
	return b.String()
}

// castValue converts v of type from to type to.
func castValue(st *state, v Value, from, to uint32) (Value, error) {
	if v == nil {
		return nil, nil
	}
	switch to {
	case oidText, oidVarchar, oidName, oidBpchar, oidUnknown, oidPgNodeTree, oidCstring:
		if s, ok := v.(string); ok {
			return s, nil
		}
		if b, ok := v.(bool); ok && from == oidBool {
			return map[bool]string{true: "true", false: "false"}[b], nil
		}
		return textOut(v, from), nil
	case oidChar:
		s := textOut(v, from)
		if len(s) > 1 {
			s = s[:1]
		}
		return s, nil
	case oidRegclass:
		if n, ok := v.(int64); ok {
			if name, found := st.relName[n]; found {
				return Reg{n, name}, nil
			}
			return Reg{n, strconv.FormatInt(n, 10)}, nil
		}
		if r, ok := v.(Reg); ok {
			return castValue(st, r.OID, oidOID, to)
		}
		s := str(v)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return castValue(st, n, oidOID, to)
		}
		parts, err := parseIdent(s)
		if err != nil {
			return nil, err
		}
		key := strings.Join(parts, ".")
		if oid, ok := st.relOID[key]; ok {
			return Reg{oid, st.relName[oid]}, nil
		}
		return nil, errorf(types.CodeUndefinedTable, "relation \"%s\" does not exist", s)
	case oidRegtype:
		if n, ok := v.(int64); ok {
			if pgTypes[uint32(n)] != nil {
				return Reg{n, formatType(uint32(n), -1)}, nil
			}
			return Reg{n, strconv.FormatInt(n, 10)}, nil
		}
		if r, ok := v.(Reg); ok {
			return castValue(st, r.OID, oidOID, to)
		}
		s := strings.TrimSpace(str(v))
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return castValue(st, n, oidOID, to)
		}
		name := strings.TrimPrefix(strings.ToLower(s), "pg_catalog.")
		arr := strings.HasSuffix(name, "[]")
		name = strings.TrimSuffix(name, "[]")
		if i := strings.IndexByte(name, '('); i > 0 {
			name = strings.TrimSpace(name[:i])
		}
		tn := resolveTypeName(name)
		if tn.OID == 0 {
			return nil, errorf(types.CodeUndefinedObject, "type \"%s\" does not exist", s)
		}
		oid := tn.OID
		if arr {
			oid = typeByOID(oid).array
		}
		return Reg{int64(oid), formatType(oid, -1)}, nil
	case oidRegproc, oidRegprocedure:
		if n, ok := v.(int64); ok {
			if n == 0 {
				return Reg{0, "-"}, nil
			}
			for name, oid := range procOIDs {
				if oid == n {
					return Reg{n, name}, nil
				}
			}
			return Reg{n, strconv.FormatInt(n, 10)}, nil
		}
		if r, ok := v.(Reg); ok {
			return r, nil
		}
		s := strings.TrimSpace(str(v))
		if s == "-" {
			return Reg{0, "-"}, nil
		}
		name := strings.TrimPrefix(s, "pg_catalog.")
		if i := strings.IndexByte(name, '('); i > 0 {
			name = name[:i]
		}
		return Reg{procOID(name), name}, nil
	case oidRegnamespace:
		names := map[int64]string{nsPgCatalog: "pg_catalog", nsPublic: "public", nsInfoSchema: "information_schema", nsPgToast: "pg_toast"}
		if n, ok := asIntStrict(v); ok {
			if name, found := names[n]; found {
				return Reg{n, name}, nil
			}
			return Reg{n, strconv.FormatInt(n, 10)}, nil
		}
		s := str(v)
		for oid, name := range names {
			if name == s {
				return Reg{oid, name}, nil
			}
		}
		return nil, errorf("3F000", "schema \"%s\" does not exist", s)
	case oidRegrole:
		if n, ok := asIntStrict(v); ok {
			if n == roleOID {
				return Reg{n, st.env.User}, nil
			}
			return Reg{n, strconv.FormatInt(n, 10)}, nil
		}
		if s := str(v); s == st.env.User {
			return Reg{roleOID, s}, nil
		}
		return nil, errorf(types.CodeUndefinedObject, "role \"%s\" does not exist", str(v))
	case oidOID, oidInt2, oidInt4, oidInt8, oidXID, oidCID:
		switch x := v.(type) {
		case int64:
			return x, nil
		case Reg:
			return x.OID, nil
		case float64:
			return int64(math.RoundToEven(x)), nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return castText(str(v), to)
	case oidBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		if n, ok := v.(int64); ok {
			return n != 0, nil
		}
		return parseBool(str(v))
	case oidFloat4, oidFloat8, oidNumeric:
		switch x := v.(type) {
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		}
		return castText(str(v), to)
	case oidJSON, oidJSONB:
		if s, ok := v.(string); ok {
			return s, nil
		}
		b, _ := json.Marshal(jsonValue(v, from))
		return string(b), nil
	case oidDate, oidTimestamp, oidTimestamptz, oidTime:
		if t, ok := v.(time.Time); ok {
			if to == oidDate {
				return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
			}
			return t, nil
		}
		return castText(str(v), to)
	case oidRecord:
		return v, nil
	}
	if isArrayType(to) || to == oidInt2Vector || to == oidOIDVector {
		elem := elemType(to)
		if to == oidInt2Vector {
			elem = oidInt2
		} else if to == oidOIDVector {
			elem = oidOID
		}
		var arr []Value
		switch x := v.(type) {
		case []Value:
			arr = x
		case string:
			if to == oidInt2Vector || to == oidOIDVector {
				return castText(x, to)
			}
			pa, err := parseArray(x, oidText)
			if err != nil {
				return nil, err
			}
			arr = pa.([]Value)
		default:
			return nil, errorf(codeCannotCoerce, "cannot cast type %s to %s", typeByOID(from).display, typeByOID(to).display)
		}
		out := make([]Value, len(arr))
		for i, e := range arr {
			ev, err := castValue(st, e, elemType(from), elem)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	}
	return castText(textOut(v, from), to)
}

func asIntStrict(v Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case Reg:
		return x.OID, true
	}
	return 0, false
}

// srfBuiltin is a set-returning function.
type srfBuiltin struct {
	min, max int
	ret      func(args []uint32) uint32
	fields   []string // record fields (nil: scalar elements)
	ftypes   []uint32
	impl     func(c *ctx, args []Value, ts []uint32) ([]Value, error)
}

var srfs map[string]*srfBuiltin

var pgKeywords = strings.Fields(`all analyse analyze and any array as asc asymmetric authorization binary both case cast
	check collate collation column concurrently constraint create cross current_catalog current_date current_role
	current_schema current_time current_timestamp current_user default deferrable desc distinct do else end except
	false fetch for foreign freeze from full grant group having ilike in initially inner intersect into is isnull join
	lateral leading left like limit localtime localtimestamp natural not notnull null offset on only or order outer
	overlaps placing primary references returning right select session_user similar some symmetric table tablesample
	then to trailing true union unique user using variadic verbose when where window with
	abort absolute access action add admin after aggregate also alter always assertion assignment at attach attribute
	backward before begin by cache call called cascade cascaded catalog chain characteristics checkpoint class close
	cluster columns comment comments commit committed configuration conflict connection constraints content continue
	conversion copy cost csv cube current cursor cycle data database day deallocate declare defaults deferred definer
	delete delimiter delimiters depends detach dictionary disable discard document domain double drop each enable
	encoding encrypted enum escape event exclude excluding exclusive execute explain expression extension external family
	filter first following force forward function functions generated global granted groups handler header hold hour
	identity if immediate immutable implicit import include including increment index indexes inherit inherits inline
	input insensitive insert instead invoker isolation key label language large last leakproof level listen load local
	location lock locked logged mapping match materialized maxvalue method minute minvalue mode month move name names new
	next nfc nfd nfkc nfkd no normalized nothing notify nowait nulls object of off oids old operator option options
	ordinality others over overriding owned owner parallel parser partial partition passing password plans policy
	preceding prepare prepared preserve prior privileges procedural procedure procedures program publication quote range
	read reassign recheck recursive ref referencing refresh reindex relative release rename repeatable replace replica
	reset restart restrict returns revoke role rollback rollup routine routines rows rule savepoint schema schemas scroll
	search second security sequence sequences serializable server session set sets share show simple skip snapshot sql
	stable standalone start statement statistics stdin stdout storage stored strict strip subscription support sysid
	system tables tablespace temp template temporary text ties transaction transform trigger truncate trusted type types
	unbounded uncommitted unencrypted unknown unlisten unlogged until update vacuum valid validate validator value varying
	version view views volatile whitespace within without work wrapper write xml year yes zone`)

func init() {
	intRet := func(ts []uint32) uint32 {
		for _, t := range ts {
			if t == oidInt8 {
				return oidInt8
			}
			if t == oidNumeric || t == oidFloat8 {
				return oidNumeric
			}
		}
		return oidInt4
	}
	srfs = map[string]*srfBuiltin{
		"unnest": {min: 1, max: 1, ret: func(ts []uint32) uint32 {
			if e := elemType(ts[0]); e != 0 {
				return e
			}
			if ts[0] == oidInt2Vector {
				return oidInt2
			}
			if ts[0] == oidOIDVector {
				return oidOID
			}
			return oidText
		}, impl: func(c *ctx, a []Value, _ []uint32) ([]Value, error) {
			arr, _ := toArray(a[0])
			return flatten(arr), nil
		}},
		"generate_series": {min: 2, max: 3, ret: intRet, impl: func(c *ctx, a []Value, _ []uint32) ([]Value, error) {
			if a[0] == nil || a[1] == nil {
				return nil, nil
			}
			from, to, step := intArg(a[0]), intArg(a[1]), int64(1)
			if len(a) > 2 && a[2] != nil {
				step = intArg(a[2])
			}
			if step == 0 {
				return nil, errorf(types.CodeInvalidParameter, "step size cannot equal zero")
			}
			if n := (to - from) / step; n > 1_000_000 {
				return nil, errorf(types.CodeProgramLimitExceeded, "generate_series in a catalog query is limited to a million rows")
			}
			var out []Value
			for i := from; step > 0 && i <= to || step < 0 && i >= to; i += step {
				out = append(out, i)
			}
			return out, nil
		}},
		"generate_subscripts": {min: 2, max: 3, ret: fixed(oidInt4), impl: func(c *ctx, a []Value, ts []uint32) ([]Value, error) {
			arr, _ := toArray(a[0])
			if intArg(a[1]) != 1 {
				return nil, nil
			}
			base := int64(1)
			if ts[0] == oidInt2Vector || ts[0] == oidOIDVector {
				base = 0
			}
			out := make([]Value, len(arr))
			for i := range arr {
				out[i] = int64(i) + base
			}
			if len(a) > 2 {
				if rev, _ := truth(a[2]); rev {
					sort.Slice(out, func(i, j int) bool { return out[i].(int64) > out[j].(int64) })
				}
			}
			return out, nil
		}},
		"_pg_expandarray": {min: 1, max: 1, ret: fixed(oidRecord), fields: []string{"x", "n"}, ftypes: []uint32{oidInt2, oidInt4},
			impl: func(c *ctx, a []Value, ts []uint32) ([]Value, error) {
				arr, _ := toArray(a[0])
				et := elemType(ts[0])
				if ts[0] == oidInt2Vector {
					et = oidInt2
				}
				out := make([]Value, len(arr))
				for i, e := range arr {
					out[i] = Record{Names: []string{"x", "n"}, Types: []uint32{et, oidInt4}, Vals: []Value{e, int64(i + 1)}}
				}
				return out, nil
			}},
		"pg_get_keywords": {ret: fixed(oidRecord), fields: []string{"word", "catcode", "barelabel", "catdesc", "baredesc"},
			ftypes: []uint32{oidText, oidChar, oidBool, oidText, oidText},
			impl: func(c *ctx, a []Value, _ []uint32) ([]Value, error) {
				out := make([]Value, 0, len(pgKeywords))
				for _, w := range pgKeywords {
					code, desc := "U", "unreserved"
					if reserved[w] {
						code, desc = "R", "reserved"
					}
					out = append(out, Record{Names: []string{"word", "catcode", "barelabel", "catdesc", "baredesc"},
						Types: []uint32{oidText, oidChar, oidBool, oidText, oidText}, Vals: []Value{w, code, true, desc, "can be bare label"}})
				}
				return out, nil
			}},
		"pg_listening_channels": {ret: fixed(oidText), impl: func(*ctx, []Value, []uint32) ([]Value, error) { return nil, nil }},
		"regexp_matches": {min: 2, max: 3, ret: fixed(oidTextArray), impl: func(c *ctx, a []Value, _ []uint32) ([]Value, error) {
			flags := ""
			if len(a) > 2 {
				flags = str(a[2])
			}
			re, err := compileRegex(str(a[1]), strings.Contains(flags, "i"))
			if err != nil {
				return nil, err
			}
			n := 1
			if strings.Contains(flags, "g") {
				n = -1
			}
			var out []Value
			for _, m := range re.FindAllStringSubmatch(str(a[0]), n) {
				groups := m
				if len(m) > 1 {
					groups = m[1:]
				}
				arr := make([]Value, len(groups))
				for i, g := range groups {
					arr[i] = g
				}
				out = append(out, arr)
			}
			return out, nil
		}},
	}
}

// compileFunc compiles a function call: scalar, aggregate, window or set-returning.
func compileFunc(f *FuncCall, sc *scope) (evalFn, uint32, error) {
	if f.Over != nil {
		return compileWindow(f, sc)
	}
	if aggregates[f.Name] {
		return compileAggregate(f, sc)
	}
	argFns := make([]evalFn, len(f.Args))
	argTypes := make([]uint32, len(f.Args))
	for i, a := range f.Args {
		fn, t, err := compileExpr(a, sc)
		if err != nil {
			return nil, 0, err
		}
		argFns[i], argTypes[i] = fn, t
	}
	if s := srfs[f.Name]; s != nil {
		if len(f.Args) < s.min || len(f.Args) > max(s.max, s.min) {
			return nil, 0, undefinedFunction(f.Name, argTypes)
		}
		if sc.sel == nil || sc.sel.inAgg {
			return nil, 0, types.Errorf(types.CodeFeatureNotSupported, "set-returning function %s is only supported in a select list or FROM clause", f.Name)
		}
		ts := argTypes
		k := len(sc.sel.srfs)
		sc.sel.srfs = append(sc.sel.srfs, &srfDef{args: argFns, impl: func(c *ctx, args []Value) ([]Value, error) { return s.impl(c, args, ts) }})
		return func(c *ctx) (Value, error) {
			if k < len(c.srf) {
				return c.srf[k], nil
			}
			return nil, nil
		}, s.ret(argTypes), nil
	}
	b := builtins[f.Name]
	if b == nil || len(f.Args) < b.min || b.max >= 0 && len(f.Args) > max(b.max, b.min) {
		return nil, 0, undefinedFunction(f.Name, argTypes)
	}
	ret := b.ret(append(argTypes, oidText))
	return func(c *ctx) (Value, error) {
		args := make([]Value, len(argFns))
		for i, fn := range argFns {
			v, err := fn(c)
			if err != nil {
				return nil, err
			}
			if v == nil && !b.lenient {
				return nil, nil
			}
			args[i] = v
		}
		return b.fn(c, args, argTypes)
	}, ret, nil
}

func undefinedFunction(name string, args []uint32) error {
	names := make([]string, len(args))
	for i, t := range args {
		names[i] = typeByOID(t).display
	}
	return &types.Error{Code: types.CodeUndefinedFunction, Message: "function " + name + "(" + strings.Join(names, ", ") + ") does not exist",
		Hint: "No function matches the given name and argument types. You might need to add explicit type casts."}
}

func compileWindow(f *FuncCall, sc *scope) (evalFn, uint32, error) {
	if !windowFuncs[f.Name] {
		return nil, 0, types.Errorf(types.CodeFeatureNotSupported, "window function %s is not supported in catalog queries", f.Name)
	}
	if sc.sel == nil || sc.sel.grouped {
		return nil, 0, types.Errorf(types.CodeFeatureNotSupported, "window functions are only supported in the select list of a query without GROUP BY")
	}
	def := &winDef{fn: f.Name}
	for _, p := range f.Over.PartitionBy {
		fn, _, err := compileExpr(p, sc)
		if err != nil {
			return nil, 0, err
		}
		def.partition = append(def.partition, fn)
	}
	for _, o := range f.Over.OrderBy {
		fn, _, err := compileExpr(o.X, sc)
		if err != nil {
			return nil, 0, err
		}
		def.order = append(def.order, sortKey{fn: fn, desc: o.Desc, nullsFirst: nullsFirst(o)})
	}
	k := len(sc.sel.wins)
	sc.sel.wins = append(sc.sel.wins, def)
	return func(c *ctx) (Value, error) {
		if k < len(c.win) {
			return c.win[k], nil
		}
		return nil, nil
	}, oidInt8, nil
}

func compileAggregate(f *FuncCall, sc *scope) (evalFn, uint32, error) {
	if sc.sel == nil || !sc.sel.grouped {
		return nil, 0, types.Errorf(types.CodeGroupingError, "aggregate functions are not allowed here")
	}
	if sc.sel.inAgg {
		return nil, 0, types.Errorf(types.CodeGroupingError, "aggregate function calls cannot be nested")
	}
	sc.sel.inAgg = true
	defer func() { sc.sel.inAgg = false }()
	argFns := make([]evalFn, len(f.Args))
	argTypes := make([]uint32, len(f.Args))
	for i, a := range f.Args {
		fn, t, err := compileExpr(a, sc)
		if err != nil {
			return nil, 0, err
		}
		argFns[i], argTypes[i] = fn, t
	}
	var order []sortKey
	for _, o := range f.OrderBy {
		fn, _, err := compileExpr(o.X, sc)
		if err != nil {
			return nil, 0, err
		}
		order = append(order, sortKey{fn: fn, desc: o.Desc, nullsFirst: nullsFirst(o)})
	}
	name := f.Name
	need := map[string]int{"string_agg": 2}[name]
	if need == 0 && !f.Star {
		need = 1
	}
	if len(f.Args) != need && !(name == "count" && f.Star) {
		return nil, 0, undefinedFunction(name, argTypes)
	}
	var ret uint32
	switch name {
	case "count":
		ret = oidInt8
	case "sum":
		ret = oidInt8
		if len(argTypes) > 0 && (argTypes[0] == oidFloat8 || argTypes[0] == oidFloat4) {
			ret = oidFloat8
		} else if len(argTypes) > 0 && argTypes[0] == oidNumeric {
			ret = oidNumeric
		}
	case "avg":
		ret = oidNumeric
		if argTypes[0] == oidFloat8 || argTypes[0] == oidFloat4 {
			ret = oidFloat8
		}
	case "min", "max":
		ret = resolveUnknown(argTypes[0])
	case "string_agg":
		ret = oidText
	case "array_agg":
		ret = arrayTypeOf(resolveUnknown(argTypes[0]))
	case "bool_and", "bool_or", "every":
		ret = oidBool
	case "json_agg":
		ret = oidJSON
	case "jsonb_agg":
		ret = oidJSONB
	}
	distinct := f.Distinct
	return func(c *ctx) (Value, error) {
		type item struct {
			args []Value
			keys []Value
		}
		var items []item
		seen := map[string]bool{}
		for _, r := range c.group {
			ec := &ctx{row: r, outer: c.outer, q: c.q, win: c.win}
			args := make([]Value, len(argFns))
			for i, fn := range argFns {
				v, err := fn(ec)
				if err != nil {
					return nil, err
				}
				args[i] = v
			}
			if distinct {
				k := rowKey(args)
				if seen[k] {
					continue
				}
				seen[k] = true
			}
			keys := make([]Value, len(order))
			for i, o := range order {
				v, err := o.fn(ec)
				if err != nil {
					return nil, err
				}
				keys[i] = v
			}
			items = append(items, item{args, keys})
		}
		if len(order) > 0 {
			rows := make([][]Value, len(items))
			for i, it := range items {
				rows[i] = append([]Value{int64(i)}, it.keys...)
			}
			sortRows(rows, order, 1)
			sorted := make([]item, len(items))
			for i, r := range rows {
				sorted[i] = items[r[0].(int64)]
			}
			items = sorted
		}
		switch name {
		case "count":
			n := int64(0)
			for _, it := range items {
				if f.Star || it.args[0] != nil {
					n++
				}
			}
			return n, nil
		case "array_agg":
			if len(items) == 0 {
				return nil, nil
			}
			out := make([]Value, len(items))
			for i, it := range items {
				out[i] = it.args[0]
			}
			return out, nil
		case "json_agg", "jsonb_agg":
			if len(items) == 0 {
				return nil, nil
			}
			out := make([]any, len(items))
			for i, it := range items {
				out[i] = jsonValue(it.args[0], argTypes[0])
			}
			b, _ := json.Marshal(out)
			return string(b), nil
		case "string_agg":
			var parts []string
			sep := ""
			first := true
			var b strings.Builder
			for _, it := range items {
				if it.args[0] == nil {
					continue
				}
				if !first {
					b.WriteString(sep)
				}
				if it.args[1] != nil {
					sep = str(it.args[1])
				}
				if first {
					first = false
				}
				b.WriteString(textOut(it.args[0], argTypes[0]))
				parts = append(parts, "")
			}
			if len(parts) == 0 {
				return nil, nil
			}
			return b.String(), nil
		}
		var acc Value
		count := 0
		for _, it := range items {
			v := it.args[0]
			if v == nil {
				continue
			}
			count++
			switch name {
			case "min", "max":
				if acc == nil {
					acc = v
				} else if cmp, ok := compare(v, acc); ok && (name == "min" && cmp < 0 || name == "max" && cmp > 0) {
					acc = v
				}
			case "sum", "avg":
				if acc == nil {
					acc = v
					continue
				}
				ai, aInt := acc.(int64)
				vi, vInt := v.(int64)
				if aInt && vInt {
					acc = ai + vi
				} else {
					af, _ := asFloat(acc)
					vf, _ := asFloat(v)
					acc = af + vf
				}
			case "bool_and", "every", "bool_or":
				b, _ := truth(v)
				if acc == nil {
					acc = b
				} else if name == "bool_or" {
					acc = acc.(bool) || b
				} else {
					acc = acc.(bool) && b
				}
			}
		}
		if name == "avg" && acc != nil {
			f, _ := asFloat(acc)
			return f / float64(count), nil
		}
		return acc, nil
	}, ret, nil
}

// compileFuncSource compiles a function in FROM: its rows, one column per element (or
// per record field).
func compileFuncSource(ref *FuncRef, parent *scope) (*source, error) {
	f := ref.F
	argFns := make([]evalFn, len(f.Args))
	argTypes := make([]uint32, len(f.Args))
	for i, a := range f.Args {
		fn, t, err := compileExpr(a, parent)
		if err != nil {
			return nil, err
		}
		argFns[i], argTypes[i] = fn, t
	}
	qual := ref.Alias
	if qual == "" {
		qual = f.Name
	}
	var cols []scopeCol
	var produce func(c *ctx, args []Value) ([]Value, error)
	var fields bool
	if s := srfs[f.Name]; s != nil {
		if len(f.Args) < s.min || len(f.Args) > max(s.max, s.min) {
			return nil, undefinedFunction(f.Name, argTypes)
		}
		produce = func(c *ctx, args []Value) ([]Value, error) { return s.impl(c, args, argTypes) }
		if s.fields != nil {
			fields = true
			for i, n := range s.fields {
				cols = append(cols, scopeCol{qual: qual, name: n, typ: s.ftypes[i], typmod: -1})
			}
		} else {
			name := qual
			if ref.Alias == "" {
				name = f.Name
			}
			cols = []scopeCol{{qual: qual, name: name, typ: s.ret(argTypes), typmod: -1}}
		}
	} else {
		b := builtins[f.Name]
		if b == nil || len(f.Args) < b.min || b.max >= 0 && len(f.Args) > max(b.max, b.min) {
			return nil, undefinedFunction(f.Name, argTypes)
		}
		produce = func(c *ctx, args []Value) ([]Value, error) {
			for _, a := range args {
				if a == nil && !b.lenient {
					return []Value{nil}, nil
				}
			}
			v, err := b.fn(c, args, argTypes)
			return []Value{v}, err
		}
		name := qual
		if ref.Alias == "" {
			name = f.Name
		}
		cols = []scopeCol{{qual: qual, name: name, typ: b.ret(append(argTypes, oidText)), typmod: -1}}
	}
	if ref.Ord {
		cols = append(cols, scopeCol{qual: qual, name: "ordinality", typ: oidInt8, typmod: -1})
	}
	for i, n := range ref.Cols {
		if i < len(cols) {
			cols[i].name = n
		}
	}
	return &source{cols: cols, rows: func(c *ctx) ([][]Value, error) {
		ec := c
		args := make([]Value, len(argFns))
		for i, fn := range argFns {
			v, err := fn(ec)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
		vals, err := produce(c, args)
		if err != nil {
			return nil, err
		}
		rows := make([][]Value, len(vals))
		for i, v := range vals {
			var row []Value
			if rec, ok := v.(Record); ok && fields {
				row = append(row, rec.Vals...)
			} else {
				row = []Value{v}
			}
			if ref.Ord {
				row = append(row, int64(i+1))
			}
			rows[i] = row
		}
		return rows, c.q.account(len(rows))
	}}, nil
}
