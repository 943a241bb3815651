package ast

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

func (p *printer) stmt(s Statement) {
	switch s := s.(type) {
	case *CreateSource:
		p.WriteString("CREATE" + orReplace(s.OrReplace))
		if s.ReadOnly {
			p.WriteString(" SOURCE")
		}
		p.WriteString(" " + s.Kind.String() + ifExists(s.IfNotExists, " IF NOT EXISTS") + " ")
		p.ident(s.Name)
		if len(s.Columns) > 0 {
			p.WriteString(" (")
			p.columns(s.Columns)
			p.WriteString(")")
		}
		p.props(s.With)
	case *CreateAsSelect:
		p.WriteString("CREATE" + orReplace(s.OrReplace) + " " + s.Kind.String() +
			ifExists(s.IfNotExists, " IF NOT EXISTS") + " ")
		p.ident(s.Name)
		p.props(s.With)
		p.WriteString(" AS ")
		p.query(s.Select)
	case *InsertSelect:
		p.WriteString("INSERT INTO ")
		p.ident(s.Target)
		p.props(s.With)
		p.WriteString(" ")
		p.query(s.Select)
	case *InsertValues:
		p.WriteString("INSERT INTO ")
		p.ident(s.Target)
		if s.Columns != nil {
			p.WriteString(" (")
			p.identList(s.Columns)
			p.WriteString(")")
		}
		p.WriteString(" VALUES (")
		p.exprs(s.Values)
		p.WriteString(")")
	case *Drop:
		p.WriteString("DROP " + s.Kind.String() + ifExists(s.IfExists, " IF EXISTS") + " ")
		p.ident(s.Name)
		p.WriteString(ifExists(s.DeleteTopic, " DELETE TOPIC"))
	case *AlterSource:
		p.WriteString("ALTER " + s.Kind.String() + " ")
		p.ident(s.Name)
		for i, c := range s.Columns {
			if i > 0 {
				p.WriteString(",")
			}
			p.WriteString(" ADD COLUMN ")
			p.columns([]ColumnDef{c})
		}
	case *CreateType:
		p.WriteString("CREATE TYPE" + ifExists(s.IfNotExists, " IF NOT EXISTS") + " ")
		p.ident(s.Name)
		p.WriteString(" AS ")
		p.typ(s.Type, s.TypeRef)
	case *DropType:
		p.WriteString("DROP TYPE" + ifExists(s.IfExists, " IF EXISTS") + " ")
		p.ident(s.Name)
	case *Show:
		p.WriteString("SHOW " + ifExists(s.AllTopics, "ALL ") + string(s.What) + extended(s.Extended))
	case *Describe:
		p.WriteString("DESCRIBE" + extended(s.Extended) + " ")
		p.ident(s.Name)
	case *DescribeSources:
		p.WriteString("DESCRIBE " + s.Kind.String() + "S" + extended(s.Extended))
	case *DescribeFunction:
		p.WriteString("DESCRIBE FUNCTION ")
		p.ident(s.Name)
	case *Terminate:
		if s.All {
			p.WriteString("TERMINATE ALL")
		} else {
			p.WriteString("TERMINATE ")
			p.ident(s.QueryID)
		}
	case *Explain:
		p.WriteString("EXPLAIN ")
		if s.QueryID != nil {
			p.ident(*s.QueryID)
		} else {
			p.node(s.Statement)
		}
	case *SetProperty:
		p.WriteString("SET " + quoteString(s.Name) + "=" + quoteString(s.Value))
	case *UnsetProperty:
		p.WriteString("UNSET " + quoteString(s.Name))
	case *Print:
		p.WriteString("PRINT ")
		if s.Topic.Quoted {
			p.WriteString(quoteString(s.Topic.Name))
		} else {
			p.ident(s.Topic)
		}
		p.WriteString(ifExists(s.FromBeginning, " FROM BEGINNING") + optInt(" INTERVAL ", s.Interval) +
			optInt(" LIMIT ", s.Limit))
	default:
		p.session(s)
	}
}

func (p *printer) session(s Statement) {
	switch s := s.(type) {
	case *SetSession:
		p.WriteString("SET ")
		if s.Local {
			p.WriteString("LOCAL ")
		}
		p.WriteString(sessionName(s.Name) + " TO ")
		if s.Default {
			p.WriteString("DEFAULT")
		}
		for i, v := range s.Values {
			if i > 0 {
				p.WriteString(", ")
			}
			p.WriteString(quoteString(v))
		}
	case *ResetSession:
		if s.All {
			p.WriteString("RESET ALL")
		} else {
			p.WriteString("RESET " + sessionName(s.Name))
		}
	case *ShowSession:
		if s.All {
			p.WriteString("SHOW ALL")
		} else {
			p.WriteString("SHOW " + sessionName(s.Name))
		}
	case *Begin:
		p.WriteString("BEGIN")
		if s.Isolation != "" {
			p.WriteString(" ISOLATION LEVEL " + strings.ToUpper(s.Isolation))
		}
		if s.ReadOnly {
			p.WriteString(" READ ONLY")
		}
	case *Commit:
		p.WriteString("COMMIT")
	case *Rollback:
		p.WriteString("ROLLBACK")
	case *Declare:
		p.WriteString("DECLARE ")
		p.ident(s.Cursor)
		p.WriteString(ifExists(s.Binary, " BINARY") + " CURSOR" + ifExists(s.Hold, " WITH HOLD") + " FOR ")
		p.query(s.Query)
	case *Fetch:
		if s.Move {
			p.WriteString("MOVE ")
		} else {
			p.WriteString("FETCH ")
		}
		if s.All {
			p.WriteString("ALL")
		} else {
			p.WriteString(strconv.FormatInt(s.Count, 10))
		}
		p.WriteString(" FROM ")
		p.ident(s.Cursor)
	case *Close:
		if s.All {
			p.WriteString("CLOSE ALL")
		} else {
			p.WriteString("CLOSE ")
			p.ident(s.Cursor)
		}
	case *Discard:
		p.WriteString("DISCARD " + s.What)
	case *Deallocate:
		if s.All {
			p.WriteString("DEALLOCATE ALL")
		} else {
			p.WriteString("DEALLOCATE ")
			p.ident(s.Name)
		}
	case *Listen:
		p.WriteString("LISTEN ")
		p.ident(s.Channel)
	case *Unlisten:
		if s.All {
			p.WriteString("UNLISTEN *")
		} else {
			p.WriteString("UNLISTEN ")
			p.ident(s.Channel)
		}
	case *Copy:
		p.WriteString("COPY ")
		if s.Query != nil {
			p.WriteString("(")
			p.query(s.Query)
			p.WriteString(")")
		} else if s.Table != nil {
			p.WriteString(s.Table.String())
			if len(s.Columns) > 0 {
				p.WriteString(" (")
				p.identList(s.Columns)
				p.WriteString(")")
			}
		}
		if s.From {
			p.WriteString(" FROM STDIN")
		} else {
			p.WriteString(" TO STDOUT")
		}
		if len(s.Options) > 0 {
			keys := make([]string, 0, len(s.Options))
			for k := range s.Options {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			p.WriteString(" (")
			for i, k := range keys {
				if i > 0 {
					p.WriteString(", ")
				}
				p.WriteString(strings.ToUpper(k) + " " + quoteString(s.Options[k]))
			}
			p.WriteString(")")
		}
	case *Empty:
	default:
		fmt.Fprintf(p, "/* %T */", s)
	}
}

// sessionName writes a setting name so that SET/SHOW/RESET read it back: the multi-word
// settings are spelled with their underscore names, which Postgres accepts too.
func sessionName(name string) string {
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r == '_' || r == '.' || r >= '0' && r <= '9') {
			return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
		}
	}
	return name
}
