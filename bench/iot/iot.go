package iot

import (
	"math/rand/v2"
	"strconv"
)

// Topic names.
const (
	ReadingsTopic = "iot-readings"
	DevicesTopic  = "iot-devices"
)

// Config shapes the readings stream.
type Config struct {
	Seed    int64
	Devices int // zero means 10,000
	// BaseTimeMs is the event time of reading 0 (epoch ms); zero means 2024-01-01T00:00:00Z.
	BaseTimeMs int64
	// StepMs is the event time between two readings (zero means 10 ms), so that a preload of
	// a few hundred thousand readings spans several 5-minute windows.
	StepMs int64
}

// Reading is one generated reading, JSON-encoded, with the fields the reference models need.
type Reading struct {
	Key         []byte // device id
	Value       []byte
	TimeMs      int64 // ts, also the record timestamp
	Device      string
	Temperature float64
	Humidity    float64
	// Site and Battery complete the value's fields (an INSERT carries them all).
	Site    string
	Battery float64
}

var sites = []string{"ams-1", "fra-2", "lon-1", "par-3", "nyc-2", "sfo-1", "sin-1", "syd-2"}
var models = []string{"TH-100", "TH-200", "THX-9", "AQ-3"}

// Generator produces readings. Not safe for concurrent use.
type Generator struct {
	cfg Config
	rnd *rand.Rand
	n   int64
	buf []byte
}

// New returns a generator at reading 0.
func New(cfg Config) *Generator {
	if cfg.Devices <= 0 {
		cfg.Devices = 10_000
	}
	if cfg.BaseTimeMs == 0 {
		cfg.BaseTimeMs = 1704067200000
	}
	if cfg.StepMs <= 0 {
		cfg.StepMs = 10
	}
	return &Generator{cfg: cfg, rnd: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x696f74))}
}

// DeviceID names device i.
func DeviceID(i int) string { return "dev-" + pad6(i) }

func pad6(i int) string {
	s := strconv.Itoa(i)
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}

// Next returns the next reading with event time from the configured step.
func (g *Generator) Next() Reading {
	return g.NextAt(g.cfg.BaseTimeMs+g.n*g.cfg.StepMs, 0)
}

// NextAt returns the next reading with event time timeMs and production wall clock ingestNs
// (zero outside paced mode).
func (g *Generator) NextAt(timeMs, ingestNs int64) Reading {
	g.n++
	dev := g.rnd.IntN(g.cfg.Devices)
	id := DeviceID(dev)
	// Two decimals, so that both systems parse the very same doubles.
	temp := float64(1500+g.rnd.IntN(1500)) / 100
	var hum float64
	if g.rnd.IntN(100) < 3 {
		hum = float64(8000+g.rnd.IntN(2000)) / 100 // 80..99.99: three quarters of these exceed 85
	} else {
		hum = float64(3000+g.rnd.IntN(5000)) / 100
	}
	b := g.buf[:0]
	b = append(b, `{"device_id":"`...)
	b = append(b, id...)
	b = append(b, `","site":"`...)
	b = append(b, sites[dev%len(sites)]...)
	b = append(b, `","ts":`...)
	b = strconv.AppendInt(b, timeMs, 10)
	b = append(b, `,"temperature":`...)
	b = strconv.AppendFloat(b, temp, 'f', -1, 64)
	b = append(b, `,"humidity":`...)
	b = strconv.AppendFloat(b, hum, 'f', -1, 64)
	b = append(b, `,"battery":`...)
	battery := float64(300+g.rnd.IntN(120)) / 100
	b = strconv.AppendFloat(b, battery, 'f', -1, 64)
	b = append(b, `,"ingest_ns":`...)
	b = strconv.AppendInt(b, ingestNs, 10)
	b = append(b, '}')
	g.buf = b
	return Reading{Key: []byte(id), Value: append([]byte(nil), b...), TimeMs: timeMs, Device: id, Temperature: temp, Humidity: hum,
		Site: sites[dev%len(sites)], Battery: battery}
}

// Device is one row of the devices table.
type Device struct {
	Key, Value []byte
}

// Devices returns the devices table: one record per device, for a compacted topic.
func Devices(cfg Config) []Device {
	n := cfg.Devices
	if n <= 0 {
		n = 10_000
	}
	rnd := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x646576))
	out := make([]Device, n)
	for i := range out {
		id := DeviceID(i)
		v := `{"device_id":"` + id + `","site":"` + sites[i%len(sites)] + `","model":"` + models[rnd.IntN(len(models))] +
			`","max_humidity":` + strconv.Itoa(80+rnd.IntN(15)) + `}`
		out[i] = Device{Key: []byte(id), Value: []byte(v)}
	}
	return out
}
