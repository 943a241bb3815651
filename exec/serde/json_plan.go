package serde

import (
	"strings"

	"github.com/streamsql/streamsql/types"
)

// node is the decoding and encoding plan of one SQL type, built once per codec.
type node struct {
	typ  types.Type
	kind types.Kind
	elem *node       // ARRAY element, MAP value
	obj  *objectPlan // STRUCT fields
}

func newNode(t types.Type) *node {
	n := &node{typ: t, kind: t.Kind}
	switch t.Kind {
	case types.Array, types.Map:
		n.elem = newNode(*t.Elem)
	case types.Struct:
		n.obj = newObjectPlan(t.Fields)
	}
	return n
}

// objectPlan matches JSON object members to the fields of a STRUCT or of a row.
//
// ksqlDB's rule (KsqlJsonDeserializer): a member whose name equals the field's name wins;
// otherwise a member whose upper-cased name equals it. Unquoted SQL names are upper-case, so
// {"id": 1} fills column ID, while a quoted column `id` takes only "id" itself.
type objectPlan struct {
	names []string
	nodes []*node
	index map[string]int
	// upperASCII: every name is ASCII without lower-case letters, the usual case. Then a
	// member can match only through its upper-casing, so one folded comparison decides.
	upperASCII bool
	// prefixes are the encoded `"NAME":` of each field, ready to append.
	prefixes [][]byte
}

func newObjectPlan(fields []types.Field) *objectPlan {
	p := &objectPlan{
		names:      make([]string, len(fields)),
		nodes:      make([]*node, len(fields)),
		index:      make(map[string]int, len(fields)),
		upperASCII: true,
		prefixes:   make([][]byte, len(fields)),
	}
	for i, f := range fields {
		p.names[i] = f.Name
		p.nodes[i] = newNode(f.Type)
		if _, dup := p.index[f.Name]; !dup {
			p.index[f.Name] = i
		}
		for j := 0; j < len(f.Name); j++ {
			if c := f.Name[j]; c >= 0x80 || (c >= 'a' && c <= 'z') {
				p.upperASCII = false
			}
		}
		pre := appendJSONString(nil, f.Name)
		p.prefixes[i] = append(pre, ':')
	}
	return p
}

// Match priorities: a later member replaces an earlier one of the same or lower priority, as
// Jackson keeps the last of duplicate names and ksqlDB prefers the exact match.
const (
	matchNone uint8 = iota
	matchFolded
	matchExact
)

// lookup finds the field a member name fills. hint is the field after the previous match:
// records usually list members in schema order, which makes the common case one comparison.
func (p *objectPlan) lookup(key []byte, hint int) (int, uint8) {
	if p.upperASCII {
		if hint < len(p.names) {
			if m := foldedMatch(key, p.names[hint]); m != matchNone {
				return hint, m
			}
		}
		var buf [64]byte
		up, changed := upperKey(buf[:0], key)
		if i, ok := p.index[string(up)]; ok {
			if changed {
				return i, matchFolded
			}
			return i, matchExact
		}
		return -1, matchNone
	}
	if hint < len(p.names) && string(key) == p.names[hint] {
		return hint, matchExact
	}
	if i, ok := p.index[string(key)]; ok {
		return i, matchExact
	}
	var buf [64]byte
	up, _ := upperKey(buf[:0], key)
	if i, ok := p.index[string(up)]; ok {
		return i, matchFolded
	}
	return -1, matchNone
}

// foldedMatch compares an ASCII key with an upper-case ASCII name: matchExact when equal,
// matchFolded when equal after upper-casing the key.
func foldedMatch(key []byte, name string) uint8 {
	if len(key) != len(name) {
		return matchNone
	}
	m := matchExact
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == name[i] {
			continue
		}
		if c >= 'a' && c <= 'z' && c-('a'-'A') == name[i] {
			m = matchFolded
			continue
		}
		return matchNone
	}
	return m
}

// upperKey upper-cases a member name as Java's String.toUpperCase does for the common cases,
// reporting whether anything changed. Non-ASCII names take the slow, allocating path.
func upperKey(dst, key []byte) ([]byte, bool) {
	changed := false
	for _, c := range key {
		if c >= 0x80 {
			up := strings.ToUpper(string(key))
			return append(dst[:0], up...), up != string(key)
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
			changed = true
		}
		dst = append(dst, c)
	}
	return dst, changed
}
