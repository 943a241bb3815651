package parser

import (
	"math"
	"time"

	"github.com/streamsql/streamsql/parser/ast"
)

// durationUnits are ksqlDB's window units (Java TimeUnit names, singular or plural).
var durationUnits = map[string]time.Duration{
	"NANOSECOND": time.Nanosecond, "NANOSECONDS": time.Nanosecond,
	"MICROSECOND": time.Microsecond, "MICROSECONDS": time.Microsecond,
	"MILLISECOND": time.Millisecond, "MILLISECONDS": time.Millisecond,
	"SECOND": time.Second, "SECONDS": time.Second,
	"MINUTE": time.Minute, "MINUTES": time.Minute,
	"HOUR": time.Hour, "HOURS": time.Hour,
	"DAY": 24 * time.Hour, "DAYS": 24 * time.Hour,
}

// duration reads `n UNIT`.
func (p *parser) duration() time.Duration {
	nt := p.peek()
	n := p.integer("a duration such as 5 MINUTES")
	u := p.peek()
	unit, ok := durationUnits[u.upper()]
	if !ok {
		p.fail(u, "a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS or DAYS)")
	}
	p.next()
	if n > math.MaxInt64/int64(unit) {
		p.failf(nt, "duration %d %s is too long", n, u.upper())
	}
	return time.Duration(n) * unit
}

// window reads WINDOW TUMBLING (SIZE d [, RETENTION d] [, GRACE PERIOD d]),
// WINDOW HOPPING (SIZE d, ADVANCE BY d [, ...]) or WINDOW SESSION (d [, ...]).
func (p *parser) window() *ast.Window {
	at := p.next() // WINDOW
	if !isWindowKind(p.peek()) && isWindowKind(p.peekAt(1)) {
		p.next() // ksqlDB allows a window name, which nothing refers to
	}
	kt := p.next()
	w := &ast.Window{Kind: ast.WindowKind(kt.upper()), At: at.pos}
	p.expectOp("(")
	switch w.Kind {
	case ast.Session:
		w.Gap = p.duration()
	case ast.Tumbling, ast.Hopping:
		p.acceptWord("SIZE")
		w.Size = p.duration()
		if w.Kind == ast.Hopping {
			p.expectOp(",")
			p.expectWord("ADVANCE", "BY")
			w.AdvanceBy = p.duration()
		}
	default:
		p.fail(kt, "TUMBLING, HOPPING or SESSION")
	}
	for p.acceptOp(",") {
		switch {
		case p.acceptWord("RETENTION"):
			if w.Retention != nil {
				p.failf(p.peekAt(-1), "RETENTION given twice")
			}
			d := p.duration()
			w.Retention = &d
		case p.acceptWord("GRACE", "PERIOD"):
			if w.Grace != nil {
				p.failf(p.peekAt(-2), "GRACE PERIOD given twice")
			}
			d := p.duration()
			w.Grace = &d
		default:
			p.fail(p.peek(), "RETENTION or GRACE PERIOD")
		}
	}
	p.expectOp(")")
	return w
}

// within reads a join's WITHIN d | WITHIN (before, after), then [GRACE PERIOD d].
func (p *parser) within() *ast.Within {
	p.expectWord("WITHIN")
	w := &ast.Within{}
	if p.acceptOp("(") {
		w.Before = p.duration()
		p.expectOp(",")
		w.After = p.duration()
		p.expectOp(")")
	} else {
		w.Before = p.duration()
		w.After = w.Before
	}
	if p.acceptWord("GRACE", "PERIOD") {
		d := p.duration()
		w.Grace = &d
	}
	return w
}
