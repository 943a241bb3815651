package nexmark

import (
	"encoding/json"
	"testing"
)

func TestProportionsAndDeterminism(t *testing.T) {
	a, b := New(Default(7)), New(Default(7))
	counts := map[Kind]int{}
	hot := 0
	size := 0
	for i := 0; i < 50_000; i++ {
		e, f := a.Next(), b.Next()
		if string(e.Value) != string(f.Value) {
			t.Fatalf("event %d differs between two generators with one seed", i)
		}
		var m map[string]any
		if err := json.Unmarshal(e.Value, &m); err != nil {
			t.Fatalf("event %d: %v: %s", i, err, e.Value)
		}
		counts[e.Kind]++
		if e.Kind == Bid {
			size += len(e.Value)
			if (e.Auction-firstAuctionID)%hotGranularity == 0 {
				hot++
			}
		}
	}
	if counts[Person] != 1000 || counts[Auction] != 3000 || counts[Bid] != 46000 {
		t.Fatalf("proportions %v, want 1000:3000:46000", counts)
	}
	if r := float64(hot) / 46000; r < 0.45 || r > 0.6 {
		t.Errorf("hot-auction share %.2f, want about 0.5", r)
	}
	if avg := size / 46000; avg < 200 || avg > 340 {
		t.Errorf("average bid %d bytes, want about 260–320", avg)
	}
}
