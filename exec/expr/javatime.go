package expr

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zone rules must not depend on the host's zoneinfo

	"github.com/streamsql/streamsql/types"
)

// A translator for java.time.format.DateTimeFormatter patterns, which ksqlDB's date and time
// functions take: pattern letters (y u M L d D E a H h k K m s S n A V z Z X x O G Q), quoted
// literals ('T', '' for a quote), optional sections [ ], and any other character as itself.
// Formatting and parsing are done here rather than by translating to Go layouts, because Go's
// layouts cannot express most of these (fraction widths, ISO offsets with Z, 1-digit fields).
// Parsing is case-insensitive and fields the pattern lacks default to 1970-01-01T00:00.

type jItem struct {
	letter   byte // 0 for a literal
	count    int
	lit      string
	optStart bool // [
	optEnd   bool // ]
}

type javaPattern struct {
	items            []jItem
	hasDate, hasTime bool
	hasZone          bool
}

var (
	patternCache sync.Map
	patternCount int32
	patternMu    sync.Mutex
)

func badPattern(p string, format string, args ...any) error {
	return types.Errorf(types.CodeInvalidParameter, "Invalid format pattern '%s': %s", p, fmt.Sprintf(format, args...))
}

// compileJavaPattern parses a DateTimeFormatter pattern, caching the result.
func compileJavaPattern(p string) (*javaPattern, error) {
	if jp, ok := patternCache.Load(p); ok {
		return jp.(*javaPattern), nil
	}
	jp := &javaPattern{}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			j := i + 1
			var sb strings.Builder
			for {
				if j >= len(p) {
					return nil, badPattern(p, "unterminated quote")
				}
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						sb.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				sb.WriteByte(p[j])
				j++
			}
			if j == i+1 {
				jp.items = append(jp.items, jItem{lit: "'"})
			} else {
				jp.items = append(jp.items, jItem{lit: sb.String()})
			}
			i = j + 1
		case c == '[':
			jp.items = append(jp.items, jItem{optStart: true})
			i++
		case c == ']':
			jp.items = append(jp.items, jItem{optEnd: true})
			i++
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			n := j - i
			if !strings.ContainsRune("GuyDMLdQqEeaHhkKmsSnANVzZXxOw", rune(c)) {
				return nil, badPattern(p, "Unknown pattern letter: %c", c)
			}
			switch c {
			case 'y', 'u', 'D', 'M', 'L', 'd', 'Q', 'q', 'E', 'e', 'G', 'w':
				jp.hasDate = true
			case 'V', 'z', 'Z', 'X', 'x', 'O':
				jp.hasZone = true
			default:
				jp.hasTime = true
			}
			jp.items = append(jp.items, jItem{letter: c, count: n})
			i = j
		default:
			jp.items = append(jp.items, jItem{lit: string(c)})
			i++
		}
	}
	patternMu.Lock()
	if patternCount < 1024 {
		patternCount++
		patternCache.Store(p, jp)
	}
	patternMu.Unlock()
	return jp, nil
}

var (
	monthsShort = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	monthsLong  = []string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"}
	daysShort = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	daysLong  = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

func pad(n, width int) string {
	s := strconv.Itoa(abs(n))
	for len(s) < width {
		s = "0" + s
	}
	if n < 0 {
		return "-" + s
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// format renders t (already in its zone) with the pattern.
func (jp *javaPattern) format(t time.Time) string {
	var sb strings.Builder
	for _, it := range jp.items {
		if it.optStart || it.optEnd {
			continue
		}
		if it.letter == 0 {
			sb.WriteString(it.lit)
			continue
		}
		n := it.count
		switch it.letter {
		case 'G':
			if t.Year() > 0 {
				sb.WriteString("AD")
			} else {
				sb.WriteString("BC")
			}
		case 'y', 'u':
			y := t.Year()
			if it.letter == 'y' && y <= 0 {
				y = 1 - y
			}
			if n == 2 {
				sb.WriteString(pad(((y%100)+100)%100, 2))
			} else {
				sb.WriteString(pad(y, n))
			}
		case 'D':
			sb.WriteString(pad(t.YearDay(), n))
		case 'M', 'L':
			m := int(t.Month())
			switch {
			case n >= 5:
				sb.WriteString(monthsLong[m-1][:1])
			case n == 4:
				sb.WriteString(monthsLong[m-1])
			case n == 3:
				sb.WriteString(monthsShort[m-1])
			default:
				sb.WriteString(pad(m, n))
			}
		case 'd':
			sb.WriteString(pad(t.Day(), n))
		case 'Q', 'q':
			q := (int(t.Month())-1)/3 + 1
			if n >= 3 {
				sb.WriteString("Q" + strconv.Itoa(q))
			} else {
				sb.WriteString(pad(q, n))
			}
		case 'E', 'e':
			wd := int(t.Weekday())
			switch {
			case n >= 5:
				sb.WriteString(daysLong[wd][:1])
			case n == 4:
				sb.WriteString(daysLong[wd])
			default:
				sb.WriteString(daysShort[wd])
			}
		case 'w':
			_, w := t.ISOWeek()
			sb.WriteString(pad(w, n))
		case 'a':
			if t.Hour() < 12 {
				sb.WriteString("AM")
			} else {
				sb.WriteString("PM")
			}
		case 'H':
			sb.WriteString(pad(t.Hour(), n))
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			sb.WriteString(pad(h, n))
		case 'K':
			sb.WriteString(pad(t.Hour()%12, n))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			sb.WriteString(pad(h, n))
		case 'm':
			sb.WriteString(pad(t.Minute(), n))
		case 's':
			sb.WriteString(pad(t.Second(), n))
		case 'S':
			frac := pad(t.Nanosecond(), 9)
			for len(frac) < n {
				frac += "0"
			}
			sb.WriteString(frac[:n])
		case 'n':
			sb.WriteString(pad(t.Nanosecond(), n))
		case 'A':
			ms := ((t.Hour()*60+t.Minute())*60+t.Second())*1000 + t.Nanosecond()/1e6
			sb.WriteString(pad(ms, n))
		case 'N':
			ns := ((t.Hour()*60+t.Minute())*60+t.Second())*1e9 + t.Nanosecond()
			sb.WriteString(pad(ns, n))
		case 'V':
			sb.WriteString(t.Location().String())
		case 'z':
			name, _ := t.Zone()
			sb.WriteString(name)
		case 'O':
			_, off := t.Zone()
			switch {
			case off == 0:
				sb.WriteString("GMT")
			case n == 4:
				sb.WriteString("GMT" + formatOffset(off, true))
			default:
				sb.WriteString(formatGMTShort(off))
			}
		case 'X', 'x', 'Z':
			_, off := t.Zone()
			sb.WriteString(formatOffsetLetter(it.letter, n, off))
		}
	}
	return sb.String()
}

func formatOffsetLetter(letter byte, n, off int) string {
	switch {
	case letter == 'Z' && n <= 3:
		return formatOffset(off, false)
	case letter == 'Z' && n == 4:
		if off == 0 {
			return "GMT"
		}
		return "GMT" + formatOffset(off, true)
	case letter == 'Z' || (letter == 'X' && off == 0):
		if off == 0 {
			return "Z"
		}
		return formatOffset(off, true)
	}
	switch n {
	case 1:
		s := formatOffset(off, false)
		if strings.HasSuffix(s, "00") {
			return s[:3]
		}
		return s
	case 2, 4:
		return formatOffset(off, false)
	}
	return formatOffset(off, true)
}

// formatOffset renders +HH:MM (colon) or +HHMM.
func formatOffset(off int, colon bool) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	sep := ""
	if colon {
		sep = ":"
	}
	return sign + pad(off/3600, 2) + sep + pad((off/60)%60, 2)
}

// formatGMTShort is the O pattern: GMT+8, GMT+5:30.
func formatGMTShort(off int) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := "GMT" + sign + strconv.Itoa(off/3600)
	if m := (off / 60) % 60; m != 0 {
		s += ":" + pad(m, 2)
	}
	return s
}

// --- parsing ---------------------------------------------------------------------------------

type parsed struct {
	year, month, day, yday int
	hour, hour12, minute   int
	second, nano           int
	pm                     int // -1 unknown, 0 AM, 1 PM
	loc                    *time.Location
	hasDate, hasTime       bool
	hasYear, hasMonth      bool
	hasDay, hasHour12      bool
}

type parseError struct{ msg string }

func (e *parseError) Error() string { return e.msg }

// parse reads s with the pattern; optional sections that fail are skipped.
func (jp *javaPattern) parse(s string) (*parsed, error) { return jp.parseText(s, false) }

// parseText is parse; with prefixOnly, text after what the pattern reads is ignored, as
// java.text.DateFormat.parse(String) does (ksqlDB's PARSE_DATE behaves so).
func (jp *javaPattern) parseText(s string, prefixOnly bool) (*parsed, error) {
	p := &parsed{year: 1970, month: 1, day: 1, pm: -1}
	pos, err := jp.parseItems(jp.items, s, 0, p)
	if err != nil {
		return nil, err
	}
	if pos != len(s) && !prefixOnly {
		return nil, &parseError{fmt.Sprintf("Text '%s' could not be parsed, unparsed text found at index %d", s, pos)}
	}
	return p, nil
}

func (jp *javaPattern) parseItems(items []jItem, s string, pos int, p *parsed) (int, error) {
	for i := 0; i < len(items); i++ {
		it := items[i]
		if it.optStart {
			depth, j := 1, i+1
			for ; j < len(items) && depth > 0; j++ {
				if items[j].optStart {
					depth++
				} else if items[j].optEnd {
					depth--
				}
			}
			saved := *p
			if np, err := jp.parseItems(items[i+1:j-1], s, pos, p); err == nil {
				pos = np
			} else {
				*p = saved
			}
			i = j - 1
			continue
		}
		if it.optEnd {
			continue
		}
		np, err := parseItem(it, s, pos, p, nextIsDigits(items[i+1:]))
		if err != nil {
			return 0, err
		}
		pos = np
	}
	return pos, nil
}

// nextIsDigits reports whether the following item reads digits: then a variable-width number
// must leave them alone (Java's adjacent value parsing), so it reads only its minimum width.
func nextIsDigits(rest []jItem) bool {
	if len(rest) == 0 || rest[0].letter == 0 {
		return false
	}
	switch rest[0].letter {
	case 'y', 'u', 'D', 'd', 'H', 'h', 'k', 'K', 'm', 's', 'S', 'n', 'A', 'w':
		return true
	case 'M', 'L':
		return rest[0].count <= 2
	}
	return false
}

func fail(s string, pos int) error {
	return &parseError{fmt.Sprintf("Text '%s' could not be parsed at index %d", s, pos)}
}

func parseNumber(s string, pos, minW, maxW int, signed bool) (int, int, bool) {
	start := pos
	neg := false
	if signed && pos < len(s) && (s[pos] == '-' || s[pos] == '+') {
		neg = s[pos] == '-'
		pos++
	}
	digitsStart := pos
	for pos < len(s) && pos-digitsStart < maxW && s[pos] >= '0' && s[pos] <= '9' {
		pos++
	}
	if pos-digitsStart < minW || pos == digitsStart {
		return 0, start, false
	}
	n, _ := strconv.Atoi(s[digitsStart:pos])
	if neg {
		n = -n
	}
	return n, pos, true
}

func matchText(s string, pos int, options []string) (int, int, bool) {
	for i, o := range options {
		if len(s)-pos >= len(o) && strings.EqualFold(s[pos:pos+len(o)], o) {
			return i, pos + len(o), true
		}
	}
	return 0, pos, false
}

func parseItem(it jItem, s string, pos int, p *parsed, adjacent bool) (int, error) {
	if it.letter == 0 {
		if len(s)-pos >= len(it.lit) && strings.EqualFold(s[pos:pos+len(it.lit)], it.lit) {
			return pos + len(it.lit), nil
		}
		return 0, fail(s, pos)
	}
	n := it.count
	num := func(minW, maxW int) (int, int, bool) {
		if adjacent {
			maxW = max(minW, n)
		}
		return parseNumber(s, pos, minW, maxW, false)
	}
	var v, np int
	var ok bool
	switch it.letter {
	case 'y', 'u':
		switch {
		case n == 2:
			if v, np, ok = parseNumber(s, pos, 2, 2, false); ok {
				v += 2000
			}
		default:
			maxW := 10
			if adjacent {
				maxW = max(n, 4)
			}
			v, np, ok = parseNumber(s, pos, n, maxW, n > 3)
		}
		p.year, p.hasYear, p.hasDate = v, true, true
	case 'D':
		v, np, ok = num(n, 3)
		p.yday, p.hasDate = v, true
	case 'M', 'L':
		switch {
		case n >= 4:
			v, np, ok = matchText(s, pos, monthsLong)
			v++
		case n == 3:
			v, np, ok = matchText(s, pos, monthsShort)
			v++
		default:
			v, np, ok = num(n, 2)
		}
		p.month, p.hasMonth, p.hasDate = v, true, true
	case 'd':
		v, np, ok = num(n, 2)
		p.day, p.hasDay, p.hasDate = v, true, true
	case 'E', 'e':
		if n >= 4 {
			_, np, ok = matchText(s, pos, daysLong)
		} else {
			_, np, ok = matchText(s, pos, daysShort)
		}
	case 'G':
		_, np, ok = matchText(s, pos, []string{"AD", "BC"})
	case 'a':
		v, np, ok = matchText(s, pos, []string{"AM", "PM"})
		p.pm = v
	case 'H', 'k':
		v, np, ok = num(n, 2)
		if it.letter == 'k' && v == 24 {
			v = 0
		}
		p.hour, p.hasTime = v, true
	case 'h', 'K':
		v, np, ok = num(n, 2)
		if it.letter == 'h' && v == 12 {
			v = 0
		}
		p.hour12, p.hasHour12, p.hasTime = v, true, true
	case 'm':
		v, np, ok = num(n, 2)
		p.minute, p.hasTime = v, true
	case 's':
		v, np, ok = num(n, 2)
		p.second, p.hasTime = v, true
	case 'S':
		v, np, ok = parseNumber(s, pos, n, n, false)
		for w := n; w < 9; w++ {
			v *= 10
		}
		p.nano, p.hasTime = v, true
	case 'n':
		v, np, ok = num(1, 9)
		p.nano, p.hasTime = v, true
	case 'A':
		v, np, ok = num(1, 8)
		p.hour, p.minute, p.second, p.nano = v/3600000, v/60000%60, v/1000%60, v%1000*1e6
		p.hasTime = true
	case 'V', 'z':
		var loc *time.Location
		loc, np, ok = parseZone(s, pos)
		p.loc = loc
	case 'O', 'X', 'x', 'Z':
		var off int
		off, np, ok = parseOffsetAt(s, pos, it.letter)
		if ok {
			p.loc = time.FixedZone("", off)
		}
	default:
		return 0, fail(s, pos)
	}
	if !ok {
		return 0, fail(s, pos)
	}
	return np, nil
}

func parseOffsetAt(s string, pos int, letter byte) (int, int, bool) {
	rest := s[pos:]
	if (letter == 'X' || letter == 'Z') && strings.HasPrefix(rest, "Z") {
		return 0, pos + 1, true
	}
	if letter == 'O' || letter == 'Z' {
		if strings.HasPrefix(rest, "GMT") {
			pos += 3
			rest = s[pos:]
			if rest == "" || (rest[0] != '+' && rest[0] != '-') {
				return 0, pos, true
			}
		}
	}
	if rest == "" || (rest[0] != '+' && rest[0] != '-') {
		return 0, pos, false
	}
	end := 1
	for end < len(rest) && (rest[end] >= '0' && rest[end] <= '9' || rest[end] == ':') {
		end++
	}
	off, ok := parseOffset(rest[:end])
	if !ok {
		return 0, pos, false
	}
	return off, pos + end, true
}

// zoneAbbreviations maps the short names Java's zone-text parser accepts to regions, so that
// "PST" follows daylight-saving rules the way java.time does.
var zoneAbbreviations = map[string]string{
	"PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
	"MST": "America/Denver", "MDT": "America/Denver",
	"CST": "America/Chicago", "CDT": "America/Chicago",
	"EST": "America/New_York", "EDT": "America/New_York",
	"AKST": "America/Anchorage", "AKDT": "America/Anchorage", "HST": "Pacific/Honolulu",
	"GMT": "GMT", "UTC": "UTC", "UT": "UTC", "Z": "UTC",
	"BST": "Europe/London", "CET": "CET", "CEST": "CET", "EET": "EET", "EEST": "EET",
	"WET": "WET", "WEST": "WET", "IST": "Asia/Kolkata", "JST": "Asia/Tokyo",
	"AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
}

func parseZone(s string, pos int) (*time.Location, int, bool) {
	end := pos
	for end < len(s) {
		c := s[end]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '_' || c == '-' && end > pos ||
			c >= '0' && c <= '9' && end > pos || c == '+' {
			end++
			continue
		}
		break
	}
	for ; end > pos; end-- {
		if loc, err := loadZone(s[pos:end]); err == nil {
			return loc, end, true
		}
	}
	return nil, pos, false
}

var zoneCache sync.Map

// loadZone resolves what java.time's ZoneId.of accepts: region IDs, Z/UTC/GMT, offsets
// (+02:00, +0200), UTC+2 / GMT+02:00 prefixes, and the common abbreviations.
func loadZone(name string) (*time.Location, error) {
	if loc, ok := zoneCache.Load(name); ok {
		return loc.(*time.Location), nil
	}
	var loc *time.Location
	switch {
	case name == "":
		return nil, types.Errorf(types.CodeInvalidParameter, "Invalid ID for region-based ZoneId, invalid format: %s", name)
	case name[0] == '+' || name[0] == '-':
		off, ok := parseOffset(name)
		if !ok {
			return nil, types.Errorf(types.CodeInvalidParameter, "Invalid ID for ZoneOffset, invalid format: %s", name)
		}
		loc = time.FixedZone(name, off)
	case strings.HasPrefix(name, "UTC+") || strings.HasPrefix(name, "UTC-") ||
		strings.HasPrefix(name, "GMT+") || strings.HasPrefix(name, "GMT-"):
		off, ok := parseOffset(name[3:])
		if !ok {
			return nil, types.Errorf(types.CodeInvalidParameter, "Invalid ID for offset-based ZoneId: %s", name)
		}
		loc = time.FixedZone(name, off)
	default:
		if region, ok := zoneAbbreviations[name]; ok {
			name = region
		}
		l, err := time.LoadLocation(name)
		if err != nil || name == "Local" {
			return nil, types.Errorf(types.CodeInvalidParameter, "Unknown time-zone ID: %s", name)
		}
		loc = l
	}
	zoneCache.Store(name, loc)
	return loc, nil
}

// resolve turns parsed fields into a time in loc (unless the text named its own zone).
func (p *parsed) resolve(loc *time.Location, src string) (time.Time, error) {
	if p.loc != nil {
		loc = p.loc
	}
	hour := p.hour
	if p.hasHour12 {
		hour = p.hour12
		if p.pm == 1 {
			hour += 12
		}
	}
	if p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysIn(p.year, p.month) ||
		hour > 23 || p.minute > 59 || p.second > 59 {
		return time.Time{}, &parseError{fmt.Sprintf("Text '%s' could not be parsed: invalid date or time", src)}
	}
	var t time.Time
	if p.yday > 0 && !p.hasMonth {
		t = time.Date(p.year, 1, 1, hour, p.minute, p.second, p.nano, loc).AddDate(0, 0, p.yday-1)
	} else {
		t = time.Date(p.year, time.Month(p.month), p.day, hour, p.minute, p.second, p.nano, loc)
	}
	return t, nil
}
