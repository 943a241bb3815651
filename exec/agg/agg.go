package agg

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/types"
)

// State is an aggregate's accumulator. It is owned by the caller between calls.
type State = any

// Arg is one argument of a call as the planner sees it.
type Arg struct {
	Type    types.Type
	Literal bool        // a constant in the SQL text
	Value   types.Value // its value when Literal
	// Text is the argument's SQL text, optional: error messages quote it when set (ksqlDB's
	// "must be a literal constant, but was expression: 'F0'").
	Text string
}

// Aggregator is a resolved aggregate call.
type Aggregator interface {
	Name() string
	ResultType() types.Type
	// ColumnArgs is how many leading arguments are evaluated per row and passed to Add/Undo
	// (the rest are ksqlDB's "init args": literals such as TOPK's k or LATEST_BY_OFFSET's n).
	ColumnArgs() int
	Init() State
	// Add folds one row's argument values into s and returns the new state (it may mutate s).
	Add(s State, args []types.Value) State
	// CanUndo reports whether the function supports retraction (aggregating a TABLE: when a
	// row changes or is deleted, its old values are undone).
	CanUndo() bool
	Undo(s State, args []types.Value) State
	// Merge combines two states (session windows merging); b is the later session.
	Merge(a, b State) State
	Result(s State) types.Value
	// AppendState serializes s (for the Pebble state store); DecodeState reads it back.
	AppendState(dst []byte, s State) []byte
	DecodeState(b []byte) (State, error)
}

// Func describes a function for SHOW FUNCTIONS / DESCRIBE FUNCTION / docs.
type Func struct {
	Name, Description, Example string
	Signatures                 []string // e.g. "SUM(col1 INT) → INT"
}

// Server properties that shape aggregate functions (ksqlDB's names). ResolveWith reads them.
const (
	// PropCollectListLimit caps COLLECT_LIST's array; values beyond it are ignored. ksqlDB's
	// default is no limit (Confluent Cloud fixes it at 1000); a negative value means no limit.
	PropCollectListLimit = "ksql.functions.collect_list.limit"
	// PropCollectSetLimit caps COLLECT_SET's array the same way.
	PropCollectSetLimit = "ksql.functions.collect_set.limit"
)

// HistogramLimit is the number of distinct values HISTOGRAM counts; others are ignored.
const HistogramLimit = 1000

// All returns every aggregate function, sorted by name.
func All() []*Func {
	out := make([]*Func, 0, len(registry))
	for _, d := range registry {
		out = append(out, d.fn)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup finds an aggregate function by name, case-insensitively; nil when unknown.
func Lookup(name string) *Func {
	if d := registry[strings.ToUpper(name)]; d != nil {
		return d.fn
	}
	return nil
}

// IsAggregate reports whether name is an aggregate function.
func IsAggregate(name string) bool { return registry[strings.ToUpper(name)] != nil }

// Resolve binds a call by name (case-insensitive) and its arguments, with ksqlDB's default
// properties. COUNT(*) is Resolve("COUNT", nil). Wrong argument types or counts give a
// *types.Error whose message names the function and the types.
func Resolve(name string, args []Arg) (Aggregator, error) {
	return ResolveWith(name, args, nil)
}

// ResolveWith is Resolve under the given ksqlDB properties (PropCollectListLimit,
// PropCollectSetLimit; others are ignored).
func ResolveWith(name string, args []Arg, props map[string]string) (Aggregator, error) {
	upper := strings.ToUpper(name)
	d := registry[upper]
	if d == nil {
		return nil, types.Errorf(types.CodeUndefinedFunction, "Can't find any functions with the name '%s'", name)
	}
	for _, a := range args {
		if a.Type.Kind == types.Unknown && upper != "COUNT" {
			// An untyped NULL cannot pick an overload: ksqlDB rejects it the same way.
			return nil, noMatch(d, args)
		}
	}
	a, err := d.resolve(&call{name: upper, args: args, props: props})
	if errors.Is(err, errNoMatch) {
		return nil, noMatch(d, args)
	}
	return a, err
}

// IntermediateType is the type of the state ksqlDB keeps for a (the aggregate schema its
// format must be able to write: STRUCT for AVG, ARRAY for TOPK ...). streamsql's own state
// encoding does not depend on it; the planner uses it to refuse formats that ksqlDB refuses.
func IntermediateType(a Aggregator) types.Type {
	if i, ok := a.(interface{ intermediate() types.Type }); ok {
		return i.intermediate()
	}
	return a.ResultType()
}

// --- registry --------------------------------------------------------------------------------

type def struct {
	fn      *Func
	resolve func(c *call) (Aggregator, error)
}

var registry = map[string]*def{}

func register(fn *Func, resolve func(c *call) (Aggregator, error)) {
	if _, dup := registry[fn.Name]; dup {
		panic("agg: function registered twice: " + fn.Name)
	}
	registry[fn.Name] = &def{fn: fn, resolve: resolve}
}

// call is a call being resolved.
type call struct {
	name  string
	args  []Arg
	props map[string]string
}

// errNoMatch makes Resolve report the generic "does not accept parameters" error.
var errNoMatch = errors.New("no matching signature")

func noMatch(d *def, args []Arg) error {
	ts := make([]types.Type, len(args))
	for i, a := range args {
		ts[i] = a.Type
	}
	return types.Errorf(types.CodeUndefinedFunction,
		"Function '%s' does not accept parameters %s.\nValid alternatives are:\n%s",
		d.fn.Name, typeList(ts), strings.Join(d.fn.Signatures, "\n"))
}

// literal checks that argument i (0-based) is a non-null literal constant.
func (c *call) literal(i int) error {
	a := c.args[i]
	if !a.Literal {
		if a.Text != "" {
			return types.Errorf(types.CodeInvalidParameter,
				"Parameter %d passed to function %s must be a literal constant, but was expression: '%s'",
				i+1, c.name, a.Text)
		}
		return types.Errorf(types.CodeInvalidParameter,
			"Parameter %d passed to function %s must be a literal constant", i+1, c.name)
	}
	if a.Value == nil {
		return types.Errorf(types.CodeInvalidParameter,
			"Parameter %d passed to function %s must not be NULL", i+1, c.name)
	}
	return nil
}

// intLiteral reads argument i as an INT literal.
func (c *call) intLiteral(i int) (int, error) {
	if err := c.literal(i); err != nil {
		return 0, err
	}
	switch v := c.args[i].Value.(type) {
	case int32:
		return int(v), nil
	case int64:
		return int(v), nil
	}
	return 0, errNoMatch
}

// boolLiteral reads argument i as a BOOLEAN literal.
func (c *call) boolLiteral(i int) (bool, error) {
	if err := c.literal(i); err != nil {
		return false, err
	}
	v, ok := c.args[i].Value.(bool)
	if !ok {
		return false, errNoMatch
	}
	return v, nil
}

// limit reads a collection-size property: -1 when unset or negative (no limit).
func (c *call) limit(prop string) (int, error) {
	s, ok := c.props[prop]
	if !ok || strings.TrimSpace(s) == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, types.Errorf(types.CodeInvalidParameter, "Invalid value '%s' for %s: not an integer", s, prop)
	}
	if n < 0 {
		return -1, nil
	}
	return n, nil
}

// base holds what every aggregator reports about itself.
type base struct {
	name  string
	ret   types.Type
	ncols int
	inter types.Type
}

func (b *base) Name() string                        { return b.name }
func (b *base) ResultType() types.Type              { return b.ret }
func (b *base) ColumnArgs() int                     { return b.ncols }
func (b *base) intermediate() types.Type            { return b.inter }
func (b *base) CanUndo() bool                       { return false }
func (b *base) Undo(s State, _ []types.Value) State { return s }

// --- messages --------------------------------------------------------------------------------

// typeName renders a type the way ksqlDB's messages do: like types.Type.String but with every
// STRUCT field name back-quoted, and null for the untyped NULL.
func typeName(t types.Type) string {
	var b strings.Builder
	writeTypeName(&b, t)
	return b.String()
}

func writeTypeName(b *strings.Builder, t types.Type) {
	switch t.Kind {
	case types.Unknown:
		b.WriteString("null")
	case types.Array:
		b.WriteString("ARRAY<")
		writeTypeName(b, *t.Elem)
		b.WriteString(">")
	case types.Map:
		b.WriteString("MAP<")
		writeTypeName(b, *t.Key)
		b.WriteString(", ")
		writeTypeName(b, *t.Elem)
		b.WriteString(">")
	case types.Struct:
		b.WriteString("STRUCT<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("`" + strings.ReplaceAll(f.Name, "`", "``") + "` ")
			writeTypeName(b, f.Type)
		}
		b.WriteString(">")
	default:
		b.WriteString(t.String())
	}
}

// typeList renders argument types for resolution messages: (INTEGER, null).
func typeList(ts []types.Type) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = typeName(t)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// corrupt is the error of a state that does not decode.
func corrupt(name string) error {
	return types.Errorf(types.CodeInternal, "agg: corrupt %s state", name)
}

var (
	_ Aggregator = (*countAgg)(nil)
	_ Aggregator = (*intSum)(nil)
	_ Aggregator = (*floatSum)(nil)
	_ Aggregator = (*decSum)(nil)
	_ Aggregator = (*avgAgg)(nil)
	_ Aggregator = (*minMaxAgg)(nil)
	_ Aggregator = (*statAgg)(nil)
	_ Aggregator = (*corrAgg)(nil)
	_ Aggregator = (*collectListAgg)(nil)
	_ Aggregator = (*collectSetAgg)(nil)
	_ Aggregator = (*histogramAgg)(nil)
	_ Aggregator = (*attrAgg)(nil)
	_ Aggregator = (*countDistinctAgg)(nil)
	_ Aggregator = (*offsetAgg)(nil)
	_ Aggregator = (*topkAgg)(nil)
)
