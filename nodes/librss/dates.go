package librss

import (
	"strconv"
	"strings"
	"time"
)

// parseDate reads the dates feeds carry, in UTC: RFC 822 as RSS writes
// it ("Mon, 13 Jan 2025 09:47:12 GMT", with or without the weekday or the
// seconds, two-digit years, named US zones, numeric offsets) and ISO 8601
// as Atom and Dublin Core write it ("2025-01-13T09:47:12Z",
// "2025-01-13T09:47:12.5+01:00", "2025-01-13").
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, ok := parseISO(s); ok {
		return t.UTC(), true
	}
	if t, ok := parseRFC822(s); ok {
		return t.UTC(), true
	}
	return time.Time{}, false
}

func parseISO(s string) (time.Time, bool) {
	for _, l := range []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02",
		"20060102T150405Z0700",
		"20060102",
	} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var usZones = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}

var months = map[string]time.Month{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

// parseRFC822 reads "[Wkd,] DD Mon YYYY HH:MM[:SS] [zone]".
func parseRFC822(s string) (time.Time, bool) {
	f := strings.Fields(strings.ReplaceAll(s, ",", " "))
	if len(f) > 0 && len(f[0]) >= 3 && !isDigits(f[0]) {
		if _, isMonth := months[strings.ToLower(f[0][:3])]; !isMonth {
			f = f[1:] // the weekday
		}
	}
	if len(f) < 3 {
		return time.Time{}, false
	}
	// Day and month in either order ("13 Jan", "Jan 13").
	dayStr, monStr := f[0], f[1]
	if !isDigits(dayStr) {
		dayStr, monStr = monStr, dayStr
	}
	day, err := strconv.Atoi(dayStr)
	if err != nil || len(monStr) < 3 {
		return time.Time{}, false
	}
	mon, ok := months[strings.ToLower(monStr[:3])]
	if !ok {
		return time.Time{}, false
	}
	year, err := strconv.Atoi(f[2])
	if err != nil {
		return time.Time{}, false
	}
	switch {
	case len(f[2]) == 2 && year < 50:
		year += 2000
	case len(f[2]) == 2:
		year += 1900
	}
	var hh, mm, ss int
	if len(f) > 3 {
		parts := strings.Split(f[3], ":")
		if len(parts) < 2 || len(parts) > 3 {
			return time.Time{}, false
		}
		var nums [3]int
		for i, p := range parts {
			if nums[i], err = strconv.Atoi(p); err != nil {
				return time.Time{}, false
			}
		}
		hh, mm, ss = nums[0], nums[1], nums[2]
	}
	offset := 0
	if len(f) > 4 {
		z := strings.ToUpper(f[4])
		if h, ok := usZones[z]; ok {
			offset = h * 3600
		} else if len(z) == 5 && (z[0] == '+' || z[0] == '-') && isDigits(z[1:]) {
			h, _ := strconv.Atoi(z[1:3])
			m, _ := strconv.Atoi(z[3:])
			offset = h*3600 + m*60
			if z[0] == '-' {
				offset = -offset
			}
		}
	}
	if day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1 || year > 9999 {
		return time.Time{}, false
	}
	return time.Date(year, mon, day, hh, mm, ss, 0, time.FixedZone("", offset)), true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
