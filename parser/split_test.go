package parser

import (
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		sql   string
		texts []string
		pos   []string // line:column of each chunk
	}{
		{"", nil, nil},
		{"  -- ping\n", nil, nil},
		{";;", nil, nil},
		{"SELECT 1", []string{"SELECT 1"}, []string{"line 1:1"}},
		{"SET TIMEZONE TO 'UTC'; select 42", []string{"SET TIMEZONE TO 'UTC'", "select 42"}, []string{"line 1:1", "line 1:24"}},
		{"SELECT ';' AS x; SELECT 2", []string{"SELECT ';' AS x", "SELECT 2"}, nil},
		{"SELECT \"a;b\", `c;d` FROM t;\n\n  /* x; /* nested; */ y; */ SELECT 2", []string{"SELECT \"a;b\", `c;d` FROM t", "SELECT 2"}, []string{"line 1:1", "line 3:29"}},
		{"SELECT $$a;b$$, $tag$ $$; $tag$, E'\\';' -- c;\n; SELECT 3", []string{"SELECT $$a;b$$, $tag$ $$; $tag$, E'\\';'", "SELECT 3"}, nil},
		{"CREATE STREAM s (a INT) WITH (x='1;2'); -- trailing", []string{"CREATE STREAM s (a INT) WITH (x='1;2')"}, nil},
		{"SELECT (1; 2)", []string{"SELECT (1; 2)"}, nil},
		{"é; ü", []string{"é", "ü"}, []string{"line 1:1", "line 1:4"}},
	}
	for _, tt := range tests {
		chunks, err := Split(tt.sql)
		if err != nil {
			t.Errorf("%q: %v", tt.sql, err)
			continue
		}
		if len(chunks) != len(tt.texts) {
			t.Errorf("%q: %d chunks, want %d: %+v", tt.sql, len(chunks), len(tt.texts), chunks)
			continue
		}
		for i, c := range chunks {
			if c.Text != tt.texts[i] {
				t.Errorf("%q chunk %d: %q, want %q", tt.sql, i, c.Text, tt.texts[i])
			}
			if tt.pos != nil && c.Pos.String() != tt.pos[i] {
				t.Errorf("%q chunk %d at %s, want %s", tt.sql, i, c.Pos, tt.pos[i])
			}
			if c.Pos.Offset < 0 || c.Pos.Offset >= len(tt.sql) || tt.sql[c.Pos.Offset:c.Pos.Offset+len(c.Text)] != c.Text {
				t.Errorf("%q chunk %d: offset %d does not point at its text", tt.sql, i, c.Pos.Offset)
			}
		}
	}
}

func TestLexValues(t *testing.T) {
	toks, err := lex(`'it''s' E'a\nb\x41\101\u00e9\'' $$x'y$$ "Q""d" ` + "`b``t`" + ` 1.5e3 .5 $12 X'0aff' 12abc`)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind tokKind
		val  string
	}{{tString, "it's"}, {tString, "a\nbAAé'"}, {tString, "x'y"}, {tQIdent, `Q"d`}, {tQIdent, "b`t"},
		{tNumber, ""}, {tNumber, ""}, {tParam, ""}, {tBytes, "\x0a\xff"}, {tWord, ""}}
	if len(toks) != len(want) {
		t.Fatalf("%d tokens, want %d: %+v", len(toks), len(want), toks)
	}
	for i, w := range want {
		if toks[i].kind != w.kind || w.val != "" && toks[i].val != w.val {
			t.Errorf("token %d %q: kind %d val %q, want %d %q", i, toks[i].text, toks[i].kind, toks[i].val, w.kind, w.val)
		}
	}
}
