package exec

import (
	"hash/maphash"
)

// keyFilter is an in-memory Bloom filter over the keys a task's store holds. Most lookups of
// an aggregation are for groups or windows that do not exist yet; the filter answers those
// without a Pebble read (a miss costs a seek through every level otherwise). False positives
// fall through to the store, so the filter only ever saves work.
type keyFilter struct {
	bits  []uint64
	n     int // keys added
	limit int // keys the filter was sized for
	seed  maphash.Seed
}

const filterHashes = 7 // ~1% false positives at 10 bits per key

func newKeyFilter(capacity int) *keyFilter {
	capacity = max(capacity, 1<<16)
	words := (capacity*10 + 63) / 64
	return &keyFilter{bits: make([]uint64, words), limit: capacity, seed: maphash.MakeSeed()}
}

func (f *keyFilter) positions(key []byte) (uint64, uint64) {
	h := maphash.Bytes(f.seed, key)
	return h & 0xffffffff, h>>32 | 1
}

func (f *keyFilter) add(key []byte) {
	h1, h2 := f.positions(key)
	m := uint64(len(f.bits) * 64)
	for i := uint64(0); i < filterHashes; i++ {
		b := (h1 + i*h2) % m
		f.bits[b/64] |= 1 << (b % 64)
	}
	f.n++
}

func (f *keyFilter) mayContain(key []byte) bool {
	h1, h2 := f.positions(key)
	m := uint64(len(f.bits) * 64)
	for i := uint64(0); i < filterHashes; i++ {
		b := (h1 + i*h2) % m
		if f.bits[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}

// full reports whether the filter holds more keys than it was sized for (its false-positive
// rate then climbs): the owner rebuilds a larger one.
func (f *keyFilter) full() bool { return f.n > f.limit }
