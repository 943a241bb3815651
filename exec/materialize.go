package exec

import (
	"context"
	"encoding/binary"
	"errors"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/types"
)

// runMaterializer keeps a source table's latest row per key (its projected row, keyed by the
// record key) in the partition's store, committing rows and the input offset together, so
// that pull queries read the table as its topic holds it.
func (q *Query) runMaterializer(ctx context.Context, t *task) {
	if q.opts.State == nil {
		q.fail(types.Errorf(types.CodeInternal, "query %s: no state store", q.spec.ID))
		return
	}
	store, err := q.materializedStore(ctx, t.partition)
	if err != nil {
		q.fail(err)
		return
	}
	offs, err := q.b.Offsets(ctx, q.spec.Source.Topic)
	if err != nil || int(t.partition) >= len(offs) {
		q.fail(types.Wrap(types.CodeIO, errors.Join(err, broker.ErrInvalidPartition), "query %s: reading offsets", q.spec.ID))
		return
	}
	if err := q.startPosition(t, store, offs[t.partition], true); err != nil {
		q.fail(err)
		return
	}
	in := newInputDecoder(&q.spec.Source)
	var buf []byte
	q.consume(ctx, t, func(res *broker.FetchResult) bool {
		b := store.NewBatch()
		defer b.Close()
		for i := range res.Records {
			rec := &res.Records[i]
			if rec.Key == nil {
				continue // a table's record without a key is not a row
			}
			row, _, tomb, err := in.decode(rec)
			if err != nil {
				q.plog.Record(q.spec.ID, rec, "deserialize", err)
				continue
			}
			key := append([]byte{keyTableRow}, rec.Key...)
			if tomb || row == nil {
				b.Delete(key)
				continue
			}
			out := q.project(row, nil)
			buf = appendValues(buf[:0], out)
			b.Put(key, buf)
		}
		var off [8]byte
		binary.BigEndian.PutUint64(off[:], uint64(res.NextOffset))
		b.Put([]byte{keyOffset}, off[:])
		for {
			err := b.CommitWith(ctx, q.b, "", nil)
			if err == nil {
				return true
			}
			if !q.retryable(ctx, err, q.spec.Source.Topic) {
				return false
			}
		}
	})
}
