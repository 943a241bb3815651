package expr

import (
	"strings"

	"github.com/streamsql/streamsql/types"
)

// impl is a function implementation for concrete argument types. Exactly one form is set; the
// fixed-arity forms let the call node evaluate arguments into locals, so a call allocates
// nothing beyond what the function itself returns.
type impl struct {
	f0 func() (types.Value, error)
	f1 func(a types.Value) (types.Value, error)
	f2 func(a, b types.Value) (types.Value, error)
	f3 func(a, b, c types.Value) (types.Value, error)
	fn func(args []types.Value) (types.Value, error)
	// lazy gets the input row and the argument expressions (lambdas compiled) and evaluates
	// them itself: for lambdas and for functions that must not evaluate every argument.
	lazy func(row types.Row, args []Expr) (types.Value, error)
}

type valueFn1 = func(a types.Value) (types.Value, error)
type valueFn2 = func(a, b types.Value) (types.Value, error)
type valueFn3 = func(a, b, c types.Value) (types.Value, error)
type valueFnN = func(args []types.Value) (types.Value, error)
type implBuilder = func(args []types.Type, ret types.Type) impl

func i0(f func() (types.Value, error)) implBuilder {
	return func([]types.Type, types.Type) impl { return impl{f0: f} }
}
func i1(f valueFn1) implBuilder { return func([]types.Type, types.Type) impl { return impl{f1: f} } }
func i2(f valueFn2) implBuilder { return func([]types.Type, types.Type) impl { return impl{f2: f} } }
func i3(f valueFn3) implBuilder { return func([]types.Type, types.Type) impl { return impl{f3: f} } }
func iN(f valueFnN) implBuilder { return func([]types.Type, types.Type) impl { return impl{fn: f} } }

// strict wrappers return NULL when any argument is NULL, the behaviour of most ksqlDB UDFs.
func strict1(f valueFn1) valueFn1 {
	return func(a types.Value) (types.Value, error) {
		if a == nil {
			return nil, nil
		}
		return f(a)
	}
}

func strict2(f valueFn2) valueFn2 {
	return func(a, b types.Value) (types.Value, error) {
		if a == nil || b == nil {
			return nil, nil
		}
		return f(a, b)
	}
}

func strict3(f valueFn3) valueFn3 {
	return func(a, b, c types.Value) (types.Value, error) {
		if a == nil || b == nil || c == nil {
			return nil, nil
		}
		return f(a, b, c)
	}
}

// fnError is a function's per-record failure, ksqlDB's KsqlFunctionException.
func fnError(name string, format string, args ...any) error {
	return evalErrorf(types.CodeDataException, name+": "+format, args...)
}

type callNode struct {
	name string
	orig []Expr
	args []Expr
	t    types.Type
	im   impl
}

// catchNode turns its operand's evaluation failure into NULL.
type catchNode struct{ e Expr }

func (c *catchNode) Type() types.Type { return c.e.Type() }
func (c *catchNode) String() string   { return c.e.String() }
func (c *catchNode) Eval(row types.Row) (types.Value, error) {
	v, err := c.e.Eval(row)
	if err != nil {
		return nil, nil
	}
	return v, nil
}

// Call builds a scalar function call. The overload is chosen as ksqlDB's UdfIndex does: first
// without implicit casts, then with them (INT → BIGINT → DECIMAL → DOUBLE, STRING → DATE, TIME,
// TIMESTAMP); NULL arguments match any parameter; type variables bind exactly; among several
// candidates a non-variadic one with more parameters and fewer type variables wins, and a tie is
// an "ambiguous" error. Arguments that need a conversion get an implicit CAST.
func Call(name string, args []Expr) (Expr, error) {
	f, ok := Lookup(name)
	if !ok {
		return nil, types.Errorf(types.CodeUndefinedFunction, "Can't find any functions with the name '%s'", name)
	}
	return callFunc(f, name, args)
}

// callFunc builds a call of f (a scalar function, or a table function whose value is the
// list of its rows).
func callFunc(f *Func, name string, args []Expr) (Expr, error) {
	c, err := resolve(f, name, args)
	if err != nil {
		return nil, err
	}
	argTypes := make([]types.Type, len(args))
	conv := make([]Expr, len(args))
	for i, a := range args {
		switch {
		case c.lambdas[i] != nil:
			conv[i] = c.lambdas[i]
		case c.targets[i].Kind != types.Unknown && !a.Type().Equal(c.targets[i]):
			conv[i] = implicitCast(a, c.targets[i])
		default:
			conv[i] = a
		}
		argTypes[i] = conv[i].Type()
		switch a.(type) {
		case *callNode, *fieldNode:
			// ksqlDB's nested error handling: a failing call or dereference passed to a
			// function is NULL for it.
			if conv[i] == a {
				conv[i] = &catchNode{a}
			}
		}
	}
	ret, err := c.sig.ret(argTypes, c.b)
	if err != nil {
		return nil, err
	}
	return &callNode{name: f.Name, orig: args, args: conv, t: ret, im: c.sig.impl(argTypes, ret)}, nil
}

func (n *callNode) Type() types.Type { return n.t }
func (n *callNode) String() string   { return n.name + "(" + joinExprs(n.orig) + ")" }

func (n *callNode) arg(row types.Row, i int) (types.Value, error) {
	return n.args[i].Eval(row)
}

func (n *callNode) Eval(row types.Row) (types.Value, error) {
	im := &n.im
	switch {
	case im.lazy != nil:
		return im.lazy(row, n.args)
	case im.f0 != nil:
		return im.f0()
	case im.f1 != nil:
		a, err := n.arg(row, 0)
		if err != nil {
			return nil, err
		}
		return im.f1(a)
	case im.f2 != nil:
		a, err := n.arg(row, 0)
		if err != nil {
			return nil, err
		}
		b, err := n.arg(row, 1)
		if err != nil {
			return nil, err
		}
		return im.f2(a, b)
	case im.f3 != nil:
		a, err := n.arg(row, 0)
		if err != nil {
			return nil, err
		}
		b, err := n.arg(row, 1)
		if err != nil {
			return nil, err
		}
		c, err := n.arg(row, 2)
		if err != nil {
			return nil, err
		}
		return im.f3(a, b, c)
	}
	vals := make([]types.Value, len(n.args))
	for i := range n.args {
		v, err := n.arg(row, i)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return im.fn(vals)
}

// --- overload resolution ---------------------------------------------------------------------

type candidate struct {
	sig      *Signature
	b        bindings
	targets  []types.Type
	lambdas  []*compiledLambda
	variadic bool
	nparams  int
	generics int
}

// better reports whether c ranks above d (UdfIndex.Node.compare): non-variadic first, then
// more declared parameters, then fewer generic parameters. 0 is a tie.
func (c *candidate) compare(d *candidate) int {
	switch {
	case c.variadic != d.variadic:
		if !c.variadic {
			return 1
		}
		return -1
	case c.nparams != d.nparams:
		return c.nparams - d.nparams
	}
	return d.generics - c.generics
}

func resolve(f *Func, name string, args []Expr) (*candidate, error) {
	for _, cast := range []bool{false, true} {
		var best, second *candidate
		for _, s := range f.Signatures {
			c, ok := match(s, args, cast)
			if !ok {
				continue
			}
			switch {
			case best == nil:
				best = c
			case c.compare(best) > 0:
				best, second = c, best
			case second == nil || c.compare(second) > 0:
				second = c
			}
		}
		if best == nil {
			continue
		}
		if second != nil && best.compare(second) == 0 {
			return nil, types.Errorf(codeAmbiguousFunction,
				"Function '%s' cannot be resolved due to ambiguous method parameters %s.\nUse CAST() to explicitly cast your parameters to one of the supported function calls.\nValid function calls are:\n%s",
				name, argTypeList(args), alternatives(f))
		}
		return best, nil
	}
	return nil, types.Errorf(types.CodeUndefinedFunction,
		"Function '%s' does not accept parameters %s.\nValid alternatives are:\n%s", name, argTypeList(args), alternatives(f))
}

func argTypeList(args []Expr) string {
	ts := make([]types.Type, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	return typeList(ts)
}

func alternatives(f *Func) string {
	lines := make([]string, len(f.Signatures))
	for i, s := range f.Signatures {
		lines[i] = f.Name + s.String()
	}
	return strings.Join(lines, "\n")
}

func hasGenerics(p ParamType) bool {
	switch p.kind {
	case ptVar:
		return true
	case ptArray:
		return hasGenerics(*p.elem)
	case ptMap:
		return hasGenerics(*p.key) || hasGenerics(*p.elem)
	case ptLambda:
		return true
	}
	return false
}

func match(s *Signature, args []Expr, cast bool) (*candidate, bool) {
	np := len(s.Params)
	if s.Variadic {
		if len(args) < np-1 {
			return nil, false
		}
	} else if len(args) != np {
		return nil, false
	}
	param := func(i int) ParamType {
		if i >= np {
			return s.Params[np-1].Type
		}
		return s.Params[i].Type
	}
	b := bindings{}
	c := &candidate{sig: s, b: b, targets: make([]types.Type, len(args)),
		lambdas: make([]*compiledLambda, len(args)), variadic: s.Variadic, nparams: np}
	for _, p := range s.Params {
		if hasGenerics(p.Type) {
			c.generics++
		}
	}
	for i, a := range args {
		p := param(i)
		_, isLambda := a.(*Lambda)
		_, isUnit := a.(*unitNode)
		if isLambda != (p.kind == ptLambda) || isUnit != (p.kind == ptUnit) {
			return nil, false
		}
		if isLambda || isUnit || a.Type().Kind == types.Unknown {
			continue
		}
		if !unify(p, a.Type(), b, cast) {
			return nil, false
		}
	}
	for i, a := range args {
		l, ok := a.(*Lambda)
		if !ok {
			continue
		}
		p := param(i)
		if len(p.lambdaIn) != len(l.Params) {
			return nil, false
		}
		in := make([]types.Type, len(p.lambdaIn))
		for j, lp := range p.lambdaIn {
			t, ok := b.subst(lp, types.Type{})
			if !ok {
				return nil, false
			}
			in[j] = t
		}
		cl, err := l.compile(in)
		if err != nil {
			return nil, false
		}
		if !unify(*p.elem, cl.body.Type(), b, false) {
			return nil, false
		}
		c.lambdas[i] = cl
	}
	for i, a := range args {
		if c.lambdas[i] != nil || param(i).kind == ptUnit {
			continue
		}
		t, ok := b.subst(param(i), a.Type())
		if !ok {
			if a.Type().Kind == types.Unknown {
				continue
			}
			return nil, false
		}
		if at := a.Type(); at.Kind != types.Unknown && !at.Equal(t) {
			if _, ok := converter(at, t); !ok {
				return nil, false
			}
		}
		c.targets[i] = t
	}
	if s.check != nil && !s.check(b) {
		return nil, false
	}
	return c, true
}

// implicitOK is ksqlDB's implicit cast for function arguments.
func implicitOK(from, to types.Type) bool {
	if from.IsNumeric() && to.IsNumeric() {
		return numericRank(from.Kind) < numericRank(to.Kind)
	}
	return from.Kind == types.String && isTemporal(to.Kind)
}

func unify(p ParamType, t types.Type, b bindings, cast bool) bool {
	switch p.kind {
	case ptConcrete:
		return t.Equal(p.t) || (cast && implicitOK(t, p.t))
	case ptAnyDecimal:
		return t.Kind == types.Decimal || (cast && (t.Kind == types.Int || t.Kind == types.Bigint))
	case ptVar:
		if bound, ok := b[p.name]; ok {
			return bound.Equal(t)
		}
		b[p.name] = t
		return true
	case ptArray:
		return t.Kind == types.Array && unify(*p.elem, *t.Elem, b, false)
	case ptMap:
		return t.Kind == types.Map && unify(*p.key, *t.Key, b, false) && unify(*p.elem, *t.Elem, b, false)
	case ptAnyStruct:
		return t.Kind == types.Struct
	}
	return false
}

// --- lambdas ---------------------------------------------------------------------------------

// Lambda is a lambda argument (x => x * 2, (acc, x) => acc + x) of TRANSFORM, FILTER, REDUCE.
// Its body is built by the planner only once the function knows the parameter types: Call
// invokes body with one expression per parameter, and the planner resolves the parameter names
// in the lambda's body to those expressions.
//
// Parameters are passed to the body as extra columns appended to the input row: parameter i
// reads position width+i. width is the number of columns the enclosing scope's rows have: the
// input row's width at top level, and for a lambda nested in another lambda's body the outer
// width plus the outer lambda's parameter count.
type Lambda struct {
	Params []string
	width  int
	body   func(params []Expr) (Expr, error)
	text   string
}

// NewLambda declares a lambda for Call.
func NewLambda(width int, params []string, body func(params []Expr) (Expr, error)) *Lambda {
	return &Lambda{Params: params, width: width, body: body}
}

// Type is the untyped NULL: a lambda has no SQL type of its own.
func (l *Lambda) Type() types.Type { return types.Type{} }

// Eval fails: a lambda is evaluated only by the function it is passed to.
func (l *Lambda) Eval(types.Row) (types.Value, error) {
	return nil, evalErrorf(types.CodeInternal, "a lambda cannot be evaluated on its own")
}

func (l *Lambda) String() string {
	if l.text != "" {
		return l.text
	}
	return "(" + strings.Join(l.Params, ", ") + ") => ..."
}

func (l *Lambda) compile(in []types.Type) (*compiledLambda, error) {
	params := make([]Expr, len(in))
	for i, t := range in {
		params[i] = Column(l.width+i, t, l.Params[i])
	}
	body, err := l.body(params)
	if err != nil {
		return nil, err
	}
	l.text = "(" + strings.Join(l.Params, ", ") + ") => " + body.String()
	return &compiledLambda{body: body, width: l.width, n: len(in), text: l.text}, nil
}

type compiledLambda struct {
	body  Expr
	width int
	n     int
	text  string
}

func (c *compiledLambda) Type() types.Type { return c.body.Type() }
func (c *compiledLambda) String() string   { return c.text }
func (c *compiledLambda) Eval(types.Row) (types.Value, error) {
	return nil, evalErrorf(types.CodeInternal, "a lambda cannot be evaluated on its own")
}

// frame allocates the row the body evaluates over: the input row, then the parameters.
func (c *compiledLambda) frame(row types.Row) types.Row {
	f := make(types.Row, c.width+c.n)
	copy(f, row)
	return f
}

func (c *compiledLambda) call(frame types.Row, args ...types.Value) (types.Value, error) {
	copy(frame[c.width:], args)
	return c.body.Eval(frame)
}
