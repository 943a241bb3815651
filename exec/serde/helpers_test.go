package serde

import (
	"testing"

	"github.com/streamsql/streamsql/types"
)

func fld(name string, t types.Type) types.Field { return types.Field{Name: name, Type: t} }

func boolp(b bool) *bool { return &b }

func mustCodec(t testing.TB, opts Options, fields ...types.Field) *Codec {
	t.Helper()
	c, err := NewCodec(opts, fields)
	if err != nil {
		t.Fatalf("NewCodec(%+v): %v", opts, err)
	}
	return c
}

// decodeRow decodes data into a fresh row with every field needed.
func decodeRow(c *Codec, data []byte) (types.Row, error) {
	row := make(types.Row, len(c.Fields()))
	err := c.Decode(data, row, nil)
	return row, err
}
