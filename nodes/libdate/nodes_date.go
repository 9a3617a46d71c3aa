// Package libdate holds the lib.date nodes: the current date and time,
// parsing and formatting, arithmetic, ranges, differences and period
// boundaries of NodeTool's Date and Datetime values (dicts of year,
// month, day, ..., tzinfo and utc_offset), with Python's datetime
// semantics (see civil.go).
package libdate

import (
	"errors"
	"fmt"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

const (
	defDatetime = `{"type": "datetime", "year": 0, "month": 0, "day": 0, "hour": 0, "minute": 0, "second": 0, "microsecond": 0, "tzinfo": "UTC", "utc_offset": 0}`
	defDate     = `{"type": "date", "year": 0, "month": 0, "day": 0}`
)

// formatProp is a property of the DateFormat enum. Its values hold commas
// ("%B %d, %Y"), so the type is built by hand.
func formatProp(name, def, desc string) engine.Prop {
	p := engine.P(name, "str", def, desc)
	p.Type = engine.TypeMeta{Type: "enum", Values: []any{
		"%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%B %d, %Y", "%Y%m%d", "%Y%m%d_%H%M%S", "%Y-%m-%dT%H:%M:%S",
		"%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%z"}}
	return p
}

func dtProp(name, desc string) engine.Prop { return engine.P(name, "datetime", defDatetime, desc) }

// add registers a node an agent may call as a tool, its basic fields all
// its properties unless given.
func add(r *engine.Registry, d *engine.NodeDef) {
	d.ExposeAsTool = true
	if d.BasicFields == nil {
		d.BasicFields = []string{}
		for _, p := range d.Props {
			d.BasicFields = append(d.BasicFields, p.Name)
		}
	}
	r.Add(d)
}

// Register adds the lib.date nodes.
func Register(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type: "lib.date.Today", ExposeAsTool: true,
		Description: "Returns today's date (in the server's time zone).",
		Outputs:     engine.Out("output", "date"),
		Process: func(*engine.Ctx, *engine.Inputs) (map[string]any, error) {
			t := time.Now()
			return engine.Single(dateValue(int64(t.Year()), int64(t.Month()), int64(t.Day()))), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.date.Now", ExposeAsTool: true,
		Description: "Returns the current date and time in UTC.",
		Outputs:     engine.Out("output", "datetime"),
		Process: func(*engine.Ctx, *engine.Inputs) (map[string]any, error) {
			return engine.Single(fromTime(time.Now().UTC())), nil
		},
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.ParseDate",
		Description: "Reads a date from text in the given format (Python's strptime directives); the text must match the format whole.",
		Props: []engine.Prop{
			engine.P("date_string", "str", `""`, "The date as text."),
			formatProp("input_format", `"%Y-%m-%d"`, "The format of the text.").Enum("nodetool.nodes.lib.date.DateFormat"),
		},
		Outputs: engine.Out("output", "date"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			t, err := strptime(in.Str("date_string"), in.Str("input_format"))
			if err != nil {
				return nil, err
			}
			y, m, d, _, _, _, _ := t.fields()
			return engine.Single(dateValue(y, m, d)), nil
		},
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.ParseDateTime",
		Description: "Reads a date and time from text in the given format (Python's strptime directives); without an offset (%z) it is taken as UTC.",
		Props: []engine.Prop{
			engine.P("datetime_string", "str", `""`, "The date and time as text."),
			formatProp("input_format", `"%Y-%m-%d"`, "The format of the text.").Enum("nodetool.nodes.lib.date.DateFormat"),
		},
		Outputs: engine.Out("output", "datetime"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			t, err := strptime(in.Str("datetime_string"), in.Str("input_format"))
			if err != nil {
				return nil, err
			}
			return engine.Single(t.value()), nil
		},
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.AddTimeDelta",
		Description: "Adds days, hours and minutes (negative to subtract) to a datetime's wall time; its zone stays.",
		BasicFields: []string{"input_datetime", "days", "hours", "minutes"},
		Props: []engine.Prop{
			dtProp("input_datetime", "The datetime to start from."),
			engine.P("days", "int", `0`, "Days to add.").Range(-3650, 3650),
			engine.P("hours", "int", `0`, "Hours to add.").Range(-24, 24),
			engine.P("minutes", "int", `0`, "Minutes to add.").Range(-60, 60),
		},
		Outputs: engine.Out("output", "datetime"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			t, err := toDT(in.Get("input_datetime"))
			if err != nil {
				return nil, err
			}
			delta, err := deltaUS(in.Int("days"), in.Int("hours"), in.Int("minutes"))
			if err != nil {
				return nil, err
			}
			if t, err = t.add(delta); err != nil {
				return nil, err
			}
			return engine.Single(t.value()), nil
		},
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.DateDifference",
		Description: "Returns end_date minus start_date: total seconds (truncated), and as Python's timedelta splits it: days (negative for a negative difference), then hours, minutes and seconds of the remainder.",
		Props: []engine.Prop{
			dtProp("start_date", "The start."),
			dtProp("end_date", "The end."),
		},
		Outputs: engine.Out("total_seconds", "int", "days", "int", "hours", "int", "minutes", "int", "seconds", "int"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			a, err := toDT(in.Get("start_date"))
			if err != nil {
				return nil, err
			}
			b, err := toDT(in.Get("end_date"))
			if err != nil {
				return nil, err
			}
			diff := b.utc() - a.utc()
			days := floorDiv(diff, usPerDay)
			secs := (diff - days*usPerDay) / usPerSec
			return map[string]any{"total_seconds": diff / usPerSec, "days": days,
				"hours": secs / 3600, "minutes": secs % 3600 / 60, "seconds": secs % 60}, nil
		},
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.FormatDateTime",
		Description: "Writes a datetime as text in the given format (%B is the English month name, %z the offset as +HHMM).",
		Props: []engine.Prop{
			dtProp("input_datetime", "The datetime to write."),
			formatProp("output_format", `"%B %d, %Y"`, "The format.").Enum("nodetool.nodes.lib.date.DateFormat"),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			t, err := toDT(in.Get("input_datetime"))
			if err != nil {
				return nil, err
			}
			return engine.Single(strftime(t, in.Str("output_format"))), nil
		},
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.GetWeekday",
		Description: "Returns a datetime's weekday: its English name, or its number (0 for Monday to 6 for Sunday).",
		Props: []engine.Prop{
			dtProp("input_datetime", "The datetime."),
			engine.P("as_name", "bool", `true`, "Whether to return the name rather than the number."),
		},
		Outputs: engine.Out("output", "union[str, int]"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			t, err := toDT(in.Get("input_datetime"))
			if err != nil {
				return nil, err
			}
			if in.Bool("as_name") {
				return engine.Single(dayNames[t.weekday()]), nil
			}
			return engine.Single(t.weekday()), nil
		},
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.DateRange",
		Description: "Lists the datetimes from start_date to end_date (included) every step_days days. The list is sized before it is built; step_days must be at least 1 (NodeTool loops forever on 0).",
		BasicFields: []string{"start_date", "end_date", "step_days"},
		Props: []engine.Prop{
			dtProp("start_date", "The first datetime."),
			dtProp("end_date", "The last datetime (included when a step lands on it)."),
			engine.P("step_days", "int", `1`, "Days between two datetimes."),
		},
		Outputs: engine.Out("output", "list[datetime]"),
		Process: dateRange,
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.IsDateInRange",
		Description: "Tells whether check_date falls between start_date and end_date (the ends included when inclusive is on), comparing instants.",
		Props: []engine.Prop{
			dtProp("check_date", "The datetime to check."),
			dtProp("start_date", "The start of the range."),
			dtProp("end_date", "The end of the range."),
			engine.P("inclusive", "bool", `true`, "Whether the ends belong to the range."),
		},
		Outputs: engine.Out("output", "bool"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			var ts [3]dt
			for i, name := range []string{"check_date", "start_date", "end_date"} {
				t, err := toDT(in.Get(name))
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				ts[i] = t
			}
			c, s, e := ts[0].utc(), ts[1].utc(), ts[2].utc()
			if in.Bool("inclusive") {
				return engine.Single(s <= c && c <= e), nil
			}
			return engine.Single(s < c && c < e), nil
		},
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.GetQuarter",
		Description: "Returns the quarter (1-4) of a datetime's month, with the first day of the quarter and its last day (at midnight), in UTC.",
		Props:       []engine.Prop{dtProp("input_datetime", "The datetime.")},
		Outputs:     engine.Out("quarter", "int", "quarter_start", "datetime", "quarter_end", "datetime"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			d, _ := in.Get("input_datetime").(*pyval.Dict)
			if d == nil {
				return nil, errors.New("input_datetime must be a datetime")
			}
			year, month := intField(d, "year"), intField(d, "month")
			q := floorDiv(month-1, 3) + 1
			start, err := makeDT(year, 3*q-2, 1, 0, 0, 0, 0, 0, "")
			if err != nil {
				return nil, err
			}
			ny, nm := year, 3*q+1
			if q == 4 {
				ny, nm = year+1, 1
			}
			next, err := makeDT(ny, nm, 1, 0, 0, 0, 0, 0, "")
			if err != nil {
				return nil, err
			}
			end, err := next.add(-usPerDay)
			if err != nil {
				return nil, err
			}
			return map[string]any{"quarter": q, "quarter_start": start.value(), "quarter_end": end.value()}, nil
		},
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.DateToDatetime",
		Description: "Turns a date into a datetime at midnight UTC.",
		Props:       []engine.Prop{engine.P("input_date", "date", defDate, "The date.")},
		Outputs:     engine.Out("output", "datetime"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			y, m, d, err := toDate(in.Get("input_date"))
			if err != nil {
				return nil, err
			}
			t, err := makeDT(y, m, d, 0, 0, 0, 0, 0, "")
			if err != nil {
				return nil, err
			}
			return engine.Single(t.value()), nil
		},
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.DatetimeToDate",
		Description: "Returns the date of a datetime (on its own wall clock), without the time.",
		Props:       []engine.Prop{dtProp("input_datetime", "The datetime.")},
		Outputs:     engine.Out("output", "date"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			t, err := toDT(in.Get("input_datetime"))
			if err != nil {
				return nil, err
			}
			y, m, d, _, _, _, _ := t.fields()
			return engine.Single(dateValue(y, m, d)), nil
		},
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.RelativeTime",
		Description: "Returns the current UTC time moved by an amount of hours, days or months into the past or the future (a month move keeps the day, or the month's last day when the month is shorter; NodeTool fails there).",
		Props: []engine.Prop{
			withMin(engine.P("amount", "int", `1`, "How many units."), 0),
			engine.P("unit", "enum(hours, days, months)", `"days"`, "The unit.").Enum("nodetool.nodes.lib.date.TimeUnitType"),
			engine.P("direction", "enum(past, future)", `"future"`, "Past or future.").Enum("nodetool.nodes.lib.date.TimeDirection"),
		},
		Outputs: engine.Out("output", "datetime"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			amount := in.Int("amount")
			if amount < 0 {
				return nil, fmt.Errorf("amount must be at least 0, got %d", amount)
			}
			sign := int64(1)
			if in.Str("direction") == "past" {
				sign = -1
			}
			cur := fromTimeDT(time.Now().UTC())
			var t dt
			var err error
			switch in.Str("unit") {
			case "hours":
				t, err = addUnits(cur, sign, amount, 3600*usPerSec)
			case "days":
				t, err = addUnits(cur, sign, amount, usPerDay)
			default:
				t, err = addMonths(cur, sign*amount)
			}
			if err != nil {
				return nil, err
			}
			return engine.Single(t.value()), nil
		},
	})
	add(r, &engine.NodeDef{
		Type:        "lib.date.BoundaryTime",
		Description: "Returns the start (00:00:00) or the end (23:59:59.999999) of the day, week, month or year a datetime falls in, in its zone.",
		BasicFields: []string{"input_datetime", "period", "boundary", "start_monday"},
		Props: []engine.Prop{
			dtProp("input_datetime", "The datetime."),
			engine.P("period", "enum(day, week, month, year)", `"day"`, "The period.").Enum("nodetool.nodes.lib.date.PeriodType"),
			engine.P("boundary", "enum(start, end)", `"start"`, "Its start or its end.").Enum("nodetool.nodes.lib.date.BoundaryType"),
			engine.P("start_monday", "bool", `true`, "Whether weeks start on Monday (else on Sunday)."),
		},
		Outputs: engine.Out("output", "datetime"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			t, err := toDT(in.Get("input_datetime"))
			if err != nil {
				return nil, err
			}
			t, err = boundary(t, in.Str("period"), in.Str("boundary") == "end", in.Bool("start_monday"))
			if err != nil {
				return nil, err
			}
			return engine.Single(t.value()), nil
		},
	})
}

func withMin(p engine.Prop, min float64) engine.Prop {
	p.Min = &min
	return p
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// deltaUS is timedelta(days, hours, minutes) in microseconds, refusing
// what no datetime could take.
func deltaUS(days, hours, minutes int64) (int64, error) {
	const lim = 4_000_000 // days: more than the whole range of dates
	if days < -lim || days > lim || hours < -lim*24 || hours > lim*24 || minutes < -lim*1440 || minutes > lim*1440 {
		return 0, errRange
	}
	return days*usPerDay + hours*3600*usPerSec + minutes*60*usPerSec, nil
}

func addUnits(t dt, sign, amount, unit int64) (dt, error) {
	if amount > 4_000_000*usPerDay/unit {
		return dt{}, errRange
	}
	return t.add(sign * amount * unit)
}

// addMonths moves t by n months, clamping the day to the month's length.
func addMonths(t dt, n int64) (dt, error) {
	y, mo, d, h, mi, s, us := t.fields()
	if n > 120000 || n < -120000 {
		return dt{}, errRange
	}
	total := y*12 + (mo - 1) + n
	ny, nm := floorDiv(total, 12), total-floorDiv(total, 12)*12+1
	if ny < 1 || ny > 9999 {
		return dt{}, fmt.Errorf("year %d is out of range", ny)
	}
	return makeDT(ny, nm, min(d, daysIn(ny, nm)), h, mi, s, us, t.offset, t.tzname)
}

func boundary(t dt, period string, end, startMonday bool) (dt, error) {
	y, mo, d, _, _, _, _ := t.fields()
	at := func(y, mo, d int64) (dt, error) {
		if end {
			return makeDT(y, mo, d, 23, 59, 59, 999999, t.offset, t.tzname)
		}
		return makeDT(y, mo, d, 0, 0, 0, 0, t.offset, t.tzname)
	}
	switch period {
	case "week":
		wd := t.weekday()
		if !startMonday {
			wd = (wd + 1) % 7
		}
		shift := -wd
		if end {
			shift = 6 - wd
		}
		moved, err := t.add(shift * usPerDay)
		if err != nil {
			return dt{}, err
		}
		y, mo, d, _, _, _, _ = moved.fields()
		return at(y, mo, d)
	case "month":
		if end {
			return at(y, mo, daysIn(y, mo))
		}
		return at(y, mo, 1)
	case "year":
		if end {
			return at(y, 12, 31)
		}
		return at(y, 1, 1)
	}
	return at(y, mo, d)
}

func dateRange(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	start, err := toDT(in.Get("start_date"))
	if err != nil {
		return nil, fmt.Errorf("start_date: %w", err)
	}
	end, err := toDT(in.Get("end_date"))
	if err != nil {
		return nil, fmt.Errorf("end_date: %w", err)
	}
	step := in.Int("step_days")
	if step < 1 {
		return nil, fmt.Errorf("step_days must be at least 1, got %d", step)
	}
	out := []any{}
	if start.utc() > end.utc() {
		return engine.Single(out), nil
	}
	span, n := end.utc()-start.utc(), int64(1)
	if step <= 4_000_000 {
		n = span/(step*usPerDay) + 1
	}
	// Each item is a dict of ten entries.
	if err := ctx.CheckItems(n); err != nil {
		return nil, err
	}
	if err := ctx.CheckSize(n * (engine.ItemCost + 10*engine.EntryCost)); err != nil {
		return nil, err
	}
	first, err := cloneDict(in.Get("start_date"))
	if err != nil {
		return nil, err
	}
	out = append(out, first)
	cur := start
	for i := int64(1); i < n; i++ {
		if err := ctx.Tick(); err != nil {
			return nil, err
		}
		if cur, err = cur.add(step * usPerDay); err != nil {
			return nil, err
		}
		if cur.utc() > end.utc() {
			break
		}
		out = append(out, cur.value())
	}
	return engine.Single(out), nil
}

// cloneDict copies the start datetime, which the list holds as given
// (NodeTool appends the input object itself).
func cloneDict(v any) (*pyval.Dict, error) {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return nil, errors.New("start_date must be a datetime")
	}
	return d.Copy(), nil
}

func fromTimeDT(t time.Time) dt {
	_, off := t.Zone()
	v, _ := makeDT(int64(t.Year()), int64(t.Month()), int64(t.Day()), int64(t.Hour()), int64(t.Minute()),
		int64(t.Second()), int64(t.Nanosecond()/1000), float64(off), "")
	return v
}

func fromTime(t time.Time) *pyval.Dict { return fromTimeDT(t).value() }
