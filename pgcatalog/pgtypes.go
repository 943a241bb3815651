package pgcatalog

import (
	"sort"
	"strconv"
	"strings"
)

// Built-in type OIDs.
const (
	oidBool         uint32 = 16
	oidBytea        uint32 = 17
	oidChar         uint32 = 18
	oidName         uint32 = 19
	oidInt8         uint32 = 20
	oidInt2         uint32 = 21
	oidInt2Vector   uint32 = 22
	oidInt4         uint32 = 23
	oidRegproc      uint32 = 24
	oidText         uint32 = 25
	oidOID          uint32 = 26
	oidTID          uint32 = 27
	oidXID          uint32 = 28
	oidCID          uint32 = 29
	oidOIDVector    uint32 = 30
	oidJSON         uint32 = 114
	oidXML          uint32 = 142
	oidPgNodeTree   uint32 = 194
	oidPoint        uint32 = 600
	oidFloat4       uint32 = 700
	oidFloat8       uint32 = 701
	oidUnknown      uint32 = 705
	oidMoney        uint32 = 790
	oidInet         uint32 = 869
	oidCidr         uint32 = 650
	oidAclitem      uint32 = 1033
	oidBpchar       uint32 = 1042
	oidVarchar      uint32 = 1043
	oidDate         uint32 = 1082
	oidTime         uint32 = 1083
	oidTimestamp    uint32 = 1114
	oidTimestamptz  uint32 = 1184
	oidInterval     uint32 = 1186
	oidTimetz       uint32 = 1266
	oidBit          uint32 = 1560
	oidVarbit       uint32 = 1562
	oidNumeric      uint32 = 1700
	oidRegprocedure uint32 = 2202
	oidRegoper      uint32 = 2203
	oidRegclass     uint32 = 2205
	oidRegtype      uint32 = 2206
	oidRecord       uint32 = 2249
	oidCstring      uint32 = 2275
	oidAny          uint32 = 2276
	oidAnyarray     uint32 = 2277
	oidVoid         uint32 = 2278
	oidTrigger      uint32 = 2279
	oidAnyelement   uint32 = 2283
	oidUUID         uint32 = 2950
	oidTsvector     uint32 = 3614
	oidJSONB        uint32 = 3802
	oidRegnamespace uint32 = 4089
	oidRegrole      uint32 = 4096
	oidRegconfig    uint32 = 3734

	oidBoolArray        uint32 = 1000
	oidByteaArray       uint32 = 1001
	oidCharArray        uint32 = 1002
	oidNameArray        uint32 = 1003
	oidInt2Array        uint32 = 1005
	oidInt2VectorArray  uint32 = 1006
	oidInt4Array        uint32 = 1007
	oidRegprocArray     uint32 = 1008
	oidTextArray        uint32 = 1009
	oidTIDArray         uint32 = 1010
	oidXIDArray         uint32 = 1011
	oidCIDArray         uint32 = 1012
	oidOIDVectorArray   uint32 = 1013
	oidBpcharArray      uint32 = 1014
	oidVarcharArray     uint32 = 1015
	oidInt8Array        uint32 = 1016
	oidFloat4Array      uint32 = 1021
	oidFloat8Array      uint32 = 1022
	oidOIDArray         uint32 = 1028
	oidAclitemArray     uint32 = 1034
	oidCstringArray     uint32 = 1263
	oidTimestampArray   uint32 = 1115
	oidDateArray        uint32 = 1182
	oidTimeArray        uint32 = 1183
	oidTimestamptzArray uint32 = 1185
	oidIntervalArray    uint32 = 1187
	oidNumericArray     uint32 = 1231
	oidTimetzArray      uint32 = 1270
	oidUUIDArray        uint32 = 2951
	oidJSONArray        uint32 = 199
	oidXMLArray         uint32 = 143
	oidJSONBArray       uint32 = 3807
	oidRecordArray      uint32 = 2287
	oidRegclassArray    uint32 = 2210
	oidRegtypeArray     uint32 = 2211
	oidRegprocedureArr  uint32 = 2207
	oidRegnamespaceArr  uint32 = 4090
	oidRegroleArray     uint32 = 4097
	oidPgNodeTreeArray  uint32 = 0
	oidInetArray        uint32 = 1041
	oidMoneyArray       uint32 = 791
	oidBitArray         uint32 = 1561
	oidVarbitArray      uint32 = 1563
)

// pgType is one row of pg_type for a built-in type.
type pgType struct {
	oid       uint32
	name      string // typname
	display   string // format_type
	len       int16
	byval     bool
	typtype   byte // b base, p pseudo
	category  byte
	preferred bool
	elem      uint32 // element type of an array (or a vector)
	array     uint32 // the array type of this type
	input     string // typinput
	output    string
	receive   string
	send      string
	align     byte
	storage   byte
	collation uint32
}

var pgTypes = map[uint32]*pgType{}

func addType(t pgType) {
	if t.input == "" {
		t.input, t.output, t.receive, t.send = t.name+"in", t.name+"out", t.name+"recv", t.name+"send"
	}
	if t.display == "" {
		t.display = t.name
	}
	if t.align == 0 {
		t.align = 'i'
	}
	if t.storage == 0 {
		t.storage = 'p'
		if t.len == -1 {
			t.storage = 'x'
		}
	}
	if t.typtype == 0 {
		t.typtype = 'b'
	}
	pgTypes[t.oid] = &t
	if t.array != 0 {
		pgTypes[t.array] = &pgType{
			oid: t.array, name: "_" + t.name, display: t.display + "[]", len: -1, typtype: 'b', category: 'A',
			elem: t.oid, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send",
			align: t.align, storage: 'x', collation: t.collation,
		}
	}
}

func init() {
	for _, t := range []pgType{
		{oid: oidBool, name: "bool", display: "boolean", len: 1, byval: true, category: 'B', preferred: true, array: oidBoolArray, input: "boolin", output: "boolout", receive: "boolrecv", send: "boolsend", align: 'c'},
		{oid: oidBytea, name: "bytea", len: -1, category: 'U', array: oidByteaArray, input: "byteain", output: "byteaout", receive: "bytearecv", send: "byteasend"},
		{oid: oidChar, name: "char", display: `"char"`, len: 1, byval: true, category: 'Z', array: oidCharArray, input: "charin", output: "charout", receive: "charrecv", send: "charsend", align: 'c'},
		{oid: oidName, name: "name", len: 64, category: 'S', elem: oidChar, array: oidNameArray, input: "namein", output: "nameout", receive: "namerecv", send: "namesend", align: 'c', collation: 950},
		{oid: oidInt8, name: "int8", display: "bigint", len: 8, byval: true, category: 'N', array: oidInt8Array, input: "int8in", output: "int8out", receive: "int8recv", send: "int8send", align: 'd'},
		{oid: oidInt2, name: "int2", display: "smallint", len: 2, byval: true, category: 'N', array: oidInt2Array, input: "int2in", output: "int2out", receive: "int2recv", send: "int2send", align: 's'},
		{oid: oidInt2Vector, name: "int2vector", len: -1, category: 'A', elem: oidInt2, array: oidInt2VectorArray},
		{oid: oidInt4, name: "int4", display: "integer", len: 4, byval: true, category: 'N', array: oidInt4Array, input: "int4in", output: "int4out", receive: "int4recv", send: "int4send"},
		{oid: oidRegproc, name: "regproc", len: 4, byval: true, category: 'N', array: oidRegprocArray},
		{oid: oidText, name: "text", len: -1, category: 'S', preferred: true, array: oidTextArray, input: "textin", output: "textout", receive: "textrecv", send: "textsend", collation: 100},
		{oid: oidOID, name: "oid", len: 4, byval: true, category: 'N', preferred: true, array: oidOIDArray},
		{oid: oidTID, name: "tid", len: 6, category: 'U', array: oidTIDArray, align: 's'},
		{oid: oidXID, name: "xid", len: 4, byval: true, category: 'U', array: oidXIDArray},
		{oid: oidCID, name: "cid", len: 4, byval: true, category: 'U', array: oidCIDArray},
		{oid: oidOIDVector, name: "oidvector", len: -1, category: 'A', elem: oidOID, array: oidOIDVectorArray},
		{oid: oidJSON, name: "json", len: -1, category: 'U', array: oidJSONArray, input: "json_in", output: "json_out", receive: "json_recv", send: "json_send"},
		{oid: oidXML, name: "xml", len: -1, category: 'U', array: oidXMLArray, input: "xml_in", output: "xml_out", receive: "xml_recv", send: "xml_send"},
		{oid: oidPgNodeTree, name: "pg_node_tree", len: -1, category: 'S', input: "pg_node_tree_in", output: "pg_node_tree_out", receive: "pg_node_tree_recv", send: "pg_node_tree_send", collation: 100},
		{oid: oidFloat4, name: "float4", display: "real", len: 4, byval: true, category: 'N', array: oidFloat4Array, input: "float4in", output: "float4out", receive: "float4recv", send: "float4send"},
		{oid: oidFloat8, name: "float8", display: "double precision", len: 8, byval: true, category: 'N', preferred: true, array: oidFloat8Array, input: "float8in", output: "float8out", receive: "float8recv", send: "float8send", align: 'd'},
		{oid: oidUnknown, name: "unknown", len: -2, category: 'X', typtype: 'p', input: "unknownin", output: "unknownout", receive: "unknownrecv", send: "unknownsend", align: 'c'},
		{oid: oidMoney, name: "money", len: 8, byval: true, category: 'N', array: oidMoneyArray, input: "cash_in", output: "cash_out", receive: "cash_recv", send: "cash_send", align: 'd'},
		{oid: oidCidr, name: "cidr", len: -1, category: 'I', array: 651, input: "cidr_in", output: "cidr_out", receive: "cidr_recv", send: "cidr_send"},
		{oid: oidInet, name: "inet", len: -1, category: 'I', preferred: true, array: oidInetArray, input: "inet_in", output: "inet_out", receive: "inet_recv", send: "inet_send"},
		{oid: oidAclitem, name: "aclitem", len: 12, category: 'U', array: oidAclitemArray, input: "aclitemin", output: "aclitemout", receive: "-", send: "-"},
		{oid: oidBpchar, name: "bpchar", display: "character", len: -1, category: 'S', array: oidBpcharArray, input: "bpcharin", output: "bpcharout", receive: "bpcharrecv", send: "bpcharsend", collation: 100},
		{oid: oidVarchar, name: "varchar", display: "character varying", len: -1, category: 'S', array: oidVarcharArray, input: "varcharin", output: "varcharout", receive: "varcharrecv", send: "varcharsend", collation: 100},
		{oid: oidDate, name: "date", len: 4, byval: true, category: 'D', array: oidDateArray, input: "date_in", output: "date_out", receive: "date_recv", send: "date_send"},
		{oid: oidTime, name: "time", display: "time without time zone", len: 8, byval: true, category: 'D', array: oidTimeArray, input: "time_in", output: "time_out", receive: "time_recv", send: "time_send", align: 'd'},
		{oid: oidTimestamp, name: "timestamp", display: "timestamp without time zone", len: 8, byval: true, category: 'D', array: oidTimestampArray, input: "timestamp_in", output: "timestamp_out", receive: "timestamp_recv", send: "timestamp_send", align: 'd'},
		{oid: oidTimestamptz, name: "timestamptz", display: "timestamp with time zone", len: 8, byval: true, category: 'D', preferred: true, array: oidTimestamptzArray, input: "timestamptz_in", output: "timestamptz_out", receive: "timestamptz_recv", send: "timestamptz_send", align: 'd'},
		{oid: oidInterval, name: "interval", len: 16, category: 'T', preferred: true, array: oidIntervalArray, input: "interval_in", output: "interval_out", receive: "interval_recv", send: "interval_send", align: 'd'},
		{oid: oidTimetz, name: "timetz", display: "time with time zone", len: 12, category: 'D', array: oidTimetzArray, input: "timetz_in", output: "timetz_out", receive: "timetz_recv", send: "timetz_send", align: 'd'},
		{oid: oidBit, name: "bit", len: -1, category: 'V', array: oidBitArray, input: "bit_in", output: "bit_out", receive: "bit_recv", send: "bit_send"},
		{oid: oidVarbit, name: "varbit", display: "bit varying", len: -1, category: 'V', preferred: true, array: oidVarbitArray, input: "varbit_in", output: "varbit_out", receive: "varbit_recv", send: "varbit_send"},
		{oid: oidNumeric, name: "numeric", len: -1, category: 'N', array: oidNumericArray, input: "numeric_in", output: "numeric_out", receive: "numeric_recv", send: "numeric_send", storage: 'm'},
		{oid: oidRegprocedure, name: "regprocedure", len: 4, byval: true, category: 'N', array: oidRegprocedureArr},
		{oid: oidRegoper, name: "regoper", len: 4, byval: true, category: 'N', array: 2208},
		{oid: oidRegclass, name: "regclass", len: 4, byval: true, category: 'N', array: oidRegclassArray},
		{oid: oidRegtype, name: "regtype", len: 4, byval: true, category: 'N', array: oidRegtypeArray},
		{oid: oidRegconfig, name: "regconfig", len: 4, byval: true, category: 'N', array: 3735},
		{oid: oidRegnamespace, name: "regnamespace", len: 4, byval: true, category: 'N', array: oidRegnamespaceArr},
		{oid: oidRegrole, name: "regrole", len: 4, byval: true, category: 'N', array: oidRegroleArray},
		{oid: oidRecord, name: "record", len: -1, typtype: 'p', category: 'P', array: oidRecordArray, input: "record_in", output: "record_out", receive: "record_recv", send: "record_send", align: 'd'},
		{oid: oidCstring, name: "cstring", len: -2, typtype: 'p', category: 'P', array: oidCstringArray, input: "cstring_in", output: "cstring_out", receive: "cstring_recv", send: "cstring_send", align: 'c'},
		{oid: oidAny, name: "any", display: `"any"`, len: 4, byval: true, typtype: 'p', category: 'P', input: "any_in", output: "any_out", receive: "-", send: "-"},
		{oid: oidAnyarray, name: "anyarray", len: -1, typtype: 'p', category: 'P', input: "anyarray_in", output: "anyarray_out", receive: "anyarray_recv", send: "anyarray_send", align: 'd'},
		{oid: oidAnyelement, name: "anyelement", len: 4, byval: true, typtype: 'p', category: 'P', input: "anyelement_in", output: "anyelement_out", receive: "-", send: "-"},
		{oid: oidVoid, name: "void", len: 4, byval: true, typtype: 'p', category: 'P', input: "void_in", output: "void_out", receive: "void_recv", send: "void_send"},
		{oid: oidTrigger, name: "trigger", len: 4, byval: true, typtype: 'p', category: 'P', input: "trigger_in", output: "trigger_out", receive: "-", send: "-"},
		{oid: oidUUID, name: "uuid", len: 16, category: 'U', array: oidUUIDArray, input: "uuid_in", output: "uuid_out", receive: "uuid_recv", send: "uuid_send", align: 'c'},
		{oid: oidTsvector, name: "tsvector", len: -1, category: 'U', array: 3643, input: "tsvectorin", output: "tsvectorout", receive: "tsvectorrecv", send: "tsvectorsend"},
		{oid: oidJSONB, name: "jsonb", len: -1, category: 'U', array: oidJSONBArray, input: "jsonb_in", output: "jsonb_out", receive: "jsonb_recv", send: "jsonb_send"},
	} {
		addType(t)
	}
}

func typeByOID(oid uint32) *pgType {
	if t := pgTypes[oid]; t != nil {
		return t
	}
	return pgTypes[oidText]
}

// isArrayType reports whether oid is a true array type (not a vector).
func isArrayType(oid uint32) bool {
	t := pgTypes[oid]
	return t != nil && t.category == 'A' && oid != oidInt2Vector && oid != oidOIDVector
}

func elemType(oid uint32) uint32 {
	if t := pgTypes[oid]; t != nil && t.elem != 0 && (t.category == 'A') {
		return t.elem
	}
	return 0
}

func arrayTypeOf(oid uint32) uint32 {
	if t := pgTypes[oid]; t != nil && t.array != 0 {
		return t.array
	}
	if oid == oidUnknown {
		return oidTextArray
	}
	return oidTextArray
}

// typeAliases maps the type names SQL accepts to their OIDs.
var typeAliases = map[string]uint32{
	"int": oidInt4, "integer": oidInt4, "int4": oidInt4, "smallint": oidInt2, "int2": oidInt2, "bigint": oidInt8,
	"int8": oidInt8, "real": oidFloat4, "float4": oidFloat4, "double precision": oidFloat8, "float8": oidFloat8,
	"float": oidFloat8, "numeric": oidNumeric, "decimal": oidNumeric, "boolean": oidBool, "bool": oidBool,
	"text": oidText, "varchar": oidVarchar, "character varying": oidVarchar, "character": oidBpchar,
	"char": oidBpchar, "bpchar": oidBpchar, `"char"`: oidChar, "name": oidName, "oid": oidOID,
	"regclass": oidRegclass, "regtype": oidRegtype, "regproc": oidRegproc, "regprocedure": oidRegprocedure,
	"regnamespace": oidRegnamespace, "regrole": oidRegrole, "regoper": oidRegoper, "regconfig": oidRegconfig,
	"json": oidJSON, "jsonb": oidJSONB, "timestamp": oidTimestamp, "timestamp without time zone": oidTimestamp,
	"timestamptz": oidTimestamptz, "timestamp with time zone": oidTimestamptz, "date": oidDate, "time": oidTime,
	"time without time zone": oidTime, "timetz": oidTimetz, "time with time zone": oidTimetz,
	"interval": oidInterval, "bytea": oidBytea, "uuid": oidUUID, "int2vector": oidInt2Vector,
	"oidvector": oidOIDVector, "xid": oidXID, "cid": oidCID, "tid": oidTID, "pg_node_tree": oidPgNodeTree,
	"aclitem": oidAclitem, "record": oidRecord, "cstring": oidCstring, "anyarray": oidAnyarray, "void": oidVoid,
	"unknown": oidUnknown, "inet": oidInet, "cidr": oidCidr, "xml": oidXML, "money": oidMoney, "bit": oidBit,
	"bit varying": oidVarbit, "varbit": oidVarbit, "anyelement": oidAnyelement, "tsvector": oidTsvector,
}

// resolveTypeName finds a type by a name as written (lower-cased, or `"char"`); _name means
// name's array type. OID 0 means unknown.
func resolveTypeName(name string) TypeName {
	if oid, ok := typeAliases[name]; ok {
		return TypeName{Name: typeByOID(oid).display, OID: oid}
	}
	if strings.HasPrefix(name, "_") {
		if oid, ok := typeAliases[name[1:]]; ok && typeByOID(oid).array != 0 {
			arr := typeByOID(oid).array
			return TypeName{Name: typeByOID(arr).display, OID: arr, Array: true}
		}
	}
	for _, t := range pgTypes {
		if t.name == name {
			return TypeName{Name: t.display, OID: t.oid, Array: isArrayType(t.oid)}
		}
	}
	return TypeName{}
}

// formatType is format_type(oid, typmod).
func formatType(oid uint32, typmod int64) string {
	t := pgTypes[oid]
	if t == nil {
		return "???"
	}
	name := t.display
	suffix := ""
	if isArrayType(oid) {
		name = typeByOID(t.elem).display
		suffix = "[]"
		oid = t.elem
	}
	if typmod >= 0 {
		switch oid {
		case oidVarchar, oidBpchar:
			if typmod >= 4 {
				name += "(" + strconv.FormatInt(typmod-4, 10) + ")"
			}
		case oidNumeric:
			if typmod >= 4 {
				m := typmod - 4
				name += "(" + strconv.FormatInt(m>>16&0xffff, 10) + "," + strconv.FormatInt(m&0xffff, 10) + ")"
			}
		case oidTimestamp, oidTimestamptz, oidTime, oidTimetz:
			name = strings.Replace(name, " with", "("+strconv.FormatInt(typmod, 10)+") with", 1)
		}
	}
	return name + suffix
}

// sortedTypeOIDs lists every built-in type in OID order, for pg_type.
func sortedTypeOIDs() []uint32 {
	out := make([]uint32, 0, len(pgTypes))
	for oid := range pgTypes {
		out = append(out, oid)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
