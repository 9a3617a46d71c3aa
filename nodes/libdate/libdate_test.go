package libdate_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/nodetest"
)

// dt writes a Datetime value; off is the UTC offset in seconds.
func dt(y, mo, d, h, mi, s, us int, tz string, off float64) string {
	offJSON := "0"
	if off != 0 {
		offJSON = fmt.Sprintf("%.1f", off)
	}
	return fmt.Sprintf(`{"type":"datetime","year":%d,"month":%d,"day":%d,"hour":%d,"minute":%d,"second":%d,"microsecond":%d,"tzinfo":%q,"utc_offset":%s}`,
		y, mo, d, h, mi, s, us, tz, offJSON)
}

// repr is the Python repr of a Datetime, as the nodes return it.
func repr(y, mo, d, h, mi, s, us int, tz string, off float64) string {
	offRepr := "0"
	if off != 0 {
		offRepr = fmt.Sprintf("%.1f", off)
	}
	return fmt.Sprintf("{'type': 'datetime', 'year': %d, 'month': %d, 'day': %d, 'hour': %d, 'minute': %d, 'second': %d, 'microsecond': %d, 'tzinfo': '%s', 'utc_offset': %s}",
		y, mo, d, h, mi, s, us, tz, offRepr)
}

func TestParseAndFormat(t *testing.T) {
	nodetest.RunCases(t, "lib.date.", []nodetest.Case{
		{"ParseDate", `{"date_string":"2024-03-05"}`, "{'type': 'date', 'year': 2024, 'month': 3, 'day': 5}"},
		{"ParseDate", `{"date_string":"2024-3-5"}`, "{'type': 'date', 'year': 2024, 'month': 3, 'day': 5}"},
		{"ParseDate", `{"date_string":"13/05/2024","input_format":"%d/%m/%Y"}`, "{'type': 'date', 'year': 2024, 'month': 5, 'day': 13}"},
		{"ParseDate", `{"date_string":"march  5,   2024","input_format":"%B %d, %Y"}`, "{'type': 'date', 'year': 2024, 'month': 3, 'day': 5}"},
		{"ParseDateTime", `{"datetime_string":"20240305_143000","input_format":"%Y%m%d_%H%M%S"}`, repr(2024, 3, 5, 14, 30, 0, 0, "UTC", 0)},
		{"ParseDateTime", `{"datetime_string":"2024-03-05T14:30:00+0530","input_format":"%Y-%m-%dT%H:%M:%S%z"}`, repr(2024, 3, 5, 14, 30, 0, 0, "UTC+05:30", 19800)},
		{"ParseDateTime", `{"datetime_string":"2024-03-05T14:30:00-05:00","input_format":"%Y-%m-%dT%H:%M:%S%z"}`, repr(2024, 3, 5, 14, 30, 0, 0, "UTC-05:00", -18000)},
		{"ParseDateTime", `{"datetime_string":"2024-03-05T14:30:00Z","input_format":"%Y-%m-%dT%H:%M:%S%z"}`, repr(2024, 3, 5, 14, 30, 0, 0, "UTC", 0)},
		{"FormatDateTime", `{"input_datetime":` + dt(2024, 12, 31, 23, 59, 59, 999999, "IST", 19800) + `,"output_format":"%Y-%m-%dT%H:%M:%S%z"}`, "'2024-12-31T23:59:59+0530'"},
		{"FormatDateTime", `{"input_datetime":` + dt(2024, 12, 31, 23, 59, 59, 0, "UTC", 0) + `}`, "'December 31, 2024'"},
		{"FormatDateTime", `{"input_datetime":` + dt(7, 1, 2, 3, 4, 5, 0, "UTC", 0) + `,"output_format":"%Y%m%d_%H%M%S"}`, "'00070102_030405'"},
		{"GetWeekday", `{"input_datetime":` + dt(2024, 12, 31, 0, 0, 0, 0, "UTC", 0) + `}`, "'Tuesday'"},
		{"GetWeekday", `{"input_datetime":` + dt(2025, 1, 19, 0, 0, 0, 0, "UTC", 0) + `,"as_name":false}`, "6"},
		{"DateToDatetime", `{"input_date":{"type":"date","year":2024,"month":2,"day":29}}`, repr(2024, 2, 29, 0, 0, 0, 0, "UTC", 0)},
		{"DatetimeToDate", `{"input_datetime":` + dt(2024, 2, 29, 23, 0, 0, 0, "PST", -28800) + `}`, "{'type': 'date', 'year': 2024, 'month': 2, 'day': 29}"},
	})
	nodetest.RunErrCases(t, "lib.date.", []nodetest.Case{
		{"ParseDate", `{"date_string":"2024-02-30"}`, "day is out of range for month"},
		{"ParseDate", `{"date_string":"2024-03-05x"}`, "unconverted data remains: x"},
		{"ParseDate", `{"date_string":"5 March"}`, "time data '5 March' does not match format '%Y-%m-%d'"},
		{"FormatDateTime", `{}`, "year 0 is out of range"},
		{"DateToDatetime", `{"input_date":{"type":"date","year":2023,"month":13,"day":1}}`, "month must be in 1..12"},
		{"GetWeekday", `{"input_datetime":` + dt(2024, 1, 1, 24, 0, 0, 0, "UTC", 0) + `}`, "hour must be in 0..23"},
		{"GetWeekday", `{"input_datetime":` + dt(2024, 1, 1, 0, 0, 0, 0, "X", 90000) + `}`, "strictly between"},
	})
}

func TestArithmetic(t *testing.T) {
	nodetest.RunCases(t, "lib.date.", []nodetest.Case{
		{"AddTimeDelta", `{"input_datetime":` + dt(2024, 2, 29, 10, 0, 0, 0, "UTC", 0) + `,"days":366,"hours":-24,"minutes":-60}`, repr(2025, 2, 28, 9, 0, 0, 0, "UTC", 0)},
		{"AddTimeDelta", `{"input_datetime":` + dt(2024, 12, 31, 23, 30, 0, 0, "CET", 3600) + `,"minutes":45}`, repr(2025, 1, 1, 0, 15, 0, 0, "CET", 3600)},
		{"IsDateInRange", `{"check_date":` + dt(2024, 1, 1, 0, 0, 0, 0, "UTC", 0) + `,"start_date":` + dt(2024, 1, 1, 1, 0, 0, 0, "CET", 3600) + `,"end_date":` + dt(2024, 2, 1, 0, 0, 0, 0, "UTC", 0) + `}`, "True"},
		{"IsDateInRange", `{"check_date":` + dt(2024, 1, 1, 0, 0, 0, 0, "UTC", 0) + `,"start_date":` + dt(2024, 1, 1, 1, 0, 0, 0, "CET", 3600) + `,"end_date":` + dt(2024, 2, 1, 0, 0, 0, 0, "UTC", 0) + `,"inclusive":false}`, "False"},
	})
	outs, res := nodetest.RunNode(t, "lib.date.DateDifference", `{"start_date":`+dt(2024, 1, 1, 0, 0, 0, 0, "UTC", 0)+`,"end_date":`+dt(2023, 12, 30, 22, 30, 15, 500000, "UTC", 0)+`}`)
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr([]any{outs["total_seconds"], outs["days"], outs["hours"], outs["minutes"], outs["seconds"]}); got != "[[-91784], [-2], [22], [30], [15]]" {
		t.Errorf("DateDifference = %s", got)
	}
	outs, res = nodetest.RunNode(t, "lib.date.GetQuarter", `{"input_datetime":`+dt(2024, 2, 15, 0, 0, 0, 0, "UTC", 0)+`}`)
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr([]any{outs["quarter"][0], outs["quarter_start"][0], outs["quarter_end"][0]}); got != "[1, "+repr(2024, 1, 1, 0, 0, 0, 0, "UTC", 0)+", "+repr(2024, 3, 31, 0, 0, 0, 0, "UTC", 0)+"]" {
		t.Errorf("GetQuarter = %s", got)
	}
	nodetest.RunErrCases(t, "lib.date.", []nodetest.Case{
		{"AddTimeDelta", `{"input_datetime":` + dt(9999, 12, 31, 0, 0, 0, 0, "UTC", 0) + `,"days":1}`, "date value out of range"},
		{"GetQuarter", `{"input_datetime":` + dt(9999, 12, 1, 0, 0, 0, 0, "UTC", 0) + `}`, "year 10000 is out of range"},
		{"GetQuarter", `{}`, "year 0 is out of range"},
	})
}

func TestBoundaries(t *testing.T) {
	wed := dt(2025, 1, 15, 13, 45, 7, 12, "EST", -18000)
	cases := []struct{ period, boundary, monday, want string }{
		{"day", "start", "true", repr(2025, 1, 15, 0, 0, 0, 0, "EST", -18000)},
		{"day", "end", "true", repr(2025, 1, 15, 23, 59, 59, 999999, "EST", -18000)},
		{"week", "start", "true", repr(2025, 1, 13, 0, 0, 0, 0, "EST", -18000)},
		{"week", "end", "true", repr(2025, 1, 19, 23, 59, 59, 999999, "EST", -18000)},
		{"week", "start", "false", repr(2025, 1, 12, 0, 0, 0, 0, "EST", -18000)},
		{"week", "end", "false", repr(2025, 1, 18, 23, 59, 59, 999999, "EST", -18000)},
		{"month", "start", "true", repr(2025, 1, 1, 0, 0, 0, 0, "EST", -18000)},
		{"month", "end", "true", repr(2025, 1, 31, 23, 59, 59, 999999, "EST", -18000)},
		{"year", "end", "true", repr(2025, 12, 31, 23, 59, 59, 999999, "EST", -18000)},
	}
	for _, c := range cases {
		got := nodetest.Repr(nodetest.Output(t, "lib.date.BoundaryTime", fmt.Sprintf(`{"input_datetime":%s,"period":%q,"boundary":%q,"start_monday":%s}`, wed, c.period, c.boundary, c.monday), "output"))
		if got != c.want {
			t.Errorf("%s %s monday=%s = %s, want %s", c.period, c.boundary, c.monday, got, c.want)
		}
	}
	feb := nodetest.Repr(nodetest.Output(t, "lib.date.BoundaryTime", `{"input_datetime":`+dt(2024, 2, 10, 0, 0, 0, 0, "UTC", 0)+`,"period":"month","boundary":"end"}`, "output"))
	if feb != repr(2024, 2, 29, 23, 59, 59, 999999, "UTC", 0) {
		t.Errorf("end of February 2024 = %s", feb)
	}
}

func TestDateRange(t *testing.T) {
	start := dt(2024, 1, 30, 12, 0, 0, 0, "UTC", 0)
	got := nodetest.Repr(nodetest.Output(t, "lib.date.DateRange", `{"start_date":`+start+`,"end_date":`+dt(2024, 2, 5, 12, 0, 0, 0, "UTC", 0)+`,"step_days":3}`, "output"))
	want := "[" + strings.Join([]string{repr(2024, 1, 30, 12, 0, 0, 0, "UTC", 0), repr(2024, 2, 2, 12, 0, 0, 0, "UTC", 0), repr(2024, 2, 5, 12, 0, 0, 0, "UTC", 0)}, ", ") + "]"
	if got != want {
		t.Errorf("DateRange = %s\nwant %s", got, want)
	}
	if got := nodetest.Repr(nodetest.Output(t, "lib.date.DateRange", `{"start_date":`+start+`,"end_date":`+dt(2024, 1, 1, 0, 0, 0, 0, "UTC", 0)+`}`, "output")); got != "[]" {
		t.Errorf("empty range = %s", got)
	}
	nodetest.RunErrCases(t, "lib.date.", []nodetest.Case{
		{"DateRange", `{"start_date":` + start + `,"end_date":` + start + `,"step_days":0}`, "step_days must be at least 1"},
	})
	// Tiny steps over the whole calendar are refused before the list is
	// built; a small range fits.
	nodetest.RunBudgetCases(t, "lib.date.", []nodetest.BudgetCase{
		{"ten thousand years by day", "DateRange", `{"start_date":` + dt(1, 1, 1, 0, 0, 0, 0, "UTC", 0) + `,"end_date":` + dt(9999, 12, 31, 0, 0, 0, 0, "UTC", 0) + `}`, ""},
		{"a year by day", "DateRange", `{"start_date":` + dt(2024, 1, 1, 0, 0, 0, 0, "UTC", 0) + `,"end_date":` + dt(2025, 1, 1, 0, 0, 0, 0, "UTC", 0) + `,"step_days":400}`, "[" + repr(2024, 1, 1, 0, 0, 0, 0, "UTC", 0) + "]"},
	})
}

func TestClock(t *testing.T) {
	before := time.Now()
	today := nodetest.Output(t, "lib.date.Today", "", "output").(*pyval.Dict)
	now := nodetest.Output(t, "lib.date.Now", "", "output").(*pyval.Dict)
	after := time.Now()
	day := func(tm time.Time) string { return fmt.Sprintf("%d-%d-%d", tm.Year(), tm.Month(), tm.Day()) }
	got := fmt.Sprintf("%v-%v-%v", mustGet(today, "year"), mustGet(today, "month"), mustGet(today, "day"))
	if got != day(before) && got != day(after) {
		t.Errorf("Today = %s, want %s", got, day(before))
	}
	if now.Str("tzinfo") != "UTC" || mustGet(now, "year").(int64) < int64(before.UTC().Year()) {
		t.Errorf("Now = %s", nodetest.Repr(now))
	}
	for _, c := range []struct{ unit, dir string }{{"hours", "past"}, {"days", "future"}, {"months", "past"}, {"months", "future"}} {
		v := nodetest.Output(t, "lib.date.RelativeTime", fmt.Sprintf(`{"amount":25,"unit":%q,"direction":%q}`, c.unit, c.dir), "output").(*pyval.Dict)
		y := mustGet(v, "year").(int64)
		if v.Str("type") != "datetime" || y < int64(before.Year())-3 || y > int64(before.Year())+3 {
			t.Errorf("RelativeTime %s %s = %s", c.unit, c.dir, nodetest.Repr(v))
		}
	}
	nodetest.RunErrCases(t, "lib.date.", []nodetest.Case{
		{"RelativeTime", `{"amount":-1}`, "amount must be at least 0"},
		{"RelativeTime", `{"amount":100000000,"unit":"months"}`, "out of range"},
	})
	res := nodetest.RunLimits(t, nil, nodetest.OneNode("lib.date.RelativeTime", `{"amount":1,"unit":"hours"}`), engine.Limits{})
	nodetest.WantCompleted(t, res)
}

func mustGet(d *pyval.Dict, k string) any {
	v, _ := d.Get(k)
	return v
}
