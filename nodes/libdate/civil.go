package libdate

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"nodetool/lang/pyval"
)

// Dates and times as Python's datetime module has them: years 1 to 9999,
// microseconds, a fixed offset from UTC with a name. Arithmetic is done
// in microseconds from 0001-01-01 (Go's time.Duration spans only 292
// years), as Python does it: adding a delta to an aware datetime moves
// its wall time and keeps its zone; comparing and subtracting use the UTC
// instants.

const (
	usPerSec  = int64(1_000_000)
	usPerDay  = 86400 * usPerSec
	maxOrd    = 3652059 // date(9999, 12, 31).toordinal()
	maxOffset = 86400   // an offset is strictly within a day
)

var errRange = errors.New("date value out of range")

// dt is an aware datetime: its wall time in microseconds from 0001-01-01
// 00:00 (ordinal 1 is that day) and its zone.
type dt struct {
	us     int64   // wall time, microseconds since 0001-01-01T00:00
	offset float64 // seconds east of UTC
	tzname string
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

var daysBefore = [13]int64{0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}

func daysIn(y, m int64) int64 {
	if m == 2 && isLeap(y) {
		return 29
	}
	return [13]int64{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
}

// ordinal is Python's date.toordinal (0001-01-01 is 1).
func ordinal(y, m, d int64) int64 {
	y1 := y - 1
	days := y1*365 + y1/4 - y1/100 + y1/400 + daysBefore[m] + d
	if m > 2 && isLeap(y) {
		days++
	}
	return days
}

// fromOrdinal is Python's date.fromordinal.
func fromOrdinal(n int64) (y, m, d int64) {
	n-- // days since 0001-01-01
	n400, n := n/146097, n%146097
	n100, n := n/36524, n%36524
	n4, n := n/1461, n%1461
	n1, n := n/365, n%365
	y = n400*400 + n100*100 + n4*4 + n1 + 1
	if n1 == 4 || n100 == 4 {
		return y - 1, 12, 31
	}
	leap := isLeap(y)
	m = 1
	for m < 12 {
		next := daysBefore[m+1]
		if m+1 > 2 && leap {
			next++
		}
		if n < next {
			break
		}
		m++
	}
	before := daysBefore[m]
	if m > 2 && leap {
		before++
	}
	return y, m, n - before + 1
}

// checkDate validates y-m-d with Python's messages.
func checkDate(y, m, d int64) error {
	if y < 1 || y > 9999 {
		return fmt.Errorf("year %d is out of range", y)
	}
	if m < 1 || m > 12 {
		return errors.New("month must be in 1..12")
	}
	if d < 1 || d > daysIn(y, m) {
		return errors.New("day is out of range for month")
	}
	return nil
}

func makeDT(y, mo, d, h, mi, s, us int64, offset float64, tzname string) (dt, error) {
	if err := checkDate(y, mo, d); err != nil {
		return dt{}, err
	}
	for _, c := range []struct {
		v, hi int64
		name  string
	}{{h, 23, "hour"}, {mi, 59, "minute"}, {s, 59, "second"}, {us, 999999, "microsecond"}} {
		if c.v < 0 || c.v > c.hi {
			return dt{}, fmt.Errorf("%s must be in 0..%d", c.name, c.hi)
		}
	}
	if math.IsNaN(offset) || math.Abs(offset) >= maxOffset {
		return dt{}, errors.New("offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)")
	}
	if offset == 0 || tzname == "" {
		tzname = "UTC"
		if offset != 0 {
			tzname = offsetName(offset)
		}
	}
	return dt{us: ordinal(y, mo, d)*usPerDay + ((h*60+mi)*60+s)*usPerSec + us, offset: offset, tzname: tzname}, nil
}

// offsetName is the name Python gives an unnamed fixed zone: "UTC+01:00".
func offsetName(off float64) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	secs := int64(off)
	s := fmt.Sprintf("UTC%s%02d:%02d", sign, secs/3600, secs%3600/60)
	if secs%60 != 0 {
		s += fmt.Sprintf(":%02d", secs%60)
	}
	return s
}

func (t dt) fields() (y, mo, d, h, mi, s, us int64) {
	days, rest := t.us/usPerDay, t.us%usPerDay
	y, mo, d = fromOrdinal(days)
	us = rest % usPerSec
	secs := rest / usPerSec
	return y, mo, d, secs / 3600, secs % 3600 / 60, secs % 60, us
}

// utc is the instant in microseconds, for comparing and subtracting.
func (t dt) utc() int64 { return t.us - int64(math.Round(t.offset*1e6)) }

// add moves the wall time by delta microseconds (Python's dt + timedelta).
func (t dt) add(delta int64) (dt, error) {
	us := t.us + delta
	if us < usPerDay || us >= (maxOrd+1)*usPerDay || (delta > 0 && us < t.us) || (delta < 0 && us > t.us) {
		return dt{}, errRange
	}
	t.us = us
	return t, nil
}

func (t dt) weekday() int64 { return (t.us/usPerDay + 6) % 7 }

// value is the Datetime dict of t (Datetime.from_datetime).
func (t dt) value() *pyval.Dict {
	y, mo, d, h, mi, s, us := t.fields()
	var off any = int64(0)
	if t.offset != 0 {
		off = t.offset
	}
	return pyval.DictOf("type", "datetime", "year", y, "month", mo, "day", d, "hour", h, "minute", mi,
		"second", s, "microsecond", us, "tzinfo", t.tzname, "utc_offset", off)
}

func dateValue(y, m, d int64) *pyval.Dict {
	return pyval.DictOf("type", "date", "year", y, "month", m, "day", d)
}

func num(d *pyval.Dict, key string) float64 {
	v, _ := d.Get(key)
	f, _ := pyval.AsNumber(v)
	return f
}

func intField(d *pyval.Dict, key string) int64 {
	f := num(d, key)
	if math.IsNaN(f) || math.Abs(f) > 1e15 {
		return math.MaxInt32
	}
	return int64(f)
}

// toDT reads a Datetime dict (Datetime.to_datetime): the zone is UTC
// unless utc_offset is set, then named tzinfo.
func toDT(v any) (dt, error) {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return dt{}, fmt.Errorf("expected a datetime, got %s", pyval.TypeName(v))
	}
	return makeDT(intField(d, "year"), intField(d, "month"), intField(d, "day"), intField(d, "hour"),
		intField(d, "minute"), intField(d, "second"), intField(d, "microsecond"), num(d, "utc_offset"), d.Str("tzinfo"))
}

// toDate reads a Date dict.
func toDate(v any) (y, m, d int64, err error) {
	dd, ok := v.(*pyval.Dict)
	if !ok {
		return 0, 0, 0, fmt.Errorf("expected a date, got %s", pyval.TypeName(v))
	}
	y, m, d = intField(dd, "year"), intField(dd, "month"), intField(dd, "day")
	return y, m, d, checkDate(y, m, d)
}

var monthNames = []string{"", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dayNames = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// strftime formats t with the directives of the DateFormat enum (%Y %m
// %d %H %M %S %B %A %z %%), as Python does in the C locale.
func strftime(t dt, format string) string {
	y, mo, d, h, mi, s, _ := t.fields()
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", y)
		case 'm':
			fmt.Fprintf(&b, "%02d", mo)
		case 'd':
			fmt.Fprintf(&b, "%02d", d)
		case 'H':
			fmt.Fprintf(&b, "%02d", h)
		case 'M':
			fmt.Fprintf(&b, "%02d", mi)
		case 'S':
			fmt.Fprintf(&b, "%02d", s)
		case 'B':
			b.WriteString(monthNames[mo])
		case 'A':
			b.WriteString(dayNames[t.weekday()])
		case 'z':
			off, sign := int64(math.Round(t.offset)), "+"
			if off < 0 {
				sign, off = "-", -off
			}
			fmt.Fprintf(&b, "%s%02d%02d", sign, off/3600, off%3600/60)
			if off%60 != 0 {
				fmt.Fprintf(&b, "%02d", off%60)
			}
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}
