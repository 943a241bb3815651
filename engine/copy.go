package engine

import (
	"context"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

var _ api.BatchInserter = (*Session)(nil)

// InsertBatch runs a series of INSERT ... VALUES as one Produce per topic (COPY FROM STDIN over
// the Postgres wire): each statement is checked and encoded as INSERT ... VALUES is, then the
// records are appended together.
func (s *Session) InsertBatch(ctx context.Context, sql string) (int, error) {
	stmts, err := parser.Parse(sql)
	if err != nil {
		return 0, err
	}
	type batch struct {
		src  *catalog.Source
		recs []broker.Record
	}
	var order []string
	byTopic := map[string]*batch{}
	i := 0
	for _, st := range stmts {
		if _, empty := st.(*ast.Empty); empty {
			continue
		}
		n, ok := st.(*ast.InsertValues)
		if !ok {
			return i, types.ErrorAt(types.CodeFeatureNotSupported, st.Pos(), "a batch holds only INSERT ... VALUES statements")
		}
		src, rec, err := s.valuesRecord(n)
		if err != nil {
			return i, err
		}
		b := byTopic[src.Topic]
		if b == nil {
			b = &batch{src: src}
			byTopic[src.Topic] = b
			order = append(order, src.Topic)
		}
		b.recs = append(b.recs, rec)
		i++
	}
	for _, topic := range order {
		if err := s.produceInserted(ctx, byTopic[topic].src, byTopic[topic].recs); err != nil {
			return 0, err
		}
	}
	return i, nil
}
