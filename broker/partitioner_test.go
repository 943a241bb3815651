package broker

import "testing"

// Vectors from Apache Kafka's UtilsTest.testMurmur2.
func TestMurmur2MatchesKafka(t *testing.T) {
	cases := []struct {
		in   string
		want int32
	}{
		{"21", -973932308},
		{"foobar", -790332482},
		{"a-little-bit-long-string", -985981536},
		{"a-little-bit-longer-string", -1486304829},
		{"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
		{"abc", 479470107},
	}
	for _, c := range cases {
		if got := murmur2([]byte(c.in)); got != c.want {
			t.Errorf("murmur2(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestPartitionForKeyInRange(t *testing.T) {
	for _, n := range []int32{1, 2, 3, 7, 12} {
		for i := 0; i < 1000; i++ {
			p := PartitionForKey([]byte{byte(i), byte(i >> 8), 0xff}, n)
			if p < 0 || p >= n {
				t.Fatalf("PartitionForKey(%d) with %d partitions = %d", i, n, p)
			}
		}
	}
	if got := PartitionForKey([]byte("x"), 0); got != 0 {
		t.Fatalf("zero partitions: got %d", got)
	}
}
