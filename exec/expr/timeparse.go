package expr

import (
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/types"
)

func badDatetime(kind, s string) error {
	return evalErrorf(types.CodeInvalidDatetime, "Text '%s' could not be parsed as a %s", s, kind)
}

// ParseTimestampString parses the partial ISO-8601 timestamps ksqlDB accepts wherever a string
// stands for a TIMESTAMP (CAST, comparisons with TIMESTAMP, ROWTIME > '2018'): yyyy[-MM[-dd]]
// optionally followed by T (or a space) and HH[:mm[:ss[.fraction]]], and an optional zone: Z,
// +hh, +hhmm or +hh:mm. Missing parts are the start of the period; no zone means UTC.
// The result is epoch milliseconds. The planner uses it for ksqlDB's "magic" conversion of
// string literals compared with ROWTIME and window bounds.
func ParseTimestampString(s string) (int64, error) {
	s = strings.TrimSpace(s)
	datePart, rest := s, ""
	if i := strings.IndexAny(s, "T "); i >= 0 {
		datePart, rest = s[:i], s[i+1:]
	}
	y, mo, d, ok := parsePartialDate(datePart)
	if !ok {
		return 0, badDatetime("timestamp", s)
	}
	zoneOffset := 0
	timePart := rest
	if rest != "" {
		switch {
		case strings.HasSuffix(rest, "Z"):
			timePart = rest[:len(rest)-1]
		default:
			if i := strings.IndexAny(rest, "+-"); i >= 0 {
				off, ok := parseOffset(rest[i:])
				if !ok {
					return 0, badDatetime("timestamp", s)
				}
				zoneOffset, timePart = off, rest[:i]
			}
		}
	}
	var ms int64
	if timePart != "" || rest != "" {
		var ok bool
		ms, ok = parsePartialTime(timePart, true)
		if !ok {
			return 0, badDatetime("timestamp", s)
		}
	}
	days := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	return days*msPerDay + ms - int64(zoneOffset)*1000, nil
}

// parsePartialDate accepts yyyy, yyyy-MM and yyyy-MM-dd.
func parsePartialDate(s string) (y, m, d int, ok bool) {
	parts := strings.Split(s, "-")
	if len(parts) == 0 || len(parts) > 3 || len(parts[0]) != 4 {
		return 0, 0, 0, false
	}
	vals := []int{0, 1, 1}
	for i, p := range parts {
		if i > 0 && len(p) != 2 {
			return 0, 0, 0, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return 0, 0, 0, false
		}
		vals[i] = n
	}
	y, m, d = vals[0], vals[1], vals[2]
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parsePartialTime accepts HH[:mm[:ss[.fraction]]] (partial == true) or requires at least
// HH:mm (ISO LocalTime) and returns milliseconds of the day, sub-millisecond digits dropped.
func parsePartialTime(s string, partial bool) (int64, bool) {
	frac := ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s, frac = s[:i], s[i+1:]
		if frac == "" || len(frac) > 9 || strings.Trim(frac, "0123456789") != "" {
			return 0, false
		}
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 || (!partial && len(parts) < 2) || (frac != "" && len(parts) != 3) {
		return 0, false
	}
	limits := []int{23, 59, 59}
	var hms [3]int
	for i, p := range parts {
		if len(p) != 2 {
			return 0, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > limits[i] {
			return 0, false
		}
		hms[i] = n
	}
	ms := int64(hms[0])*3600000 + int64(hms[1])*60000 + int64(hms[2])*1000
	if frac != "" {
		frac = (frac + "00")[:3]
		n, _ := strconv.Atoi(frac)
		ms += int64(n)
	}
	return ms, true
}

// parseOffset parses +hh, +hhmm, +hh:mm (and the same with -) into seconds east of UTC.
func parseOffset(s string) (int, bool) {
	if len(s) < 3 {
		return 0, false
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	body := strings.ReplaceAll(s[1:], ":", "")
	if len(body) != 2 && len(body) != 4 {
		return 0, false
	}
	h, err := strconv.Atoi(body[:2])
	if err != nil || h > 18 {
		return 0, false
	}
	m := 0
	if len(body) == 4 {
		if m, err = strconv.Atoi(body[2:]); err != nil || m > 59 {
			return 0, false
		}
	}
	return sign * (h*3600 + m*60), true
}

// parseTimeISO is LocalTime.parse: HH:mm[:ss[.fraction]].
func parseTimeISO(s string) (int64, error) {
	ms, ok := parsePartialTime(s, false)
	if !ok {
		return 0, badDatetime("time", s)
	}
	return ms, nil
}

// parseDateISO is LocalDate.parse: yyyy-MM-dd.
func parseDateISO(s string) (int32, error) {
	if len(s) != 10 {
		return 0, badDatetime("date", s)
	}
	y, m, d, ok := parsePartialDate(s)
	if !ok {
		return 0, badDatetime("date", s)
	}
	return int32(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400), nil
}
