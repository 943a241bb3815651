package parser

// op rewrites the operator at toks[i] and returns the index of the next token to read.
func (r *rewriter) op(toks []token, i int, out *[]rtok, frames *[]frame) int {
	t := &toks[i]
	var prev *rtok
	if len(*out) > 0 {
		prev = &(*out)[len(*out)-1]
	}
	next := func(k int) *token {
		if i+k < len(toks) {
			return &toks[i+k]
		}
		return &r.p.eof
	}
	switch t.text {
	case "(":
		// A parenthesis where a FROM item goes holds a join: its items are FROM items too.
		f := &(*frames)[len(*frames)-1]
		nested := f.inFrom && prev != nil && (prev.isWord("FROM") || prev.isWord("JOIN") || prev.isOp(",") || prev.isOp("("))
		*frames = append(*frames, frame{query: nested, inFrom: nested, fromItem: nested})
	case ")":
		r.requireOn(&(*frames)[len(*frames)-1])
		if len(*frames) > 1 {
			fromItem := (*frames)[len(*frames)-1].fromItem
			*frames = (*frames)[:len(*frames)-1]
			if fromItem {
				return r.derivedAlias(toks, i, out)
			}
		}
	case ",":
		r.requireOn(&(*frames)[len(*frames)-1])
		*out = append(*out, emitSrc(t))
		if f := &(*frames)[len(*frames)-1]; f.orderMode {
			f.orderStart = len(*out)
		}
		return i + 1
	case "::":
		j := r.operandStart(*out, t)
		k, n := r.parseType(toks, i+1)
		wrap(out, j, "cast", intArg(k, t))
		return i + 1 + n
	case "[":
		j := r.operandStart(*out, t)
		end := r.p.matchIn(toks, i)
		wrap(out, j, "sub", r.seq(toks[i+1:end]))
		return end + 1
	case "->":
		j := r.operandStart(*out, t)
		f := next(1)
		switch {
		case f.isOp("*"):
			wrap(out, j, "structstar")
		case f.kind == tWord || f.kind == tQIdent:
			wrap(out, j, "deref", identArg(f))
		default:
			r.fail(f, "a field name after ->")
		}
		return i + 2
	case ".":
		f := next(1)
		if f.kind != tWord && f.kind != tQIdent && !f.isOp("*") {
			r.fail(f, "a name after \".\"")
		}
		// Postgres composite field access: (expr).field.
		if prev != nil && prev.isOp(")") && (f.kind == tWord || f.kind == tQIdent) {
			wrap(out, r.operandStart(*out, t), "deref", identArg(f))
			return i + 2
		}
	case "=>":
		return r.lambda(toks, i, out)
	case "~", "!~", "~*", "!~*":
		if t.text == "~" && (prev == nil || !endsOperand(prev)) {
			break // prefix bitwise NOT
		}
		if prev == nil || !endsOperand(prev) {
			r.fail(t, "an operand before "+t.text)
		}
		if t.text[0] == '!' {
			*out = append(*out, synth("NOT", tWord, t))
		}
		*out = append(*out, synth("REGEXP", tWord, t))
		if t.text[len(t.text)-1] != '*' {
			return i + 1
		}
		end := r.operandEnd(toks, i+1)
		if end == i+1 {
			r.fail(next(1), "an operand")
		}
		*out = append(*out, call("icase", t, r.seq(toks[i+1:end]))...)
		return end
	case ":=":
		r.failf(t, "syntax error at or near \":=\": := only names the entries of STRUCT(...) and MAP(...)")
	case "||":
		// Postgres puts || below + and - and above comparisons; MySQL's PIPES_AS_CONCAT puts it
		// above unary minus. MySQL's | sits where Postgres wants ||, so || is rendered as | (and
		// the converter reads | as concatenation).
		*out = append(*out, rtok{text: "|", kind: tOp, src: t})
		return i + 1
	case "|":
		r.failf(t, "the bitwise operator | is not supported")
	case "->>", "{", "}", "#", "@", "!":
		r.fail(t, "")
	}
	*out = append(*out, emitSrc(t))
	return i + 1
}

// derivedAlias emits the `)` closing a FROM item at toks[i] and its alias, taking off a column
// alias list, `AS t (a, b)`, which it records for the converter.
func (r *rewriter) derivedAlias(toks []token, i int, out *[]rtok) int {
	*out = append(*out, emitSrc(&toks[i]))
	j := i + 1
	if j < len(toks) && toks[j].is("AS") {
		j++
	}
	if j+1 >= len(toks) || toks[j].kind != tWord && toks[j].kind != tQIdent || !toks[j+1].isOp("(") ||
		toks[j].kind == tWord && clauseWords[toks[j].upper()] {
		return i + 1
	}
	end := r.p.matchIn(toks, j+1)
	var cols []*token
	for _, c := range splitArgs(toks[j+2 : end]) {
		if len(c) != 1 || c[0].kind != tWord && c[0].kind != tQIdent {
			r.fail(&toks[j+2], "a column alias")
		}
		cols = append(cols, &c[0])
	}
	alias := identArg(&toks[j])
	r.derived = append(r.derived, derivedCols{alias: nameKey(&alias[0]), cols: cols})
	*out = append(*out, synth("AS", tWord, &toks[j]))
	*out = append(*out, alias...)
	return end + 1
}

// cast rewrites CAST(x AS type) at toks[i].
func (r *rewriter) cast(toks []token, i int, out *[]rtok) int {
	end := r.p.matchIn(toks, i+1)
	as := -1
	depth := 0
	for j := i + 2; j < end; j++ {
		switch {
		case toks[j].isOp("(") || toks[j].isOp("["):
			depth++
		case toks[j].isOp(")") || toks[j].isOp("]"):
			depth--
		case depth == 0 && toks[j].is("AS"):
			as = j
		}
		if as >= 0 {
			break
		}
	}
	if as < 0 {
		r.fail(&toks[end], "AS and a type")
	}
	if as == i+2 {
		r.fail(&toks[as], "an expression")
	}
	k, n := r.parseType(toks[:end], as+1)
	if as+1+n != end {
		r.fail(&toks[as+1+n], "\")\"")
	}
	*out = append(*out, call("cast", &toks[i], r.seq(toks[i+2:as]), intArg(k, &toks[i]))...)
	return end + 1
}

// constructor rewrites STRUCT(name := value, ...) and MAP(key := value, ...) at toks[i].
func (r *rewriter) constructor(toks []token, i int, out *[]rtok) int {
	t := &toks[i]
	end := r.p.matchIn(toks, i+1)
	var args [][]rtok
	if end > i+2 {
		for _, part := range splitArgs(toks[i+2 : end]) {
			k := -1
			depth := 0
			for j := range part {
				switch {
				case part[j].isOp("(") || part[j].isOp("["):
					depth++
				case part[j].isOp(")") || part[j].isOp("]"):
					depth--
				case depth == 0 && part[j].isOp(":="):
					k = j
				}
				if k >= 0 {
					break
				}
			}
			if k <= 0 || k == len(part)-1 {
				at := &toks[end]
				if len(part) > 0 {
					at = &part[0]
				}
				r.failf(at, "syntax error in %s(...): expected entries of the form name := value", t.upper())
			}
			if t.is("STRUCT") {
				if k != 1 || (part[0].kind != tWord && part[0].kind != tQIdent) {
					r.fail(&part[0], "a field name")
				}
				args = append(args, identArg(&part[0]))
			} else {
				args = append(args, r.seq(part[:k]))
			}
			args = append(args, r.seq(part[k+1:]))
		}
	}
	name := "struct"
	if t.is("MAP") {
		name = "map"
	}
	*out = append(*out, call(name, t, args...)...)
	return end + 1
}

// lambda rewrites `x => body` and `(x, y) => body` at the `=>` toks[i]; the parameters are
// already in out, the body runs to the end of the argument.
func (r *rewriter) lambda(toks []token, i int, out *[]rtok) int {
	t := &toks[i]
	o := *out
	var params [][]rtok
	switch {
	case len(o) > 0 && o[len(o)-1].isOp(")"):
		j := len(o) - 1
		for j >= 0 && !o[j].isOp("(") {
			j--
		}
		if j < 0 {
			r.fail(t, "lambda parameters")
		}
		for k := j + 1; k < len(o)-1; k++ {
			if (k-j)%2 == 1 {
				if !isNameTok(&o[k]) {
					r.fail(o[k].src, "a lambda parameter name")
				}
				params = append(params, []rtok{o[k]})
			} else if !o[k].isOp(",") {
				r.fail(o[k].src, "\",\"")
			}
		}
		if j > 0 && (isFuncName(&o[j-1]) || o[j-1].isOp(".")) {
			r.fail(t, "") // f(x) => ... is not a lambda
		}
		*out = o[:j]
	case len(o) > 0 && isNameTok(&o[len(o)-1]):
		if len(o) > 1 && o[len(o)-2].isOp(".") {
			r.fail(t, "") // a.b => ... : parameters are plain names
		}
		params = [][]rtok{{o[len(o)-1]}}
		*out = o[:len(o)-1]
	default:
		r.fail(t, "lambda parameters before =>")
	}
	if len(params) == 0 {
		r.fail(t, "at least one lambda parameter")
	}
	end := argEnd(toks, i+1)
	if end == i+1 {
		at := &r.p.eof
		if end < len(toks) {
			at = &toks[end]
		}
		r.fail(at, "a lambda body")
	}
	*out = append(*out, call("lambda", t, append(params, r.seq(toks[i+1:end]))...)...)
	return end
}

// tableFunc rewrites a set-returning call in FROM, `name(args) [AS] alias [(cols)]`, whose
// name starts at toks[i] and whose parenthesis is at toks[open], into a derived table TiDB
// accepts: (SELECT __ssql_tablefunc(name(args), cols...)) AS alias.
func (r *rewriter) tableFunc(toks []token, i, open int, out *[]rtok) int {
	t := &toks[i]
	end := r.p.matchIn(toks, open)
	fn := r.seq(toks[i : end+1])
	args := [][]rtok{fn}
	j := end + 1
	var alias []rtok
	if j < len(toks) && toks[j].is("AS") {
		j++
		if j >= len(toks) || toks[j].kind != tWord && toks[j].kind != tQIdent {
			r.fail(&r.p.eof, "an alias")
		}
	}
	if j < len(toks) && (toks[j].kind == tWord && !clauseWords[toks[j].upper()] && !toks[j].is("AS") || toks[j].kind == tQIdent) {
		alias = identArg(&toks[j])
		j++
		if j < len(toks) && toks[j].isOp("(") {
			cend := r.p.matchIn(toks, j)
			for _, c := range splitArgs(toks[j+1 : cend]) {
				if len(c) != 1 || c[0].kind != tWord && c[0].kind != tQIdent {
					at := &toks[cend]
					if len(c) > 0 {
						at = &c[0]
					}
					r.fail(at, "a column alias")
				}
				args = append(args, identArg(&c[0]))
			}
			j = cend + 1
		}
	}
	if alias == nil {
		alias = []rtok{synth("`"+pseudo+"noalias`", tWord, t)}
	}
	*out = append(*out, synth("(", tOp, t), synth("SELECT", tWord, t))
	*out = append(*out, call("tablefunc", t, args...)...)
	*out = append(*out, synth(")", tOp, t), synth("AS", tWord, t))
	*out = append(*out, alias...)
	return j
}
