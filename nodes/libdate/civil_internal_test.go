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
