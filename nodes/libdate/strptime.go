package libdate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// strptime reads s with a format of the DateFormat enum as Python's
// datetime.strptime does: the format becomes a case-insensitive pattern
// (each directive with Python's own sub-pattern, whitespace matching any
// run of whitespace), which must match all of s. Without %z the result is
// naive, which NodeTool's Datetime turns into UTC.
func strptime(s, format string) (dt, error) {
	re, err := strptimeRe(format)
	if err != nil {
		return dt{}, err
	}
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return dt{}, fmt.Errorf("time data %s does not match format %s", pyQuote(s), pyQuote(format))
	}
	if m[1] != len(s) {
		return dt{}, fmt.Errorf("unconverted data remains: %s", s[m[1]:])
	}
	y, mo, d := int64(1900), int64(1), int64(1)
	var h, mi, sec int64
	var off float64
	for i, name := range re.SubexpNames() {
		if name == "" || m[2*i] < 0 {
			continue
		}
		v := s[m[2*i]:m[2*i+1]]
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		switch name {
		case "Y":
			y = n
		case "m":
			mo = n
		case "d":
			d = n
		case "H":
			h = n
		case "M":
			mi = n
		case "S":
			sec = n
		case "B":
			for k := 1; k <= 12; k++ {
				if strings.EqualFold(monthNames[k], v) {
					mo = int64(k)
				}
			}
		case "z":
			off = parseOffset(v)
		}
	}
	return makeDT(y, mo, d, h, mi, sec, 0, off, "")
}

// parseOffset reads %z: "Z", "+0100", "-05:30", "+01:00:30".
func parseOffset(v string) float64 {
	if v == "Z" || v == "z" {
		return 0
	}
	sign := 1.0
	if v[0] == '-' {
		sign = -1
	}
	digits := strings.ReplaceAll(v[1:], ":", "")
	h, _ := strconv.Atoi(digits[0:2])
	m, _ := strconv.Atoi(digits[2:4])
	secs := 0.0
	if len(digits) >= 6 {
		secs, _ = strconv.ParseFloat(digits[4:], 64)
	}
	return sign * (float64(h*3600+m*60) + secs)
}

var (
	reCacheMu sync.Mutex
	reCache   = map[string]*regexp.Regexp{}
)

// directives are Python's _strptime patterns for the directives the
// formats use.
var directives = map[byte]string{
	'Y': `(?P<Y>[0-9][0-9][0-9][0-9])`,
	'm': `(?P<m>1[0-2]|0[1-9]|[1-9])`,
	'd': `(?P<d>3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9])`,
	'H': `(?P<H>2[0-3]|[0-1][0-9]|[0-9])`,
	'M': `(?P<M>[0-5][0-9]|[0-9])`,
	'S': `(?P<S>6[0-1]|[0-5][0-9]|[0-9])`,
	'B': `(?P<B>january|february|march|april|may|june|july|august|september|october|november|december)`,
	'z': `(?P<z>[+-][0-9][0-9]:?[0-5][0-9](?::?[0-5][0-9](?:\.[0-9]{1,6})?)?|Z)`,
}

func strptimeRe(format string) (*regexp.Regexp, error) {
	reCacheMu.Lock()
	defer reCacheMu.Unlock()
	if re := reCache[format]; re != nil {
		return re, nil
	}
	var b strings.Builder
	b.WriteString("(?i)^")
	seen := map[byte]bool{}
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch {
		case c == '%' && i+1 < len(format):
			i++
			p, ok := directives[format[i]]
			if format[i] == '%' {
				b.WriteString("%")
				continue
			}
			if !ok {
				return nil, fmt.Errorf("%s is a bad directive in format %s", pyQuote(format[i:i+1]), pyQuote(format))
			}
			if seen[format[i]] {
				return nil, fmt.Errorf("redefinition of group name %s", pyQuote(format[i:i+1]))
			}
			seen[format[i]] = true
			b.WriteString(p)
		case c == ' ' || c == '\t' || c == '\n':
			b.WriteString(`\s+`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, err
	}
	if len(reCache) > 64 {
		clear(reCache)
	}
	reCache[format] = re
	return re, nil
}

// pyQuote writes s as Python's repr of a short string.
func pyQuote(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
}
