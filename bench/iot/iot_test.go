package iot

import (
	"encoding/json"
	"testing"
)

func TestReadings(t *testing.T) {
	g, h := New(Config{Seed: 1}), New(Config{Seed: 1})
	alerts, size := 0, 0
	const n = 20_000
	for i := 0; i < n; i++ {
		r, s := g.Next(), h.Next()
		if string(r.Value) != string(s.Value) {
			t.Fatalf("reading %d differs between two generators with one seed", i)
		}
		var m map[string]any
		if err := json.Unmarshal(r.Value, &m); err != nil {
			t.Fatalf("%v: %s", err, r.Value)
		}
		if r.Humidity > 85 {
			alerts++
		}
		size += len(r.Value)
	}
	if p := float64(alerts) / n; p < 0.01 || p > 0.04 {
		t.Errorf("alert share %.3f, want about 0.02", p)
	}
	if avg := size / n; avg < 100 || avg > 150 {
		t.Errorf("average reading %d bytes, want about 116", avg)
	}
	if d := Devices(Config{Devices: 5}); len(d) != 5 || string(d[4].Key) != "dev-000004" {
		t.Errorf("devices: %d, %s", len(d), d[4].Key)
	}
}
