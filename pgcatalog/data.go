package pgcatalog

import (
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

// Env is what a catalog query sees of the server and the session.
type Env struct {
	// Relations are the engine's streams and tables (nil: none).
	Relations []api.Relation
	Settings  *Settings
	User      string
	Database  string
	PID       int32
	// Version is what version() returns.
	Version string
}

// userRel is a stream or table as the catalog shows it.
type userRel struct {
	oid     int64
	name    string
	kind    string
	desc    string
	cols    []userCol
	pkOID   int64 // index relation of the primary key (tables with key columns), 0 if none
	conOID  int64
	pkName  string
	pkCols  []int64 // attnums
	created string
}

type userCol struct {
	name    string
	typ     uint32
	typmod  int64
	notnull bool
}

// state is one query's snapshot of the catalog.
type state struct {
	env      *Env
	rels     []*userRel
	byOID    map[int64]*userRel
	relName  map[int64]string // every relation's regclass text
	relOID   map[string]int64 // "schema.name" and search-path names -> oid
	cache    map[*sysRelation][][]Value
	now      time.Time
	settings *Settings
}

// PgName is how a streamsql name appears in the Postgres catalog: an unquoted ksqlDB name is
// stored upper-cased, and shown lower-cased as Postgres folds unquoted names; a name with
// lower-case letters was quoted and stays as it is.
func PgName(name string) string {
	if name == strings.ToUpper(name) {
		return strings.ToLower(name)
	}
	return name
}

func newState(env *Env) *state {
	if env.Settings == nil {
		env.Settings = NewSettings(nil, "")
	}
	if env.User == "" {
		env.User = "streamsql"
	}
	if env.Database == "" {
		env.Database = "streamsql"
	}
	st := &state{
		env: env, byOID: map[int64]*userRel{}, relName: map[int64]string{}, relOID: map[string]int64{},
		cache: map[*sysRelation][][]Value{}, now: time.Now().UTC(), settings: env.Settings,
	}
	for _, r := range sysRelations {
		name := r.name
		if r.schema != "pg_catalog" {
			name = r.schema + "." + r.name
		}
		st.relName[r.oid] = name
		st.relOID[r.schema+"."+r.name] = r.oid
		if r.schema == "pg_catalog" {
			st.relOID[r.name] = r.oid
		}
	}
	used := map[int64]bool{}
	assign := func(key string) int64 {
		h := fnv.New32a()
		h.Write([]byte(key))
		oid := 16384 + int64(h.Sum32()%(1<<30))
		for used[oid] {
			oid++
		}
		used[oid] = true
		return oid
	}
	rels := append([]api.Relation(nil), env.Relations...)
	sort.Slice(rels, func(i, j int) bool { return rels[i].Name < rels[j].Name })
	for _, r := range rels {
		u := &userRel{oid: assign(r.Name), name: PgName(r.Name), kind: r.Kind, created: r.Statement}
		u.desc = strings.ToLower(r.Kind) + " on topic " + r.Topic
		if r.KeyFormat != "" || r.ValueFormat != "" {
			u.desc += " (key format " + r.KeyFormat + ", value format " + r.ValueFormat + ")"
		}
		for i, c := range r.Columns {
			oid, typmod := ColumnType(c.Type, c.Name)
			col := userCol{name: PgName(c.Name), typ: oid, typmod: typmod, notnull: c.Key && r.Kind == "TABLE"}
			u.cols = append(u.cols, col)
			if c.Key && r.Kind == "TABLE" {
				u.pkCols = append(u.pkCols, int64(i+1))
			}
		}
		if len(u.pkCols) > 0 {
			u.pkOID = assign(r.Name + "\x00pkey")
			u.conOID = assign(r.Name + "\x00pkeycon")
			u.pkName = u.name + "_pkey"
		}
		st.rels = append(st.rels, u)
		st.byOID[u.oid] = u
		st.relName[u.oid] = quoteIdent(u.name)
		st.relOID["public."+u.name] = u.oid
		if _, taken := st.relOID[u.name]; !taken {
			st.relOID[u.name] = u.oid
		}
		if u.pkOID != 0 {
			st.relName[u.pkOID] = quoteIdent(u.pkName)
			st.relOID["public."+u.pkName] = u.pkOID
			st.relOID[u.pkName] = u.pkOID
		}
	}
	return st
}

// ColumnType maps a streamsql column type to its Postgres type and type modifier, as the wire
// describes result columns: BOOLEAN bool, INT int4, BIGINT int8, DOUBLE float8,
// DECIMAL(p,s) numeric(p,s), STRING text, BYTES bytea, TIMESTAMP timestamp (ROWTIME
// timestamptz), DATE date, TIME time, ARRAY<T> T[], MAP, STRUCT and nested arrays jsonb.
func ColumnType(t types.Type, name string) (uint32, int64) {
	switch t.Kind {
	case types.Boolean:
		return oidBool, -1
	case types.Int:
		return oidInt4, -1
	case types.Bigint:
		return oidInt8, -1
	case types.Double:
		return oidFloat8, -1
	case types.Decimal:
		if t.Precision > 0 {
			return oidNumeric, int64(t.Precision<<16|t.Scale) + 4
		}
		return oidNumeric, -1
	case types.Bytes:
		return oidBytea, -1
	case types.Timestamp:
		if strings.EqualFold(name, "ROWTIME") {
			return oidTimestamptz, -1
		}
		return oidTimestamp, -1
	case types.Date:
		return oidDate, -1
	case types.Time:
		return oidTime, -1
	case types.Map, types.Struct:
		return oidJSONB, -1
	case types.Array:
		elem := types.StringType
		if t.Elem != nil {
			elem = *t.Elem
		}
		if elem.Kind == types.Array {
			return oidJSONB, -1
		}
		e, _ := ColumnType(elem, "")
		return arrayTypeOf(e), -1
	}
	return oidText, -1
}

// quoteIdent quotes an identifier when Postgres would.
func quoteIdent(s string) string {
	plain := s != ""
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '$')) {
			plain = false
			break
		}
	}
	if plain && !reserved[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// rowsOf returns (and caches for the query) a relation's rows.
func (st *state) rowsOf(r *sysRelation) [][]Value {
	if rows, ok := st.cache[r]; ok {
		return rows
	}
	var rows [][]Value
	if r.rows != nil {
		rows = r.rows(st)
	}
	st.cache[r] = rows
	return rows
}

// mk builds a row of r from name/value pairs; other columns get their type's neutral value:
// false, 0, "" for "char", and NULL for everything else.
func mk(r *sysRelation, kv ...any) []Value {
	row := make([]Value, len(r.cols))
	for i, c := range r.cols {
		switch c.typ {
		case oidBool:
			row[i] = false
		case oidInt2, oidInt4, oidInt8, oidOID, oidXID, oidFloat4:
			if c.typ == oidFloat4 {
				row[i] = float64(0)
			} else {
				row[i] = int64(0)
			}
		case oidChar:
			row[i] = ""
		case oidRegproc:
			row[i] = Reg{0, "-"}
		}
	}
	for k := 0; k+1 < len(kv); k += 2 {
		name := kv[k].(string)
		found := false
		for i, c := range r.cols {
			if c.name == name {
				row[i] = normalize(kv[k+1])
				found = true
				break
			}
		}
		if !found {
			panic("pgcatalog: no column " + name + " in " + r.name)
		}
	}
	return row
}

// normalize turns Go literals into catalog values.
func normalize(v any) Value {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint32:
		return int64(x)
	case int16:
		return int64(x)
	case float32:
		return float64(x)
	case []int64:
		out := make([]Value, len(x))
		for i, n := range x {
			out[i] = n
		}
		return out
	case []string:
		out := make([]Value, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return v
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

// relColumn is one column of any relation, for pg_attribute and information_schema.columns.
type relColumn struct {
	relOID  int64
	schema  string
	relName string
	kind    byte
	name    string
	num     int64
	typ     uint32
	typmod  int64
	notnull bool
}

// allColumns lists the columns of every relation: the catalog's own, then the user's (and
// their primary-key indexes).
func (st *state) allColumns() []relColumn {
	var out []relColumn
	for _, r := range sysRelations {
		for i, c := range r.cols {
			out = append(out, relColumn{r.oid, r.schema, r.name, r.kind, c.name, int64(i + 1), c.typ, -1, false})
		}
	}
	for _, u := range st.rels {
		for i, c := range u.cols {
			out = append(out, relColumn{u.oid, "public", u.name, 'r', c.name, int64(i + 1), c.typ, c.typmod, c.notnull})
		}
		for i, n := range u.pkCols {
			c := u.cols[n-1]
			out = append(out, relColumn{u.pkOID, "public", u.pkName, 'i', c.name, int64(i + 1), c.typ, c.typmod, false})
		}
	}
	return out
}

func nsOID(schema string) int64 {
	switch schema {
	case "pg_catalog":
		return nsPgCatalog
	case "information_schema":
		return nsInfoSchema
	}
	return nsPublic
}

func typeCollation(oid uint32) int64 {
	switch oid {
	case oidText, oidVarchar, oidBpchar:
		return collDefault
	case oidName:
		return collC
	}
	if isArrayType(oid) {
		return typeCollation(elemType(oid))
	}
	return 0
}

// dataType is information_schema's data_type: the SQL name, ARRAY for arrays.
func dataType(oid uint32) string {
	if isArrayType(oid) {
		return "ARRAY"
	}
	switch oid {
	case oidInt2Vector, oidOIDVector:
		return "ARRAY"
	}
	return typeByOID(oid).display
}

func numericPrecision(oid uint32, typmod int64) (prec, radix, scale Value) {
	switch oid {
	case oidInt2:
		return int64(16), int64(2), int64(0)
	case oidInt4, oidOID:
		return int64(32), int64(2), int64(0)
	case oidInt8:
		return int64(64), int64(2), int64(0)
	case oidFloat4:
		return int64(24), int64(2), nil
	case oidFloat8:
		return int64(53), int64(2), nil
	case oidNumeric:
		if typmod >= 4 {
			m := typmod - 4
			return m >> 16 & 0xffff, int64(10), m & 0xffff
		}
		return nil, int64(10), nil
	}
	return nil, nil, nil
}

func (st *state) indexDef(u *userRel) string {
	names := make([]string, len(u.pkCols))
	for i, n := range u.pkCols {
		names[i] = quoteIdent(u.cols[n-1].name)
	}
	return "CREATE UNIQUE INDEX " + quoteIdent(u.pkName) + " ON public." + quoteIdent(u.name) + " USING btree (" + strings.Join(names, ", ") + ")"
}

func (st *state) constraintDef(u *userRel) string {
	names := make([]string, len(u.pkCols))
	for i, n := range u.pkCols {
		names[i] = quoteIdent(u.cols[n-1].name)
	}
	return "PRIMARY KEY (" + strings.Join(names, ", ") + ")"
}

// bindRows attaches each catalog relation's row source.
func bindRows() {
	rel := func(name string) *sysRelation { return sysByName[name] }
	set := func(name string, f func(r *sysRelation, st *state) [][]Value) {
		r := rel(name)
		if r == nil {
			panic("pgcatalog: no relation " + name)
		}
		r.rows = func(st *state) [][]Value { return f(r, st) }
	}
	set("pg_catalog.pg_namespace", func(r *sysRelation, st *state) [][]Value {
		return [][]Value{
			mk(r, "oid", nsPgCatalog, "nspname", "pg_catalog", "nspowner", roleOID),
			mk(r, "oid", nsPgToast, "nspname", "pg_toast", "nspowner", roleOID),
			mk(r, "oid", nsPublic, "nspname", "public", "nspowner", roleOID),
			mk(r, "oid", nsInfoSchema, "nspname", "information_schema", "nspowner", roleOID),
		}
	})
	set("pg_catalog.pg_class", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, s := range sysRelations {
			rows = append(rows, mk(r, "oid", s.oid, "relname", s.name, "relnamespace", nsOID(s.schema), "relowner", roleOID,
				"relam", map[bool]int64{true: heapAM}[s.kind == 'r'], "relfilenode", s.oid, "relpersistence", "p", "relkind", string(s.kind),
				"relnatts", len(s.cols), "relispopulated", true, "relreplident", map[bool]string{true: "n", false: "d"}[s.kind == 'v'],
				"relfrozenxid", 0, "relminmxid", 0, "reltuples", float64(-1)))
		}
		for _, u := range st.rels {
			rows = append(rows, mk(r, "oid", u.oid, "relname", u.name, "relnamespace", nsPublic, "relowner", roleOID, "relam", heapAM,
				"relfilenode", u.oid, "relpersistence", "p", "relkind", "r", "relnatts", len(u.cols), "relhasindex", u.pkOID != 0,
				"relispopulated", true, "relreplident", "d", "reltuples", float64(-1)))
			if u.pkOID != 0 {
				rows = append(rows, mk(r, "oid", u.pkOID, "relname", u.pkName, "relnamespace", nsPublic, "relowner", roleOID, "relam", btreeAM,
					"relfilenode", u.pkOID, "relpersistence", "p", "relkind", "i", "relnatts", len(u.pkCols),
					"relispopulated", true, "relreplident", "n", "reltuples", float64(0)))
			}
		}
		return rows
	})
	set("pg_catalog.pg_attribute", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, c := range st.allColumns() {
			t := typeByOID(c.typ)
			ndims := 0
			if isArrayType(c.typ) {
				ndims = 1
			}
			rows = append(rows, mk(r, "attrelid", c.relOID, "attname", c.name, "atttypid", c.typ, "attstattarget", -1, "attlen", t.len,
				"attnum", c.num, "attndims", ndims, "attcacheoff", -1, "atttypmod", c.typmod, "attbyval", t.byval, "attalign", string(t.align),
				"attstorage", string(t.storage), "attnotnull", c.notnull, "attislocal", true, "attcollation", typeCollation(c.typ)))
		}
		return rows
	})
	set("pg_catalog.pg_type", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, oid := range sortedTypeOIDs() {
			t := pgTypes[oid]
			ndims := 0
			rows = append(rows, mk(r, "oid", t.oid, "typname", t.name, "typnamespace", nsPgCatalog, "typowner", roleOID, "typlen", t.len,
				"typbyval", t.byval, "typtype", string(t.typtype), "typcategory", string(t.category), "typispreferred", t.preferred,
				"typisdefined", true, "typdelim", ",", "typelem", t.elem, "typarray", t.array,
				"typinput", procReg(t.input), "typoutput", procReg(t.output), "typreceive", procReg(t.receive), "typsend", procReg(t.send),
				"typalign", string(t.align), "typstorage", string(t.storage), "typtypmod", -1, "typndims", ndims, "typcollation", typeCollation(oid)))
		}
		return rows
	})
	set("pg_catalog.pg_database", func(r *sysRelation, st *state) [][]Value {
		return [][]Value{mk(r, "oid", databaseOID, "datname", st.env.Database, "datdba", roleOID, "encoding", 6, "datlocprovider", "c",
			"datallowconn", true, "datconnlimit", -1, "datlastsysoid", 13999, "dattablespace", tablespaceDf, "datcollate", "C.UTF-8", "datctype", "C.UTF-8")}
	})
	set("pg_catalog.pg_settings", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, s := range st.settings.All() {
			rows = append(rows, mk(r, "name", s.Name, "setting", s.Value, "unit", nullIfEmpty(s.Unit), "category", s.Category,
				"short_desc", s.Desc, "context", s.Context, "vartype", s.VarType, "source", s.Source, "boot_val", s.Default,
				"reset_val", s.Default, "pending_restart", false))
		}
		return rows
	})
	roleRow := func(r *sysRelation, st *state, kv ...any) [][]Value {
		return [][]Value{mk(r, append([]any{"rolname", st.env.User, "rolsuper", true, "rolinherit", true, "rolcreaterole", true, "rolcreatedb", true,
			"rolcanlogin", true, "rolreplication", true, "rolconnlimit", -1, "rolpassword", "********", "rolbypassrls", true, "oid", roleOID}, kv...)...)}
	}
	set("pg_catalog.pg_roles", func(r *sysRelation, st *state) [][]Value { return roleRow(r, st) })
	set("pg_catalog.pg_authid", func(r *sysRelation, st *state) [][]Value { return roleRow(r, st, "rolpassword", nil) })
	userRow := func(r *sysRelation, st *state) [][]Value {
		return [][]Value{mk(r, "usename", st.env.User, "usesysid", roleOID, "usecreatedb", true, "usesuper", true, "userepl", true, "usebypassrls", true, "passwd", "********")}
	}
	set("pg_catalog.pg_user", userRow)
	set("pg_catalog.pg_shadow", userRow)
	set("pg_catalog.pg_am", func(r *sysRelation, st *state) [][]Value {
		return [][]Value{
			mk(r, "oid", heapAM, "amname", "heap", "amhandler", procReg("heap_tableam_handler"), "amtype", "t"),
			mk(r, "oid", btreeAM, "amname", "btree", "amhandler", procReg("bthandler"), "amtype", "i"),
			mk(r, "oid", 405, "amname", "hash", "amhandler", procReg("hashhandler"), "amtype", "i"),
		}
	})
	set("pg_catalog.pg_description", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, u := range st.rels {
			rows = append(rows, mk(r, "objoid", u.oid, "classoid", pgClassOID, "objsubid", 0, "description", u.desc))
		}
		return rows
	})
	set("pg_catalog.pg_index", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, u := range st.rels {
			if u.pkOID == 0 {
				continue
			}
			colls, classes, opts := make([]int64, len(u.pkCols)), make([]int64, len(u.pkCols)), make([]int64, len(u.pkCols))
			for i, n := range u.pkCols {
				colls[i] = typeCollation(u.cols[n-1].typ)
			}
			rows = append(rows, mk(r, "indexrelid", u.pkOID, "indrelid", u.oid, "indnatts", len(u.pkCols), "indnkeyatts", len(u.pkCols),
				"indisunique", true, "indisprimary", true, "indimmediate", true, "indisvalid", true, "indisready", true, "indislive", true,
				"indkey", u.pkCols, "indcollation", colls, "indclass", classes, "indoption", opts))
		}
		return rows
	})
	set("pg_catalog.pg_constraint", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, u := range st.rels {
			if u.pkOID == 0 {
				continue
			}
			rows = append(rows, mk(r, "oid", u.conOID, "conname", u.pkName, "connamespace", nsPublic, "contype", "p", "convalidated", true,
				"conrelid", u.oid, "conindid", u.pkOID, "confupdtype", " ", "confdeltype", " ", "confmatchtype", " ", "conislocal", true,
				"connoinherit", true, "conkey", u.pkCols))
		}
		return rows
	})
	set("pg_catalog.pg_collation", func(r *sysRelation, st *state) [][]Value {
		return [][]Value{
			mk(r, "oid", collDefault, "collname", "default", "collnamespace", nsPgCatalog, "collowner", roleOID, "collprovider", "d", "collisdeterministic", true, "collencoding", -1, "collcollate", "", "collctype", ""),
			mk(r, "oid", collC, "collname", "C", "collnamespace", nsPgCatalog, "collowner", roleOID, "collprovider", "c", "collisdeterministic", true, "collencoding", -1, "collcollate", "C", "collctype", "C"),
			mk(r, "oid", 951, "collname", "POSIX", "collnamespace", nsPgCatalog, "collowner", roleOID, "collprovider", "c", "collisdeterministic", true, "collencoding", -1, "collcollate", "POSIX", "collctype", "POSIX"),
		}
	})
	set("pg_catalog.pg_tablespace", func(r *sysRelation, st *state) [][]Value {
		return [][]Value{
			mk(r, "oid", tablespaceDf, "spcname", "pg_default", "spcowner", roleOID),
			mk(r, "oid", 1664, "spcname", "pg_global", "spcowner", roleOID),
		}
	})
	set("pg_catalog.pg_language", func(r *sysRelation, st *state) [][]Value {
		return [][]Value{
			mk(r, "oid", 12, "lanname", "internal", "lanowner", roleOID),
			mk(r, "oid", 13, "lanname", "c", "lanowner", roleOID),
			mk(r, "oid", 14, "lanname", "sql", "lanowner", roleOID, "lanpltrusted", true),
		}
	})
	set("pg_catalog.pg_tables", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, s := range sysRelations {
			if s.kind == 'r' {
				rows = append(rows, mk(r, "schemaname", s.schema, "tablename", s.name, "tableowner", st.env.User))
			}
		}
		for _, u := range st.rels {
			rows = append(rows, mk(r, "schemaname", "public", "tablename", u.name, "tableowner", st.env.User, "hasindexes", u.pkOID != 0))
		}
		return rows
	})
	set("pg_catalog.pg_views", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, s := range sysRelations {
			if s.kind == 'v' {
				rows = append(rows, mk(r, "schemaname", s.schema, "viewname", s.name, "viewowner", st.env.User, "definition", ""))
			}
		}
		return rows
	})
	set("pg_catalog.pg_indexes", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, u := range st.rels {
			if u.pkOID != 0 {
				rows = append(rows, mk(r, "schemaname", "public", "tablename", u.name, "indexname", u.pkName, "indexdef", st.indexDef(u)))
			}
		}
		return rows
	})
	statRows := func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, u := range st.rels {
			rows = append(rows, mk(r, "relid", u.oid, "schemaname", "public", "relname", u.name))
		}
		return rows
	}
	set("pg_catalog.pg_stat_user_tables", statRows)
	set("pg_catalog.pg_stat_all_tables", statRows)
	set("pg_catalog.pg_statio_user_tables", statRows)
	set("pg_catalog.pg_stat_activity", func(r *sysRelation, st *state) [][]Value {
		app, _ := st.settings.Get("application_name")
		return [][]Value{mk(r, "datid", databaseOID, "datname", st.env.Database, "pid", st.env.PID, "leader_pid", nil, "usesysid", roleOID,
			"usename", st.env.User, "application_name", app, "client_port", nil, "backend_start", st.now, "query_start", st.now, "state_change", st.now,
			"state", "active", "backend_xid", nil, "backend_xmin", nil, "query_id", nil, "query", "", "backend_type", "client backend")}
	})
	set("pg_catalog.pg_stat_database", func(r *sysRelation, st *state) [][]Value {
		return [][]Value{mk(r, "datid", databaseOID, "datname", st.env.Database, "numbackends", 1)}
	})

	// information_schema
	set("information_schema.schemata", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, s := range []string{"pg_catalog", "pg_toast", "public", "information_schema"} {
			rows = append(rows, mk(r, "catalog_name", st.env.Database, "schema_name", s, "schema_owner", st.env.User))
		}
		return rows
	})
	set("information_schema.tables", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, s := range sysRelations {
			tt := "BASE TABLE"
			if s.kind == 'v' {
				tt = "VIEW"
			}
			rows = append(rows, mk(r, "table_catalog", st.env.Database, "table_schema", s.schema, "table_name", s.name, "table_type", tt,
				"is_insertable_into", yesNo(s.kind == 'r'), "is_typed", "NO"))
		}
		for _, u := range st.rels {
			rows = append(rows, mk(r, "table_catalog", st.env.Database, "table_schema", "public", "table_name", u.name, "table_type", "BASE TABLE",
				"is_insertable_into", "YES", "is_typed", "NO"))
		}
		return rows
	})
	set("information_schema.columns", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, c := range st.allColumns() {
			if c.kind == 'i' {
				continue
			}
			t := typeByOID(c.typ)
			prec, radix, scale := numericPrecision(c.typ, c.typmod)
			var dtp, octet Value
			switch c.typ {
			case oidTimestamp, oidTimestamptz, oidTime, oidTimetz:
				dtp = int64(6)
			case oidDate:
				dtp = int64(0)
			case oidText, oidVarchar, oidBpchar:
				octet = int64(1073741824)
			}
			var coll Value
			if typeCollation(c.typ) == collDefault {
				coll = nil
			}
			rows = append(rows, mk(r, "table_catalog", st.env.Database, "table_schema", c.schema, "table_name", c.relName, "column_name", c.name,
				"ordinal_position", c.num, "is_nullable", yesNo(!c.notnull), "data_type", dataType(c.typ), "character_octet_length", octet,
				"numeric_precision", prec, "numeric_precision_radix", radix, "numeric_scale", scale, "datetime_precision", dtp,
				"collation_name", coll, "udt_catalog", st.env.Database, "udt_schema", "pg_catalog", "udt_name", t.name,
				"dtd_identifier", itoa(int(c.num)), "is_self_referencing", "NO", "is_identity", "NO", "identity_cycle", "NO",
				"is_generated", "NEVER", "is_updatable", yesNo(c.kind == 'r')))
		}
		return rows
	})
	set("information_schema.table_constraints", func(r *sysRelation, st *state) [][]Value {
		var rows [][]Value
		for _, u := range st.rels {
			if u.pkOID != 0 {
				rows = append(rows, mk(r, "constraint_catalog", st.env.Database, "constraint_schema", "public", "constraint_name", u.pkName,
					"table_catalog", st.env.Database, "table_schema", "public", "table_name", u.name, "constraint_type", "PRIMARY KEY",
					"is_deferrable", "NO", "initially_deferred", "NO", "enforced", "YES"))
			}
		}
		return rows
	})
	keyRows := func(r *sysRelation, st *state, withPos bool) [][]Value {
		var rows [][]Value
		for _, u := range st.rels {
			for i, n := range u.pkCols {
				kv := []any{"constraint_catalog", st.env.Database, "constraint_schema", "public", "constraint_name", u.pkName,
					"table_catalog", st.env.Database, "table_schema", "public", "table_name", u.name, "column_name", u.cols[n-1].name}
				if withPos {
					kv = append(kv, "ordinal_position", i+1)
				}
				rows = append(rows, mk(r, kv...))
			}
		}
		return rows
	}
	set("information_schema.key_column_usage", func(r *sysRelation, st *state) [][]Value { return keyRows(r, st, true) })
	set("information_schema.constraint_column_usage", func(r *sysRelation, st *state) [][]Value { return keyRows(r, st, false) })
	set("information_schema.enabled_roles", func(r *sysRelation, st *state) [][]Value {
		return [][]Value{mk(r, "role_name", st.env.User)}
	})
	set("information_schema.character_sets", func(r *sysRelation, st *state) [][]Value {
		return [][]Value{mk(r, "character_set_name", "UTF8", "character_repertoire", "UCS", "form_of_use", "UTF8", "default_collate_catalog", st.env.Database)}
	})
}

func nullIfEmpty(s string) Value {
	if s == "" {
		return nil
	}
	return s
}

// procOIDs are the real OIDs of functions clients compare by name (typinput = 'array_in'::regproc).
var procOIDs = map[string]int64{"array_in": 750, "array_out": 751, "record_in": 2290, "boolin": 1242, "int4in": 42, "textin": 46}

// procReg makes the regproc value of a function name; "-" is OID 0.
func procReg(name string) Reg {
	if name == "" || name == "-" {
		return Reg{0, "-"}
	}
	return Reg{procOID(name), name}
}

func procOID(name string) int64 {
	if oid, ok := procOIDs[name]; ok {
		return oid
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return 8000 + int64(h.Sum32()%4000)
}
