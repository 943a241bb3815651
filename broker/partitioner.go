package broker

// murmur2 is Kafka's Utils.murmur2 (the Java client's default partitioner hash), seed 0x9747b28c.
func murmur2(data []byte) int32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	length := len(data)
	h := seed ^ uint32(length)
	n := length / 4
	for i := 0; i < n; i++ {
		j := i * 4
		k := uint32(data[j]) | uint32(data[j+1])<<8 | uint32(data[j+2])<<16 | uint32(data[j+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := data[n*4:]
	switch len(tail) {
	case 3:
		h ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(tail[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// PartitionForKey is Kafka's default partitioner for a non-null key:
// toPositive(murmur2(key)) % numPartitions, identical to the Java client and librdkafka's
// murmur2_random partitioner.
func PartitionForKey(key []byte, numPartitions int32) int32 {
	if numPartitions <= 0 {
		return 0
	}
	return (murmur2(key) & 0x7fffffff) % numPartitions
}
