package serde

import (
	"encoding/json"
	"testing"

	"github.com/streamsql/streamsql/types"
)

// An IoT reading of the kind DESIGN.md measures: 10 fields, ~260 bytes, member names in
// lower case as producers write them (so every name goes through case folding).
var iotJSON = []byte(`{"device_id":"sensor-000421-eu-west","site":"plant-07/line-2/cell-14","ts":1718000000123,` +
	`"temperature":21.734,"humidity":48.2,"pressure":1013.25,"battery_pct":87,"status":"OK",` +
	`"firmware":"v2.14.3-rc1+build.5567","location":"building-A/floor-3/bay-12/rack-7"}`)

var iotDelimited = []byte(`sensor-000421-eu-west,plant-07/line-2/cell-14,1718000000123,21.734,48.2,1013.25,87,OK,` +
	`v2.14.3-rc1+build.5567,building-A/floor-3/bay-12/rack-7`)

var iotFields = []types.Field{
	fld("DEVICE_ID", types.StringType), fld("SITE", types.StringType), fld("TS", types.TimestampType),
	fld("TEMPERATURE", types.DoubleType), fld("HUMIDITY", types.DoubleType), fld("PRESSURE", types.DoubleType),
	fld("BATTERY_PCT", types.IntType), fld("STATUS", types.StringType), fld("FIRMWARE", types.StringType),
	fld("LOCATION", types.StringType),
}

// A typical plan reads a key, a timestamp and one measure.
var iotNeeded3 = []bool{true, false, true, true, false, false, false, false, false, false}

func BenchmarkDecodeJSON(b *testing.B) {
	c := mustCodec(b, Options{Format: "JSON"}, iotFields...)
	for _, bc := range []struct {
		name   string
		needed []bool
	}{{"all-10", nil}, {"needed-3", iotNeeded3}} {
		b.Run(bc.name, func(b *testing.B) {
			row := make(types.Row, len(iotFields))
			b.SetBytes(int64(len(iotJSON)))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Decode(iotJSON, row, bc.needed); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// For scale: encoding/json v1 into a typed struct, the DESIGN.md baseline.
	b.Run("encoding-json-struct", func(b *testing.B) {
		var v struct {
			DeviceID    string  `json:"device_id"`
			Site        string  `json:"site"`
			TS          int64   `json:"ts"`
			Temperature float64 `json:"temperature"`
			Humidity    float64 `json:"humidity"`
			Pressure    float64 `json:"pressure"`
			BatteryPct  int32   `json:"battery_pct"`
			Status      string  `json:"status"`
			Firmware    string  `json:"firmware"`
			Location    string  `json:"location"`
		}
		b.SetBytes(int64(len(iotJSON)))
		b.ReportAllocs()
		for b.Loop() {
			if err := json.Unmarshal(iotJSON, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEncodeJSON(b *testing.B) {
	c := mustCodec(b, Options{Format: "JSON"}, iotFields...)
	row, err := decodeRow(c, iotJSON)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		out, err := c.Encode(buf[:0], row)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(out)))
	}
}

func BenchmarkDecodeDelimited(b *testing.B) {
	c := mustCodec(b, Options{Format: "DELIMITED"}, iotFields...)
	for _, bc := range []struct {
		name   string
		needed []bool
	}{{"all-10", nil}, {"needed-3", iotNeeded3}} {
		b.Run(bc.name, func(b *testing.B) {
			row := make(types.Row, len(iotFields))
			b.SetBytes(int64(len(iotDelimited)))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Decode(iotDelimited, row, bc.needed); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeDelimited(b *testing.B) {
	c := mustCodec(b, Options{Format: "DELIMITED"}, iotFields...)
	row, err := decodeRow(c, iotDelimited)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Encode(buf[:0], row); err != nil {
			b.Fatal(err)
		}
	}
}
