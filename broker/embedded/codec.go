package embedded

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"time"

	"github.com/streamsql/streamsql/broker"
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

const (
	prefixMeta    = 'm'
	prefixRecord  = 'r'
	prefixNext    = 'n'
	prefixStart   = 'l'
	prefixKey     = 'k'
	prefixGroup   = 'g'
	prefixTopicID = 's'
)

const (
	flagNullKey   = 1
	flagNullValue = 2
)

// partKey is prefix + topic id + partition.
func partKey(prefix byte, topicID uint64, p int32) []byte {
	k := make([]byte, 0, 13+8)
	k = append(k, prefix)
	k = binary.BigEndian.AppendUint64(k, topicID)
	return binary.BigEndian.AppendUint32(k, uint32(p))
}

func recordKey(topicID uint64, p int32, off int64) []byte {
	return binary.BigEndian.AppendUint64(partKey(prefixRecord, topicID, p), uint64(off))
}

func offsetOfRecordKey(k []byte) int64 { return int64(binary.BigEndian.Uint64(k[len(k)-8:])) }

func indexKey(topicID uint64, p int32, key []byte) []byte {
	return append(partKey(prefixKey, topicID, p), key...)
}

// groupPrefix is where group's commits for one topic live. The topic id comes first so that
// DeleteTopic drops every group's commits with one DeleteRange (a re-created topic must not
// inherit them); the group name is length-prefixed so no group is a prefix of another.
func groupPrefix(topicID uint64, group string) []byte {
	k := make([]byte, 0, 1+8+4+len(group)+4)
	k = append(k, prefixGroup)
	k = binary.BigEndian.AppendUint64(k, topicID)
	k = binary.BigEndian.AppendUint32(k, uint32(len(group)))
	return append(k, group...)
}

func groupKey(topicID uint64, group string, p int32) []byte {
	return binary.BigEndian.AppendUint32(groupPrefix(topicID, group), uint32(p))
}

// prefixEnd is the smallest key greater than every key with prefix p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

// encodeRecord lays out: crc32c(4) | flags(1) | timestamp ms (varint) | key | value | headers,
// byte strings as uvarint length + bytes, headers as count then (key, value+1 or 0 for null).
func encodeRecord(buf []byte, r *broker.Record) []byte {
	buf = append(buf[:0], 0, 0, 0, 0)
	var flags byte
	if r.Key == nil {
		flags |= flagNullKey
	}
	if r.Value == nil {
		flags |= flagNullValue
	}
	buf = append(buf, flags)
	buf = binary.AppendVarint(buf, r.Timestamp.UnixMilli())
	buf = binary.AppendUvarint(buf, uint64(len(r.Key)))
	buf = append(buf, r.Key...)
	buf = binary.AppendUvarint(buf, uint64(len(r.Value)))
	buf = append(buf, r.Value...)
	buf = binary.AppendUvarint(buf, uint64(len(r.Headers)))
	for _, h := range r.Headers {
		buf = binary.AppendUvarint(buf, uint64(len(h.Key)))
		buf = append(buf, h.Key...)
		if h.Value == nil {
			buf = binary.AppendUvarint(buf, 0)
		} else {
			buf = binary.AppendUvarint(buf, uint64(len(h.Value))+1)
			buf = append(buf, h.Value...)
		}
	}
	binary.BigEndian.PutUint32(buf, crc32.Checksum(buf[4:], crcTable))
	return buf
}

var errBadRecord = errors.New("record fails its checksum or is truncated")

// decodeRecord parses what encodeRecord wrote. The record's byte slices alias b (capped, so an
// append to one never overwrites the next): the caller passes memory it owns, not Pebble's
// buffers, which are only valid until the iterator moves.
func decodeRecord(b []byte, r *broker.Record) error {
	if len(b) < 5 || binary.BigEndian.Uint32(b) != crc32.Checksum(b[4:], crcTable) {
		return errBadRecord
	}
	flags := b[4]
	rest := b[5:]
	ts, n := binary.Varint(rest)
	if n <= 0 {
		return errBadRecord
	}
	rest = rest[n:]
	readBytes := func() ([]byte, bool) {
		l, n := binary.Uvarint(rest)
		if n <= 0 || uint64(len(rest)-n) < l {
			return nil, false
		}
		end := n + int(l)
		v := rest[n:end:end]
		rest = rest[end:]
		return v, true
	}
	key, ok := readBytes()
	if !ok {
		return errBadRecord
	}
	value, ok := readBytes()
	if !ok {
		return errBadRecord
	}
	if flags&flagNullKey != 0 {
		key = nil
	}
	if flags&flagNullValue != 0 {
		value = nil
	}
	nh, n := binary.Uvarint(rest)
	if n <= 0 || nh > uint64(len(rest)) {
		return errBadRecord
	}
	rest = rest[n:]
	var headers []broker.Header
	if nh > 0 {
		headers = make([]broker.Header, 0, nh)
	}
	for i := uint64(0); i < nh; i++ {
		hk, ok := readBytes()
		if !ok {
			return errBadRecord
		}
		l, n := binary.Uvarint(rest)
		if n <= 0 {
			return errBadRecord
		}
		rest = rest[n:]
		var hv []byte
		if l > 0 {
			if uint64(len(rest)) < l-1 {
				return errBadRecord
			}
			hv = rest[: l-1 : l-1]
			rest = rest[l-1:]
		}
		headers = append(headers, broker.Header{Key: string(hk), Value: hv})
	}
	if len(rest) != 0 {
		return errBadRecord
	}
	r.Key, r.Value, r.Headers = key, value, headers
	r.Timestamp = time.UnixMilli(ts)
	return nil
}

// decodeOwned decodes v into r after copying it into arena, which it returns grown: one
// allocation per many records instead of one per key, value and header.
func decodeOwned(arena, v []byte, r *broker.Record) ([]byte, error) {
	if cap(arena)-len(arena) < len(v) {
		arena = make([]byte, 0, max(64<<10, len(v)))
	}
	start := len(arena)
	arena = append(arena, v...)
	return arena, decodeRecord(arena[start:len(arena):len(arena)], r)
}

// recordSize is what counts against MaxBytes and retention.bytes.
func recordSize(r *broker.Record) int {
	n := len(r.Key) + len(r.Value) + 16
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}

func metaKey(name string) []byte { return append([]byte{prefixMeta}, name...) }
