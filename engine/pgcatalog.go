package engine

import (
	"context"

	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/engine/api"
)

var _ api.CatalogReader = (*Session)(nil)

// Relations describes every stream and table for the Postgres catalog that the wire layer
// answers (pg_catalog, information_schema): read live from the catalog on every call.
func (s *Session) Relations(ctx context.Context) ([]api.Relation, error) {
	srcs := s.e.cat.Sources("")
	out := make([]api.Relation, 0, len(srcs))
	for _, src := range srcs {
		out = append(out, relationOf(src))
	}
	return out, nil
}

func relationOf(src *catalog.Source) api.Relation {
	r := api.Relation{
		Name:        src.Name,
		Kind:        string(src.Kind),
		Topic:       src.Topic,
		KeyFormat:   src.KeyFormat.Name,
		ValueFormat: src.ValueFormat.Name,
		Statement:   src.Statement,
		Columns:     make([]api.RelationColumn, len(src.Columns)),
	}
	for i, c := range src.Columns {
		r.Columns[i] = api.RelationColumn{Name: c.Name, Type: c.Type, Key: c.Role == catalog.RoleKey, Header: c.Role == catalog.RoleHeader}
	}
	return r
}
