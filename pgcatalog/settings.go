package pgcatalog

import (
	"sort"
	"strings"

	"github.com/streamsql/streamsql/types"
)

// Setting describes one configuration parameter the server knows.
type Setting struct {
	Name     string // as Postgres spells it (DateStyle, TimeZone ...)
	Default  string
	Category string
	Desc     string
	Context  string // user, superuser, internal, backend ...
	VarType  string // bool, integer, real, string, enum
	Unit     string
	// Report marks the parameters a client is told about with ParameterStatus.
	Report bool
	// ReadOnly parameters cannot be SET (server_version ...).
	ReadOnly bool
}

// knownSettings are the parameters Postgres clients read; any other name may be SET and is
// then stored as a user setting.
var knownSettings = []Setting{
	{Name: "application_name", Default: "", Category: "Reporting and Logging / What to Log", Desc: "Sets the application name to be reported in statistics and logs.", Context: "user", VarType: "string", Report: true},
	{Name: "client_encoding", Default: "UTF8", Category: "Client Connection Defaults / Locale and Formatting", Desc: "Sets the client's character set encoding.", Context: "user", VarType: "string", Report: true},
	{Name: "DateStyle", Default: "ISO, MDY", Category: "Client Connection Defaults / Locale and Formatting", Desc: "Sets the display format for date and time values.", Context: "user", VarType: "string", Report: true},
	{Name: "default_transaction_isolation", Default: "read committed", Category: "Client Connection Defaults / Statement Behavior", Desc: "Sets the transaction isolation level of each new transaction.", Context: "user", VarType: "enum"},
	{Name: "default_transaction_read_only", Default: "off", Category: "Client Connection Defaults / Statement Behavior", Desc: "Sets the default read-only status of new transactions.", Context: "user", VarType: "bool", Report: true},
	{Name: "default_transaction_deferrable", Default: "off", Category: "Client Connection Defaults / Statement Behavior", Desc: "Sets the default deferrable status of new transactions.", Context: "user", VarType: "bool"},
	{Name: "extra_float_digits", Default: "1", Category: "Client Connection Defaults / Locale and Formatting", Desc: "Sets the number of digits displayed for floating-point values.", Context: "user", VarType: "integer"},
	{Name: "in_hot_standby", Default: "off", Category: "Preset Options", Desc: "Shows whether hot standby is currently active.", Context: "internal", VarType: "bool", Report: true, ReadOnly: true},
	{Name: "integer_datetimes", Default: "on", Category: "Preset Options", Desc: "Shows whether datetimes are integer based.", Context: "internal", VarType: "bool", Report: true, ReadOnly: true},
	{Name: "IntervalStyle", Default: "postgres", Category: "Client Connection Defaults / Locale and Formatting", Desc: "Sets the display format for interval values.", Context: "user", VarType: "enum", Report: true},
	{Name: "is_superuser", Default: "on", Category: "Preset Options", Desc: "Shows whether the current user is a superuser.", Context: "internal", VarType: "bool", Report: true, ReadOnly: true},
	{Name: "lc_messages", Default: "C", Category: "Client Connection Defaults / Locale and Formatting", Desc: "Sets the language in which messages are displayed.", Context: "superuser", VarType: "string"},
	{Name: "lc_monetary", Default: "C", Category: "Client Connection Defaults / Locale and Formatting", Desc: "Sets the locale for formatting monetary amounts.", Context: "user", VarType: "string"},
	{Name: "lc_numeric", Default: "C", Category: "Client Connection Defaults / Locale and Formatting", Desc: "Sets the locale for formatting numbers.", Context: "user", VarType: "string"},
	{Name: "lc_time", Default: "C", Category: "Client Connection Defaults / Locale and Formatting", Desc: "Sets the locale for formatting date and time values.", Context: "user", VarType: "string"},
	{Name: "lock_timeout", Default: "0", Category: "Client Connection Defaults / Statement Behavior", Desc: "Sets the maximum allowed duration of any wait for a lock.", Context: "user", VarType: "integer", Unit: "ms"},
	{Name: "max_identifier_length", Default: "63", Category: "Preset Options", Desc: "Shows the maximum identifier length.", Context: "internal", VarType: "integer", ReadOnly: true},
	{Name: "max_index_keys", Default: "32", Category: "Preset Options", Desc: "Shows the maximum number of index keys.", Context: "internal", VarType: "integer", ReadOnly: true},
	{Name: "search_path", Default: `"$user", public`, Category: "Client Connection Defaults / Statement Behavior", Desc: "Sets the schema search order for names that are not schema-qualified.", Context: "user", VarType: "string"},
	{Name: "server_encoding", Default: "UTF8", Category: "Preset Options", Desc: "Shows the server (database) character set encoding.", Context: "internal", VarType: "string", Report: true, ReadOnly: true},
	{Name: "server_version", Default: "13.0.0", Category: "Preset Options", Desc: "Shows the server version.", Context: "internal", VarType: "string", Report: true, ReadOnly: true},
	{Name: "server_version_num", Default: "130000", Category: "Preset Options", Desc: "Shows the server version as an integer.", Context: "internal", VarType: "integer", ReadOnly: true},
	{Name: "session_authorization", Default: "", Category: "Preset Options", Desc: "Sets the session user name.", Context: "superuser", VarType: "string", Report: true, ReadOnly: true},
	{Name: "standard_conforming_strings", Default: "on", Category: "Version and Platform Compatibility", Desc: "Causes '...' strings to treat backslashes literally.", Context: "user", VarType: "bool", Report: true},
	{Name: "statement_timeout", Default: "0", Category: "Client Connection Defaults / Statement Behavior", Desc: "Sets the maximum allowed duration of any statement.", Context: "user", VarType: "integer", Unit: "ms"},
	{Name: "TimeZone", Default: "UTC", Category: "Client Connection Defaults / Locale and Formatting", Desc: "Sets the time zone for displaying and interpreting time stamps.", Context: "user", VarType: "string", Report: true},
	{Name: "transaction_isolation", Default: "read committed", Category: "Client Connection Defaults / Statement Behavior", Desc: "Sets the current transaction's isolation level.", Context: "user", VarType: "enum"},
	{Name: "transaction_read_only", Default: "off", Category: "Client Connection Defaults / Statement Behavior", Desc: "Sets the current transaction's read-only status.", Context: "user", VarType: "bool"},
	{Name: "transaction_deferrable", Default: "off", Category: "Client Connection Defaults / Statement Behavior", Desc: "Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures.", Context: "user", VarType: "bool"},
	{Name: "idle_in_transaction_session_timeout", Default: "0", Category: "Client Connection Defaults / Statement Behavior", Desc: "Sets the maximum allowed idle time between queries, when in a transaction.", Context: "user", VarType: "integer", Unit: "ms"},
	{Name: "bytea_output", Default: "hex", Category: "Client Connection Defaults / Statement Behavior", Desc: "Sets the output format for bytea.", Context: "user", VarType: "enum"},
	{Name: "client_min_messages", Default: "notice", Category: "Client Connection Defaults / Statement Behavior", Desc: "Sets the message levels that are sent to the client.", Context: "user", VarType: "enum"},
	{Name: "row_security", Default: "on", Category: "Client Connection Defaults / Statement Behavior", Desc: "Enable row security.", Context: "user", VarType: "bool"},
	{Name: "max_connections", Default: "100", Category: "Connections and Authentication / Connection Settings", Desc: "Sets the maximum number of concurrent connections.", Context: "postmaster", VarType: "integer", ReadOnly: true},
	{Name: "block_size", Default: "8192", Category: "Preset Options", Desc: "Shows the size of a disk block.", Context: "internal", VarType: "integer", ReadOnly: true},
	{Name: "data_directory_mode", Default: "0700", Category: "Preset Options", Desc: "Shows the mode of the data directory.", Context: "internal", VarType: "integer", ReadOnly: true},
	{Name: "ssl", Default: "off", Category: "Connections and Authentication / SSL", Desc: "Enables SSL connections.", Context: "sighup", VarType: "bool", ReadOnly: true},
	{Name: "synchronous_commit", Default: "on", Category: "Write-Ahead Log / Settings", Desc: "Sets the current transaction's synchronization level.", Context: "user", VarType: "enum"},
	{Name: "work_mem", Default: "4096", Category: "Resource Usage / Memory", Desc: "Sets the maximum memory to be used for query workspaces.", Context: "user", VarType: "integer", Unit: "kB"},
	{Name: "timezone_abbreviations", Default: "Default", Category: "Client Connection Defaults / Locale and Formatting", Desc: "Selects a file of time zone abbreviations.", Context: "user", VarType: "string"},
	{Name: "geqo", Default: "on", Category: "Query Tuning / Genetic Query Optimizer", Desc: "Enables genetic query optimization.", Context: "user", VarType: "bool"},
	{Name: "jit", Default: "off", Category: "Query Tuning / Other Planner Options", Desc: "Allow JIT compilation.", Context: "user", VarType: "bool"},
}

var settingsByLower = map[string]*Setting{}

func init() {
	for i := range knownSettings {
		settingsByLower[strings.ToLower(knownSettings[i].Name)] = &knownSettings[i]
	}
}

// Settings are one session's configuration parameters: the defaults, what the client sent at
// startup, and what it SET since. Names are case-insensitive.
type Settings struct {
	vals    map[string]string // lower-cased name -> value, over the defaults
	startup map[string]string // what RESET goes back to
	user    map[string]string // lower-cased name -> name as first SET, for unknown settings
}

// NewSettings starts a session's settings. startup holds the client's startup parameters
// (user, database and protocol options are not settings and are skipped); serverVersion is
// what the server reports.
func NewSettings(startup map[string]string, serverVersion string) *Settings {
	s := &Settings{vals: map[string]string{}, startup: map[string]string{}, user: map[string]string{}}
	if serverVersion != "" {
		s.startup["server_version"] = serverVersion
		s.startup["server_version_num"] = versionNum(serverVersion)
	}
	for k, v := range startup {
		lk := strings.ToLower(k)
		switch lk {
		case "user":
			s.startup["session_authorization"] = v
			continue
		case "database", "options", "replication":
			continue
		case "client_encoding":
			v = "UTF8" // the only encoding spoken
		case "datestyle":
			v = normalizeDateStyle(v)
		}
		if st := settingsByLower[lk]; st != nil && st.ReadOnly {
			continue
		}
		s.startup[lk] = v
		if settingsByLower[lk] == nil {
			s.user[lk] = k
		}
	}
	for k, v := range s.startup {
		s.vals[k] = v
	}
	return s
}

// versionNum turns "13.0.0" into "130000".
func versionNum(v string) string {
	parts := strings.Split(v, ".")
	num := func(i int) int {
		if i >= len(parts) {
			return 0
		}
		n := 0
		for _, c := range parts[i] {
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	major := num(0)
	if major >= 10 {
		return itoa(major*10000 + num(1))
	}
	return itoa(major*10000 + num(1)*100 + num(2))
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func normalizeDateStyle(v string) string {
	style, order := "ISO", "MDY"
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		switch u := strings.ToUpper(f); u {
		case "ISO", "SQL", "POSTGRES", "GERMAN":
			style = u
			if u == "POSTGRES" {
				style = "Postgres"
			}
			if u == "GERMAN" {
				style = "German"
			}
		case "MDY", "DMY", "YMD":
			order = u
		case "EURO", "EUROPEAN":
			order = "DMY"
		case "US", "NONEURO", "NONEUROPEAN":
			order = "MDY"
		}
	}
	return style + ", " + order
}

// Get returns a setting's value. Unknown names are not found, except custom settings
// (with a dot), which read as "" like Postgres placeholders when missing_ok.
func (s *Settings) Get(name string) (string, bool) {
	lk := strings.ToLower(name)
	if v, ok := s.vals[lk]; ok {
		return v, true
	}
	if st := settingsByLower[lk]; st != nil {
		return st.Default, true
	}
	return "", false
}

// CanonicalName is the name as Postgres spells it (DateStyle), or the name as given.
func CanonicalName(name string) string {
	if st := settingsByLower[strings.ToLower(name)]; st != nil {
		return st.Name
	}
	return strings.ToLower(name)
}

// IsReported reports whether a change of the setting is sent to the client as ParameterStatus.
func IsReported(name string) bool {
	st := settingsByLower[strings.ToLower(name)]
	return st != nil && st.Report
}

// Set stores a value. It validates what Postgres validates for the settings clients depend on
// (client_encoding, DateStyle, read-only parameters) and returns the value stored.
func (s *Settings) Set(name, value string) (string, error) {
	lk := strings.ToLower(name)
	if st := settingsByLower[lk]; st != nil {
		if st.ReadOnly {
			return "", types.Errorf(codeCantChangeRuntimeParam, "parameter \"%s\" cannot be changed", lk)
		}
		switch lk {
		case "client_encoding":
			switch strings.ToUpper(strings.ReplaceAll(value, "-", "")) {
			case "UTF8", "UNICODE", "DEFAULT", "":
				value = "UTF8"
			default:
				return "", types.Errorf(types.CodeFeatureNotSupported, "conversion between %s and UTF8 is not supported", value)
			}
		case "datestyle":
			value = normalizeDateStyle(value)
		case "standard_conforming_strings":
			b, err := parseBool(value)
			if err != nil {
				return "", types.Errorf(types.CodeInvalidParameter, "parameter \"%s\" requires a Boolean value", lk)
			}
			if !b {
				return "", types.Errorf(types.CodeFeatureNotSupported, "standard_conforming_strings cannot be turned off")
			}
			value = "on"
		case "timezone":
			if strings.EqualFold(value, "default") || strings.EqualFold(value, "local") {
				value = st.Default
			}
		}
		if st.VarType == "bool" {
			if b, err := parseBool(value); err == nil {
				value = map[bool]string{true: "on", false: "off"}[b]
			}
		}
	} else if _, ok := s.user[lk]; !ok {
		s.user[lk] = name
	}
	s.vals[lk] = value
	return value, nil
}

// Reset returns a setting to its startup value or default.
func (s *Settings) Reset(name string) error {
	lk := strings.ToLower(name)
	if st := settingsByLower[lk]; st != nil && st.ReadOnly {
		return types.Errorf(codeCantChangeRuntimeParam, "parameter \"%s\" cannot be changed", lk)
	}
	if v, ok := s.startup[lk]; ok {
		s.vals[lk] = v
	} else {
		delete(s.vals, lk)
	}
	return nil
}

// ResetAll returns every setting to its startup value or default and reports the names of
// the reported settings whose value changed.
func (s *Settings) ResetAll() []string {
	var changed []string
	for lk, v := range s.vals {
		if st := settingsByLower[lk]; st != nil && st.ReadOnly {
			continue
		}
		def, ok := s.startup[lk]
		if !ok {
			if st := settingsByLower[lk]; st != nil {
				def = st.Default
			}
		}
		if def != v && IsReported(lk) {
			changed = append(changed, CanonicalName(lk))
		}
	}
	s.vals = map[string]string{}
	for k, v := range s.startup {
		s.vals[k] = v
	}
	sort.Strings(changed)
	return changed
}

// SettingRow is a setting with its current value, for SHOW ALL and pg_settings.
type SettingRow struct {
	Setting
	Value  string
	Source string
}

// All lists every known setting and every user setting, sorted by name.
func (s *Settings) All() []SettingRow {
	var out []SettingRow
	for _, st := range knownSettings {
		v, _ := s.Get(st.Name)
		src := "default"
		if _, ok := s.vals[strings.ToLower(st.Name)]; ok {
			src = "session"
		}
		out = append(out, SettingRow{Setting: st, Value: v, Source: src})
	}
	for lk, name := range s.user {
		v, ok := s.vals[lk]
		if !ok {
			continue
		}
		out = append(out, SettingRow{Setting: Setting{Name: name, Category: "Customized Options", Context: "user", VarType: "string"}, Value: v, Source: "session"})
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// codeCantChangeRuntimeParam is SQLSTATE 55P02.
const codeCantChangeRuntimeParam types.Code = "55P02"
