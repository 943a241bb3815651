package serde

import (
	"sync"
	"testing"

	"github.com/streamsql/streamsql/types"
)

// One codec serves every task of a query: it must be safe for concurrent use (run with -race).
func TestCodecConcurrentUse(t *testing.T) {
	j := mustCodec(t, Options{Format: "JSON"}, iotFields...)
	d := mustCodec(t, Options{Format: "DELIMITED"}, iotFields...)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			row := make(types.Row, len(iotFields))
			var buf []byte
			for i := 0; i < 200; i++ {
				if err := j.Decode(iotJSON, row, nil); err != nil {
					t.Error(err)
					return
				}
				var err error
				if buf, err = d.Encode(buf[:0], row); err != nil {
					t.Error(err)
					return
				}
				if err := d.Decode(buf, row, iotNeeded3); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestCodecAccessors(t *testing.T) {
	c := mustCodec(t, Options{Format: "delimited"}, fld("A", types.IntType))
	if c.Format() != "DELIMITED" || len(c.Fields()) != 1 || c.Fields()[0].Name != "A" {
		t.Fatalf("Format %s, Fields %v", c.Format(), c.Fields())
	}
}
