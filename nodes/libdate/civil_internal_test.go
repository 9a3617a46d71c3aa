package libdate

import (
	"testing"
	"time"
)

// TestOrdinals checks the calendar arithmetic against Go's for every day
// of years 1 to 9999.
func TestOrdinals(t *testing.T) {
	day := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	for n := int64(1); n <= maxOrd; n++ {
		y, m, d := fromOrdinal(n)
		if y != int64(day.Year()) || m != int64(day.Month()) || d != int64(day.Day()) {
			t.Fatalf("fromOrdinal(%d) = %d-%d-%d, want %s", n, y, m, d, day.Format("2006-01-02"))
		}
		if o := ordinal(y, m, d); o != n {
			t.Fatalf("ordinal(%d-%d-%d) = %d, want %d", y, m, d, o, n)
		}
		if wd := (n + 6) % 7; wd != (int64(day.Weekday())+6)%7 {
			t.Fatalf("weekday of %s = %d", day.Format("2006-01-02"), wd)
		}
		day = day.AddDate(0, 0, 1)
	}
}

// FuzzStrptime reads any text with each format: no panic, and what parses
// writes back to text that parses to the same time.
func FuzzStrptime(f *testing.F) {
	for _, s := range []string{"2024-03-05", "March 5, 2024", "2024-03-05T14:30:00+05:30", "20240305_143000", "0001-01-01", "9999-12-31T23:59:59Z", " 5/ 3/2024"} {
		f.Add(s)
	}
	formats := []string{"%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%B %d, %Y", "%Y%m%d", "%Y%m%d_%H%M%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"}
	f.Fuzz(func(t *testing.T, s string) {
		for _, format := range formats {
			v, err := strptime(s, format)
			if err != nil {
				continue
			}
			back, err := strptime(strftime(v, format), format)
			if err != nil || back.utc() != v.utc() {
				t.Fatalf("%q with %q: %v, written %q, read back %v (%v)", s, format, v, strftime(v, format), back, err)
			}
		}
	})
}
