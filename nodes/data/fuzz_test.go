package data_test

import (
	"strings"
	"testing"

	"nodetool/nodes/data"
)

// FuzzCSV parses any text as read_csv would; what parses must write back
// as CSV that reads back to the same frame.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"a,b,c\n1,x,1.5\n2,y,\n", "n\n1\n\n2\nNA\n", ",a,a\n1,2,3\n", "name\n\"Doe, John\"\n\"x\"\"y\"\n",
		"a\r\n1\r\n", "a\n\"open", "a,b\n1,2,3\n", "\ufeffa\nTrue\nfalse\n", "v\ninf\n-1e3\n.5\n1e\n", "a\n\"\"\n",
		"x\n\"a\"b,c\n", "a\rb\r1\r",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		first, second, err := data.CSVRoundTrip(text)
		if err != nil {
			if first != "" {
				t.Fatalf("CSV %q parsed as %s but its CSV did not read back: %v", text, first, err)
			}
			return
		}
		if strings.Contains(first, "BAD LENGTH") {
			t.Fatalf("CSV %q gave columns of different lengths: %s", text, first)
		}
		if first != second {
			t.Fatalf("CSV %q\nread as  %s\nread back %s", text, first, second)
		}
	})
}

// FuzzQuery parses and evaluates any condition on a small frame: it may
// fail, but not panic, and a mask covers every row.
func FuzzQuery(f *testing.F) {
	const frame = "name,age,salary,city\nAlice,34,52000.0,Paris\nBob,17,0.5,\nCarol,45,,Berlin\n"
	for _, s := range []string{
		"age > 30", "age > 30 and salary < 50000", "name == 'John Doe'", "100 <= salary <= 200",
		"city in ['Paris', 'Rome']", "not (age < 18)", "`name`.str.contains('o', case=False)",
		"age ** 2 // 3 % 7 == -1", "salary.isna() | ~(age >= 40)", "name.str.len().between(1, 4)",
		"index in [0, 2]", "city.str.upper() + 'x' == 'PARISx'", "age.isin((17, 45.0, True))",
		"(((age)))", "age / 0 > 1", "age // 0 == 0", "name.str.startswith(('A', 'B'), na=True)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cond string) {
		if len(cond) > 2000 {
			return
		}
		rows, err := data.Query(frame, cond)
		if err == nil {
			for _, r := range rows {
				if r < 0 || r > 2 {
					t.Fatalf("condition %q kept row %d of 3", cond, r)
				}
			}
		} else if strings.Contains(err.Error(), "mask of") {
			t.Fatal(err)
		}
	})
}
