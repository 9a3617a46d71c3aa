package data_test

import (
	"fmt"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/nodetest"
)

// The expected results below are written by hand from pandas' documented
// semantics (DataFrame.query, sort_values, groupby, pivot_table, merge,
// concat, read_csv, to_csv); each comment says which rule gives them.

// fr writes a DataframeRef with the named columns (comma-separated) and
// rows (a JSON list of lists).
func fr(cols, rows string) string {
	var defs []string
	for _, c := range strings.Split(cols, ",") {
		defs = append(defs, fmt.Sprintf(`{"name":%q,"data_type":"object","description":""}`, c))
	}
	return `{"type":"dataframe","uri":"","asset_id":null,"data":` + rows + `,"metadata":null,"columns":[` + strings.Join(defs, ",") + `]}`
}

// render writes a DataframeRef compactly: "name:data_type ... | row row".
func render(t testing.TB, v any) string {
	t.Helper()
	d, ok := v.(*pyval.Dict)
	if !ok || d.Str("type") != "dataframe" {
		t.Fatalf("not a dataframe: %s", nodetest.Repr(v))
	}
	for _, k := range []string{"uri", "asset_id", "metadata"} {
		if !d.Has(k) {
			t.Errorf("dataframe lacks %q: %s", k, nodetest.Repr(v))
		}
	}
	cv, _ := d.Get("columns")
	dv, _ := d.Get("data")
	var parts []string
	for _, c := range cv.([]any) {
		cd := c.(*pyval.Dict)
		if desc, ok := cd.Get("description"); !ok || desc != "" {
			t.Errorf("column %s: description %v, want \"\"", cd.Str("name"), desc)
		}
		parts = append(parts, cd.Str("name")+":"+cd.Str("data_type"))
	}
	s := strings.Join(parts, " ") + " |"
	for _, row := range dv.([]any) {
		s += " " + nodetest.Repr(row)
	}
	return s
}

// dfCase runs a node whose output is a dataframe and compares its render.
type dfCase struct{ typ, data, want string }

func runDF(t *testing.T, cases []dfCase) {
	t.Helper()
	for _, c := range cases {
		typ := c.typ
		if !strings.Contains(typ, ".") {
			typ = "nodetool.data." + typ
		}
		got := render(t, nodetest.Output(t, typ, c.data, "output"))
		if got != c.want {
			t.Errorf("%s(%.300s)\n got %s\nwant %s", typ, c.data, got, c.want)
		}
	}
}

// people is the frame of the original's query examples.
var people = fr("name,age,salary,status,city", `[
	["Alice", 34, 52000.0, "Active", "Paris"],
	["Bob", 17, 0.0, "Pending", null],
	["Carol", 45, 48000.5, "Inactive", "Berlin"],
	["John Doe", 30, 61000.0, "Active", "Paris"],
	["Eve", 29, 39000.0, "Pending", "Rome"]]`)

const peopleCols = "name:object age:int salary:float status:object city:object |"

var (
	alice = ` ['Alice', 34, 52000.0, 'Active', 'Paris']`
	bob   = ` ['Bob', 17, 0.0, 'Pending', None]`
	carol = ` ['Carol', 45, 48000.5, 'Inactive', 'Berlin']`
	john  = ` ['John Doe', 30, 61000.0, 'Active', 'Paris']`
	eve   = ` ['Eve', 29, 39000.0, 'Pending', 'Rome']`
)

func filter(cond string) string {
	return `{"df":` + people + `,"condition":` + nodetest.JS(cond) + `}`
}

func TestFilterQueries(t *testing.T) {
	rows := func(r ...string) string { return peopleCols + strings.Join(r, "") }
	runDF(t, []dfCase{
		// The examples of the original's docstring.
		{"Filter", filter("age > 30"), rows(alice, carol)},
		{"Filter", filter("age > 30 and salary < 50000"), rows(carol)},
		{"Filter", filter("name == 'John Doe'"), rows(john)},
		{"Filter", filter("100 <= salary <= 50000"), rows(carol, eve)},
		{"Filter", filter("status in ['Active', 'Pending']"), rows(alice, bob, john, eve)},
		{"Filter", filter("not (age < 18)"), rows(alice, carol, john, eve)},
		// pandas rewrites & and | as and, or: comparisons bind tighter.
		{"Filter", filter("age > 40 | age < 18"), rows(bob, carol)},
		{"Filter", filter("age > 20 & status == 'Pending'"), rows(eve)},
		{"Filter", filter("status not in ('Active',)"), rows(bob, carol, eve)},
		{"Filter", filter("~(age > 20)"), rows(bob)},
		// Comparing with a missing value is false, != is true.
		{"Filter", filter("city == None"), rows()},
		{"Filter", filter("city != 'Paris'"), rows(bob, carol, eve)},
		{"Filter", filter("city.isna()"), rows(bob)},
		{"Filter", filter("city.notnull() and city < 'Q'"), rows(alice, carol, john)},
		// Backticks quote names; arithmetic follows Python's precedence.
		{"Filter", filter("`status` == 'Active' and age * 2 > 64"), rows(alice)},
		{"Filter", filter("salary / 1000 >= 52"), rows(alice, john)},
		{"Filter", filter("age % 2 == 0"), rows(alice, john)},
		{"Filter", filter("age // 10 == 2"), rows(eve)},
		{"Filter", filter("age ** 2 > 1000"), rows(alice, carol)},
		{"Filter", filter("-age < -40"), rows(carol)},
		{"Filter", filter("age + 1 == 18"), rows(bob)},
		{"Filter", filter("index >= 3"), rows(john, eve)},
		// The .str accessor and Series methods.
		{"Filter", filter("name.str.contains('o')"), rows(bob, carol, john)},
		{"Filter", filter("name.str.contains('ALI', case=False)"), rows(alice)},
		{"Filter", filter("name.str.contains('^[A-C]')"), rows(alice, bob, carol)},
		{"Filter", filter("name.str.contains('.', regex=False)"), rows()},
		{"Filter", filter("name.str.startswith('J')"), rows(john)},
		{"Filter", filter("city.str.endswith(('s', 'e'))"), rows(alice, john, eve)},
		{"Filter", filter("name.str.lower() == 'eve'"), rows(eve)},
		{"Filter", filter("name.str.upper() == 'EVE'"), rows(eve)},
		{"Filter", filter("name.str.len() > 4"), rows(alice, carol, john)},
		{"Filter", filter("age.between(29, 34)"), rows(alice, john, eve)},
		{"Filter", filter("age.between(29, 34, inclusive='neither')"), rows(john)},
		{"Filter", filter("status.isin(['Inactive'])"), rows(carol)},
		{"Filter", filter("name in city"), rows()},
		// A string column ordered against a string; chained with and.
		{"Filter", filter("'B' <= name < 'E'"), rows(bob, carol)},
		{"FindRow", filter("status == 'Pending'"), rows(bob)},
		{"FindRow", filter("age > 100"), rows()},
	})
	nodetest.RunErrCases(t, "nodetool.data.", []nodetest.Case{
		{"Filter", filter(""), "the condition is empty"},
		{"Filter", filter("age > 'x'"), "'>' is not supported between int and str"},
		{"Filter", filter("name < 3"), "'<' is not supported between str and int"},
		{"Filter", filter("agee > 1"), `name "agee" is not defined: no column has that name (the columns are "name", "age"`},
		{"Filter", filter("age"), "not true or false for each row"},
		{"Filter", filter("1 < 2"), "does not depend on any column"},
		{"Filter", filter("age = 3"), "use == to compare"},
		{"Filter", filter("@limit > 3"), "local variables (@name) are not available"},
		{"Filter", filter("len(name) > 3"), "function calls (len(...)) are not supported"},
		{"Filter", filter("name.values == 1"), ".values at position 4 is not supported"},
		{"Filter", filter("age.str.contains('1')"), "can only use the .str accessor with text values"},
		{"Filter", filter("age is None"), "'is' at position 4 is not supported"},
		{"Filter", filter("age > 1 and"), "the condition ends too early"},
		{"Filter", filter("name == 'x"), "unclosed string"},
		{"Filter", filter("age ** -1 > 0"), "integers to negative integer powers"},
		{"Filter", filter("name.str.contains('(?=a)')"), "look-around"},
		{"Filter", filter(nodetest.Rep("(", 300) + "age > 1" + nodetest.Rep(")", 300)), "nests deeper than 200 levels"},
		{"Filter", filter("age in 3"), "needs a list or a column on its right"},
		{"Filter", filter("name.str.contains('a', flags=2)"), `has no keyword argument "flags"`},
	})
}

// TestFilterKeepsTypes: rows come out as pandas' dtypes give them, whether
// or not the input wrote them so.
func TestFilterKeepsTypes(t *testing.T) {
	runDF(t, []dfCase{
		// An int column with a missing value is float64 in pandas.
		{"Filter", `{"df":` + fr("a,b", `[[1, "x"], [null, "y"], [3, "z"]]`) + `,"condition":"b != 'z'"}`, "a:float b:object | [1.0, 'x'] [None, 'y']"},
		// Ints and floats mixed: float64.
		{"Filter", `{"df":` + fr("a", `[[1], [2.5]]`) + `,"condition":"a > 0"}`, "a:float | [1.0] [2.5]"},
		// Booleans: a bool column (data_type object), compared with True.
		{"Filter", `{"df":` + fr("ok,n", `[[true, 1], [false, 2]]`) + `,"condition":"ok == True"}`, "ok:object n:int | [True, 1]"},
		{"Filter", `{"df":` + fr("ok,n", `[[true, 1], [false, 2]]`) + `,"condition":"ok"}`, "ok:object n:int | [True, 1]"},
		// A short row is padded with None; a row may be a dict.
		{"Filter", `{"df":` + fr("a,b", `[[1], {"a": 2, "b": "q"}]`) + `,"condition":"a > 0"}`, "a:int b:object | [1, None] [2, 'q']"},
		// Comparing numbers across int and float columns.
		{"Filter", `{"df":` + fr("a,b", `[[1, 1.0], [2, 2.5]]`) + `,"condition":"a == b"}`, "a:int b:float | [1, 1.0]"},
	})
	nodetest.RunErrCases(t, "nodetool.data.", []nodetest.Case{
		{"Filter", `{"df":` + fr("a", `[[1, 2]]`) + `,"condition":"a > 0"}`, "1 columns passed, passed data had 2 columns"},
		{"Filter", `{"df":{"type":"dataframe","data":[[1]]},"condition":"a > 0"}`, "the dataframe has rows but no columns"},
		{"Filter", `{"df":{"type":"dataframe","uri":"https://example.com/x.json"},"condition":"a > 0"}`, "only dataframes holding their rows"},
	})
}

func TestSlice(t *testing.T) {
	five := fr("n", `[[0], [1], [2], [3], [4]]`)
	slice := func(extra string) string { return `{"dataframe":` + five + extra + `}` }
	runDF(t, []dfCase{
		{"Slice", slice(``), "n:int | [0] [1] [2] [3] [4]"},
		{"Slice", slice(`,"start_index":1,"end_index":3`), "n:int | [1] [2]"},
		{"Slice", slice(`,"start_index":-2`), "n:int | [3] [4]"},
		// iloc[0:-2]: only -1 means the end.
		{"Slice", slice(`,"end_index":-2`), "n:int | [0] [1] [2]"},
		{"Slice", slice(`,"start_index":4,"end_index":2`), "n:int |"},
		{"Slice", slice(`,"start_index":10`), "n:int |"},
		{"Slice", `{}`, " |"},
	})
}

func TestSortByColumn(t *testing.T) {
	sort := func(col string) string { return `{"df":` + people + `,"column":` + nodetest.JS(col) + `}` }
	runDF(t, []dfCase{
		{"SortByColumn", sort("salary"), peopleCols + bob + eve + carol + alice + john},
		{"SortByColumn", sort("name"), peopleCols + alice + bob + carol + eve + john},
		// Missing values last; equal values keep their order.
		{"SortByColumn", sort("city"), peopleCols + carol + alice + john + eve + bob},
		{"SortByColumn", `{"df":` + fr("x", `[[2.5], [null], [-1], [2]]`) + `,"column":"x"}`, "x:float | [-1.0] [2.0] [2.5] [None]"},
		{"SortByColumn", `{"df":` + fr("b", `[[true], [false], [true]]`) + `,"column":"b"}`, "b:object | [False] [True] [True]"},
		// Texts sort by code point: upper case before lower case.
		{"SortByColumn", `{"df":` + fr("s", `[["b"], ["B"], ["a"], ["é"]]`) + `,"column":"s"}`, "s:object | ['B'] ['a'] ['b'] ['é']"},
	})
	nodetest.RunErrCases(t, "nodetool.data.", []nodetest.Case{
		{"SortByColumn", `{"df":` + fr("x", `[["a"], [1]]`) + `,"column":"x"}`, "'<' is not supported between str and int"},
		{"SortByColumn", sort("nope"), `column "nope" not found; the columns are "name", "age"`},
		{"SortByColumn", sort(""), `column "" not found`},
	})
}

func TestDropDuplicatesAndNA(t *testing.T) {
	dup := fr("a,b", `[[1, "x"], [1, "x"], [2, null], [2, null], [1, "y"], [2.0, null]]`)
	runDF(t, []dfCase{
		// Missing values equal each other, and 2 equals 2.0 (the column is
		// float64 anyway).
		{"DropDuplicates", `{"df":` + dup + `}`, "a:float b:object | [1.0, 'x'] [2.0, None] [1.0, 'y']"},
		{"DropDuplicates", `{"df":` + fr("a", `[[3], [1], [3]]`) + `}`, "a:int | [3] [1]"},
		{"DropDuplicates", `{}`, " |"},
		{"DropNA", `{"df":` + people + `}`, peopleCols + alice + carol + john + eve},
		{"DropNA", `{"df":` + fr("a,b", `[[1, 2.5], [null, 1.0], [3, null]]`) + `}`, "a:float b:float | [1.0, 2.5]"},
	})
	nodetest.RunErrCases(t, "nodetool.data.", []nodetest.Case{
		{"DropDuplicates", `{"df":` + fr("a", `[[[1]], [[1]]]`) + `}`, "holds lists, which cannot be grouped or compared"},
	})
}

func TestColumns(t *testing.T) {
	two := fr("a,b", `[[1, "x"], [2, "y"]]`)
	runDF(t, []dfCase{
		{"SelectColumn", `{"dataframe":` + people + `,"columns":"age, name"}`, "age:int name:object | [34, 'Alice'] [17, 'Bob'] [45, 'Carol'] [30, 'John Doe'] [29, 'Eve']"},
		{"AddColumn", `{"dataframe":` + two + `,"column_name":"c","values":[1.5, null]}`, "a:int b:object c:float | [1, 'x', 1.5] [2, 'y', None]"},
		// An existing column is replaced in place.
		{"AddColumn", `{"dataframe":` + two + `,"column_name":"a","values":["p", "q"]}`, "a:object b:object | ['p', 'x'] ['q', 'y']"},
		// A dataframe without columns takes its rows from the list.
		{"AddColumn", `{"column_name":"n","values":[1, 2, 3]}`, "n:int | [1] [2] [3]"},
		{"AddColumn", `{"dataframe":` + two + `,"column_name":"l","values":[[1], {"k": 1}]}`, "a:int b:object l:object | [1, 'x', [1]] [2, 'y', {'k': 1}]"},
		{"Rename", `{"dataframe":` + two + `,"rename_map":"a:x, b : y, zz:q, bad"}`, "x:int y:object | [1, 'x'] [2, 'y']"},
		{"Rename", `{"dataframe":` + two + `}`, "a:int b:object | [1, 'x'] [2, 'y']"},
	})
	nodetest.RunCases(t, "nodetool.data.", []nodetest.Case{
		{"ExtractColumn", `{"dataframe":` + people + `,"column_name":"city"}`, `['Paris', None, 'Berlin', 'Paris', 'Rome']`},
		{"ExtractColumn", `{"dataframe":` + fr("a", `[[1], [null]]`) + `,"column_name":"a"}`, `[1.0, None]`},
		{"ToList", `{"dataframe":` + two + `}`, `[{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'y'}]`},
		{"ToList", `{"dataframe":` + fr("a,a", `[[1, 2]]`) + `}`, `[{'a': 2}]`},
		{"ToList", `{}`, `[]`},
		{"Schema", `{"columns":{"type":"record_type","columns":[{"name":"n","data_type":"int","description":"d"}]}}`, `{'type': 'record_type', 'columns': [{'name': 'n', 'data_type': 'int', 'description': 'd'}]}`},
	})
	nodetest.RunErrCases(t, "nodetool.data.", []nodetest.Case{
		{"SelectColumn", `{"dataframe":` + two + `,"columns":"a,c"}`, `column "c" not found; the columns are "a", "b"`},
		{"SelectColumn", `{"dataframe":` + two + `}`, "columns is empty"},
		{"ExtractColumn", `{"dataframe":` + two + `,"column_name":"z"}`, `column "z" not found`},
		{"AddColumn", `{"dataframe":` + two + `,"column_name":"c","values":[1]}`, "length of values (1) does not match length of index (2)"},
	})
}

func TestFillNA(t *testing.T) {
	gaps := fr("f,s,n", `[[1.0, "a", 1], [null, null, 2], [3.0, "c", 3], [null, null, 4]]`)
	fill := func(extra string) string { return `{"dataframe":` + gaps + extra + `}` }
	runDF(t, []dfCase{
		// The default value 0 fills a float column as 0.0 and an object
		// column as 0.
		{"FillNA", fill(``), "f:float s:object n:int | [1.0, 'a', 1] [0.0, 0, 2] [3.0, 'c', 3] [0.0, 0, 4]"},
		{"FillNA", fill(`,"value":"?","columns":"s"`), "f:float s:object n:int | [1.0, 'a', 1] [None, '?', 2] [3.0, 'c', 3] [None, '?', 4]"},
		// A text in a float column makes it a column of objects.
		{"FillNA", fill(`,"value":"?","columns":"f"`), "f:object s:object n:int | [1.0, 'a', 1] ['?', None, 2] [3.0, 'c', 3] ['?', None, 4]"},
		{"FillNA", fill(`,"value":{"f": 9, "s": "z"}`), "f:float s:object n:int | [1.0, 'a', 1] [9.0, 'z', 2] [3.0, 'c', 3] [9.0, 'z', 4]"},
		{"FillNA", fill(`,"method":"forward"`), "f:float s:object n:int | [1.0, 'a', 1] [1.0, 'a', 2] [3.0, 'c', 3] [3.0, 'c', 4]"},
		// Backward fill leaves a trailing gap.
		{"FillNA", fill(`,"method":"backward"`), "f:float s:object n:int | [1.0, 'a', 1] [3.0, 'c', 2] [3.0, 'c', 3] [None, None, 4]"},
		// mean and median fill float columns only.
		{"FillNA", fill(`,"method":"mean"`), "f:float s:object n:int | [1.0, 'a', 1] [2.0, None, 2] [3.0, 'c', 3] [2.0, None, 4]"},
		{"FillNA", `{"dataframe":` + fr("f", `[[1.0], [null], [2.0], [10.0]]`) + `,"method":"median"}`, "f:float | [1.0] [2.0] [2.0] [10.0]"},
	})
	nodetest.RunErrCases(t, "nodetool.data.", []nodetest.Case{
		{"FillNA", fill(`,"method":"zero"`), `Unknown fill method: "zero"`},
		{"FillNA", fill(`,"value":[1]`), "must be a scalar or dict"},
		{"FillNA", fill(`,"columns":"f,q"`), `column "q" not found`},
	})
}

// sales has a text, an int, a float with a gap and a bool column, and a
// row whose key is missing (groupby drops it).
var sales = fr("region,product,units,price,flag", `[
	["East", "A", 10, 2.5, true],
	["West", "B", 5, 3.0, false],
	["East", "B", 7, null, true],
	["West", "A", 3, 4.0, true],
	["East", "A", 1, 1.5, false],
	[null, "C", 100, 9.0, true]]`)

func agg(columns, fn string) string {
	return `{"dataframe":` + sales + `,"columns":` + nodetest.JS(columns) + `,"aggregation":` + nodetest.JS(fn) + `}`
}

func TestAggregate(t *testing.T) {
	runDF(t, []dfCase{
		// sum joins texts, skips NaN, counts True.
		{"Aggregate", agg("region", "sum"), "region:object product:object units:int price:float flag:int | ['East', 'ABA', 18, 4.0, 2] ['West', 'BA', 8, 7.0, 1]"},
		// mean: East units (10+7+1)/3, price (2.5+1.5)/2, flag 2/3.
		{"Aggregate", agg("region", "mean"), "region:object units:float price:float flag:float | ['East', 6.0, 2.0, 0.6666666666666666] ['West', 4.0, 3.5, 0.5]"},
		{"Aggregate", agg("region", "count"), "region:object product:int units:int price:int flag:int | ['East', 3, 3, 2, 3] ['West', 2, 2, 2, 2]"},
		{"Aggregate", agg("region", "min"), "region:object product:object units:int price:float flag:object | ['East', 'A', 1, 1.5, False] ['West', 'A', 3, 3.0, False]"},
		{"Aggregate", agg("region", "max"), "region:object product:object units:int price:float flag:object | ['East', 'B', 10, 2.5, True] ['West', 'B', 5, 4.0, True]"},
		// first and last skip missing values.
		{"Aggregate", agg("region", "first"), "region:object product:object units:int price:float flag:object | ['East', 'A', 10, 2.5, True] ['West', 'B', 5, 3.0, False]"},
		{"Aggregate", agg("region", "last"), "region:object product:object units:int price:float flag:object | ['East', 'A', 1, 1.5, False] ['West', 'A', 3, 4.0, True]"},
		// Two keys, sorted on both; East/B's only price is NaN, which sums
		// to 0.0.
		{"Aggregate", agg("region, product", "sum"), "region:object product:object units:int price:float flag:int | ['East', 'A', 11, 4.0, 1] ['East', 'B', 7, 0.0, 1] ['West', 'A', 3, 4.0, 1] ['West', 'B', 5, 3.0, 0]"},
		// Groups sort by key, numbers numerically.
		{"Aggregate", `{"dataframe":` + fr("k,v", `[[10, 1], [9, 2], [10, 3], [-1, 4]]`) + `,"columns":"k"}`, "k:int v:int | [-1, 4] [9, 2] [10, 4]"},
	})
	numbers := fr("k,x,y", `[["a", 10, 2.5], ["b", 5, 3.0], ["a", 7, null], ["b", 3, 4.0], ["a", 1, 1.5], ["c", 2, 1.0]]`)
	stat := func(fn string) string {
		return `{"dataframe":` + numbers + `,"columns":"k","aggregation":"` + fn + `"}`
	}
	runDF(t, []dfCase{
		// var with ddof=1: a: x 10,7,1 mean 6, (16+1+25)/2; y 2.5,1.5 → 0.5;
		// a group of one has NaN.
		{"Aggregate", stat("var"), "k:object x:float y:float | ['a', 21.0, 0.5] ['b', 2.0, 0.5] ['c', None, None]"},
		{"Aggregate", stat("std"), "k:object x:float y:float | ['a', 4.58257569495584, 0.7071067811865476] ['b', 1.4142135623730951, 0.7071067811865476] ['c', None, None]"},
		{"Aggregate", stat("median"), "k:object x:float y:float | ['a', 7.0, 2.0] ['b', 4.0, 3.5] ['c', 2.0, 1.0]"},
	})
	nodetest.RunErrCases(t, "nodetool.data.", []nodetest.Case{
		{"Aggregate", agg("region", "mode"), `Unknown aggregation function: "mode"`},
		{"Aggregate", agg("", "sum"), "columns is empty"},
		{"Aggregate", agg("regio", "sum"), `column "regio" not found`},
		{"Aggregate", `{"dataframe":` + fr("k,v", `[[1, "a"], [1, 2]]`) + `,"columns":"k"}`, "cannot add int to text"},
		{"Aggregate", `{"dataframe":` + fr("k,v", `[["a", 1], [2, 2]]`) + `,"columns":"k"}`, "'<' is not supported between str and int"},
	})
}

func TestPivot(t *testing.T) {
	pv := func(frame, fn string) string {
		return `{"dataframe":` + frame + `,"index":"region","columns":"product","values":"units","aggfunc":"` + fn + `"}`
	}
	long := fr("region,product,units", `[["x", "a", 2], ["x", "a", 4], ["y", "a", 6], ["x", "b", 1]]`)
	runDF(t, []dfCase{
		// The row with a missing region (product C) is dropped, so no C
		// column; every cell is filled, so the ints stay ints.
		{"Pivot", pv(sales, "sum"), "region:object A:int B:int | ['East', 11, 7] ['West', 3, 5]"},
		{"Pivot", pv(sales, "count"), "region:object A:int B:int | ['East', 2, 1] ['West', 1, 1]"},
		{"Pivot", pv(sales, "max"), "region:object A:int B:int | ['East', 10, 7] ['West', 3, 5]"},
		{"Pivot", pv(sales, "first"), "region:object A:int B:int | ['East', 10, 7] ['West', 3, 5]"},
		{"Pivot", pv(sales, "mean"), "region:object A:float B:float | ['East', 5.5, 7.0] ['West', 3.0, 5.0]"},
		// A missing cell (y, b) makes the table floats.
		{"Pivot", pv(long, "sum"), "region:object a:float b:float | ['x', 6.0, 1.0] ['y', 6.0, None]"},
		// Whole means of an int column come back as ints, then the missing
		// cell makes them floats.
		{"Pivot", pv(fr("region,product,units", `[["x", "a", 2], ["x", "a", 4], ["y", "a", 6]]`), "mean"), "region:object a:int | ['x', 3] ['y', 6]"},
		// Column labels are str() of the values, sorted as values.
		{"Pivot", `{"dataframe":` + fr("y,q,v", `[[2021, 10, 1.5], [2020, 9, 2.5]]`) + `,"index":"y","columns":"q","values":"v"}`, "y:int 9:float 10:float | [2020, 2.5, None] [2021, None, 1.5]"},
	})
	nodetest.RunErrCases(t, "nodetool.data.", []nodetest.Case{
		{"Pivot", pv(sales, "median"), `Unknown aggregation function: "median"`},
		{"Pivot", `{"dataframe":` + sales + `,"index":"region","columns":"product","values":"product","aggfunc":"mean"}`, "mean needs numbers"},
		{"Pivot", `{"dataframe":` + sales + `,"index":"region","columns":"product"}`, "values is empty"},
	})
}

func TestJoinMergeAppend(t *testing.T) {
	a := fr("id,name", `[[1, "a"], [2, "b"], [1, "c"]]`)
	b := fr("id,score", `[[1, 10], [3, 30], [1, 11]]`)
	ab := func(x, y, extra string) string { return `{"dataframe_a":` + x + `,"dataframe_b":` + y + extra + `}` }
	runDF(t, []dfCase{
		// Inner join in the left's order, each left row with its matches in
		// the right's order (pandas 2.2's documented order).
		{"Join", ab(a, b, `,"join_on":"id"`), "id:int name:object score:int | [1, 'a', 10] [1, 'a', 11] [1, 'c', 10] [1, 'c', 11]"},
		// Other columns both have get _x and _y.
		{"Join", ab(a, fr("name,id", `[["z", 2]]`), `,"join_on":"id"`), "id:int name_x:object name_y:object | [2, 'b', 'z']"},
		{"Join", ab(a, fr("id,v", `[[1.0, true]]`), `,"join_on":" id "`), "id:int name:object v:object | [1, 'a', True] [1, 'c', True]"},
		{"Join", ab(a, fr("id,v", `[[5, 1]]`), `,"join_on":"id"`), "id:int name:object v:int |"},
		// Merge puts columns side by side; the shorter frame is padded.
		{"Merge", ab(fr("x", `[[1], [2]]`), fr("y,z", `[["p", true], ["q", false], ["r", true]]`), ``), "x:float y:object z:object | [1.0, 'p', True] [2.0, 'q', False] [None, 'r', True]"},
		{"Merge", ab(fr("x", `[[1]]`), `{}`, ``), "x:int | [1]"},
		// Append stacks rows; int and float give float.
		{"Append", ab(fr("n,s", `[[1, "a"]]`), fr("n,s", `[[2.5, "b"]]`), ``), "n:float s:object | [1.0, 'a'] [2.5, 'b']"},
		{"Append", ab(fr("n", `[[1]]`), fr("n", `[["x"]]`), ``), "n:object | [1] ['x']"},
		{"Append", ab(fr("n", `[[1]]`), fr("n", `[[2]]`), ``), "n:int | [1] [2]"},
		{"Append", ab(`{}`, fr("n", `[[2]]`), ``), "n:int | [2]"},
		{"Append", ab(fr("n", `[[2]]`), fr("m", `[]`), ``), "n:int | [2]"},
	})
	nodetest.RunErrCases(t, "nodetool.data.", []nodetest.Case{
		{"Join", ab(a, b, `,"join_on":"name"`), `dataframe_b: column "name" not found`},
		{"Join", ab(a, b, ``), "join_on is empty"},
		{"Append", ab(fr("n", `[[1]]`), fr("m", `[[2]]`), ``), `columns in dataframe A ("n") do not match columns in dataframe B ("m")`},
	})
}

func TestFromListAndJSON(t *testing.T) {
	runDF(t, []dfCase{
		// Columns in order of first appearance; a dict contributes its
		// "value"; lists become their text; a missing key is missing.
		{"FromList", `{"values":[{"a":1,"b":{"value":"v","x":0}},{"a":2,"c":[1,"z"]}]}`, "a:int b:object c:object | [1, 'v', None] [2, None, \"[1, 'z']\"]"},
		{"FromList", `{"values":[{"a":null},{"a":1}]}`, "a:float | [None] [1.0]"},
		{"FromList", `{}`, " |"},
		{"JSONToDataframe", `{"text":"[{\"a\": 1, \"b\": \"x\"}, {\"b\": \"y\", \"c\": true}]"}`, "a:float b:object c:object | [1.0, 'x', None] [None, 'y', True]"},
		{"JSONToDataframe", `{"text":"[[1, 2], [3]]"}`, "0:int 1:float | [1, 2.0] [3, None]"},
		{"JSONToDataframe", `{"text":"[1, \"a\"]"}`, "0:object | [1] ['a']"},
		{"JSONToDataframe", `{"text":"{\"a\": [1, 2], \"b\": \"k\"}"}`, "a:int b:object | [1, 'k'] [2, 'k']"},
		{"JSONToDataframe", `{"text":"[]"}`, " |"},
	})
	nodetest.RunErrCases(t, "nodetool.data.", []nodetest.Case{
		{"FromList", `{"values":[1]}`, "List must contain dicts: item 0 is int"},
		{"FromList", `{"values":[{"a":{"v":1}}]}`, `the dict under "a" has no "value" entry`},
		{"JSONToDataframe", `{"text":"{\"a\": 1}"}`, "if using all scalar values, you must pass an index"},
		{"JSONToDataframe", `{"text":"{\"a\": [1], \"b\": [1, 2]}"}`, "all arrays must be of the same length"},
		{"JSONToDataframe", `{"text":"nope"}`, "invalid JSON"},
		{"JSONToDataframe", `{"text":"3"}`, "the JSON is int"},
	})
}

func TestImportCSV(t *testing.T) {
	csv := func(s string) string { return `{"csv_data":` + nodetest.JS(s) + `}` }
	runDF(t, []dfCase{
		// read_csv infers int64, object and float64 (an empty cell is NaN).
		{"ImportCSV", csv("a,b,c\n1,x,1.5\n2,y,\n"), "a:int b:object c:float | [1, 'x', 1.5] [2, 'y', None]"},
		// Blank lines are skipped; NA makes an int column float.
		{"ImportCSV", csv("n\n1\n\n2\nNA\n"), "n:float | [1.0] [2.0] [None]"},
		// True/False in any of pandas' spellings; with a gap: objects.
		{"ImportCSV", csv("f,g\nTrue,FALSE\nfalse,true\n"), "f:object g:object | [True, False] [False, True]"},
		{"ImportCSV", csv("f,g\nTrue,1\n,2\n"), "f:object g:int | [True, 1] [None, 2]"},
		// Empty and repeated header names are renamed.
		{"ImportCSV", csv(",a,a\n1,2,3\n"), "Unnamed: 0:int a:int a.1:int | [1, 2, 3]"},
		// Quoted fields hold commas, quotes and line breaks.
		{"ImportCSV", csv("name,desc\n\"Doe, John\",\"say \"\"hi\"\"\"\n\"x\",\"two\nlines\"\n"), "name:object desc:object | ['Doe, John', 'say \"hi\"'] ['x', 'two\\nlines']"},
		// A column mixing numbers and text keeps the texts as they are.
		{"ImportCSV", csv("v\n1\nx\n007\n"), "v:object | ['1'] ['x'] ['007']"},
		{"ImportCSV", csv("v\n007\n-3\n+4\n"), "v:int | [7] [-3] [4]"},
		{"ImportCSV", csv("v\ninf\n-1e3\n.5\n"), "v:float | [inf] [-1000.0] [0.5]"},
		// A column of nothing but gaps is float64; None and null are NA.
		{"ImportCSV", csv("a,b\n1,\n2,None\n3,null\n"), "a:int b:float | [1, None] [2, None] [3, None]"},
		// A short row is padded; \r\n ends lines; a BOM is dropped.
		{"ImportCSV", csv("\ufeffa,b\r\n1\r\n2,3\r\n"), "a:int b:float | [1, None] [2, 3.0]"},
		{"ImportCSV", csv("a,b\n"), "a:object b:object |"},
		{"ImportCSV", csv("a,b"), "a:object b:object |"},
		// 1,000 is text, not a number.
		{"ImportCSV", csv("a\n\"1,000\"\n"), "a:object | ['1,000']"},
		// The corpus file's condition with a backticked name.
		{"nodetool.data.Filter", `{"df":` + gdpFrame(t) + `,"condition":"` + "`Country Code` == 'USA'" + `"}`, "Country Name:object Country Code:object Year:int Value:float | ['United States', 'USA', 1960, 543300000000.0] ['United States', 'USA', 1961, 563300000000.0]"},
	})
	nodetest.RunErrCases(t, "nodetool.data.", []nodetest.Case{
		{"ImportCSV", csv(""), "no columns to parse"},
		{"ImportCSV", csv("a,b\n1,2,3\n"), "expected 2 fields in line 2, saw 3"},
		{"ImportCSV", csv("a\n\"open\n"), "EOF inside string starting at line 2"},
	})
}

// gdpFrame is the head of the gdp.csv Data Visualization Pipeline reads.
func gdpFrame(t *testing.T) string {
	v := nodetest.Output(t, "nodetool.data.ImportCSV", `{"csv_data":`+nodetest.JS(gdpCSV)+`}`, "output")
	return bytesOf(t, v)
}

const gdpCSV = `Country Name,Country Code,Year,Value
Aruba,ABW,1986,405586592.178771
Aruba,ABW,1987,487709497.206704
United States,USA,1960,543300000000
United States,USA,1961,563300000000
`

func bytesOf(t *testing.T, v any) string {
	t.Helper()
	b, err := v.(*pyval.Dict).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRowIterators(t *testing.T) {
	two := fr("a,b", `[[1, "x"], [null, "y"]]`)
	for _, c := range []struct{ typ, slot string }{{"nodetool.data.ForEachRow", "row"}, {"nodetool.data.RowIterator", "dict"}} {
		outs, res := nodetest.RunNode(t, c.typ, `{"dataframe":`+two+`}`)
		nodetest.WantCompleted(t, res)
		if got := nodetest.Repr(outs[c.slot]); got != `[{'a': 1.0, 'b': 'x'}, {'a': None, 'b': 'y'}]` {
			t.Errorf("%s rows = %s", c.typ, got)
		}
		if got := nodetest.Repr(outs["index"]); got != `[0, 1]` {
			t.Errorf("%s indexes = %s", c.typ, got)
		}
	}
	outs, res := nodetest.RunNode(t, "nodetool.data.ForEachRow", `{}`)
	nodetest.WantCompleted(t, res)
	if len(outs["row"]) != 0 {
		t.Errorf("ForEachRow of nothing streamed %s", nodetest.Repr(outs["row"]))
	}
}

func TestFilterNone(t *testing.T) {
	g := `{"nodes":[
		{"id":"src","type":"nodetool.control.ForEach","data":{"input_list":[1, null, "a", null, [], false]}},
		{"id":"n","type":"nodetool.data.FilterNone"},
		{"id":"out","type":"nodetool.output.Output","data":{"name":"r"}}],
		"edges":[{"id":"e1","source":"src","sourceHandle":"output","target":"n","targetHandle":"value"},
		{"id":"e2","source":"n","sourceHandle":"output","target":"out","targetHandle":"value"}]}`
	res, _ := nodetest.RunGraph(t, g, "")
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["r"]); got != `[1, 'a', [], False]` {
		t.Errorf("FilterNone streamed %s, want [1, 'a', [], False]", got)
	}
}

// TestChainedNodes runs a small pipeline: values written by one node read
// back by the next keep their types.
func TestChainedNodes(t *testing.T) {
	var g nodetest.Graph
	g.Node("csv", "nodetool.data.ImportCSV", `{"csv_data":"k,v\nb,1\na,2\nb,3\n"}`).
		Node("agg", "nodetool.data.Aggregate", `{"columns":"k","aggregation":"mean"}`).
		Node("sort", "nodetool.data.SortByColumn", `{"column":"v"}`).
		Node("list", "nodetool.data.ToList", "").
		Edge("csv", "output", "agg", "dataframe").
		Edge("agg", "output", "sort", "df").
		Edge("sort", "output", "list", "dataframe").
		Output("list", "r")
	res := g.Run(t, nil, engine.Limits{})
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["r"][0]); got != `[{'k': 'a', 'v': 2.0}, {'k': 'b', 'v': 2.0}]` {
		t.Errorf("pipeline = %s", got)
	}
}

// TestDataBudgets runs each node that builds a value its inputs size with
// a bomb (it must fail with max-value, in the node, before building the
// value) and with a normal input, within 64 KiB values.
func TestDataBudgets(t *testing.T) {
	ones := fr("k", "["+strings.TrimSuffix(nodetest.Rep("[1],", 200), ",")+"]")
	var diag []string
	for i := range 200 {
		diag = append(diag, fmt.Sprintf("[%d, %d, 1]", i, i))
	}
	distinct := fr("i,c,v", "["+strings.Join(diag, ",")+"]")
	long := fr("a,b,c", "["+strings.TrimSuffix(nodetest.Rep(`[1, "x", 2.5],`, 5000), ",")+"]")
	nodetest.RunBudgetCases(t, "nodetool.data.", []nodetest.BudgetCase{
		{"ImportCSV bomb", "ImportCSV", `{"csv_data":` + nodetest.JS("k\n"+nodetest.Rep("1\n", 5000)) + `}`, ""},
		{"ImportCSV wide header", "ImportCSV", `{"csv_data":` + nodetest.JS(nodetest.Rep(",", 20000)) + `}`, ""},
		{"ImportCSV", "ImportCSV", `{"csv_data":"k\n1\n"}`, `{'type': 'dataframe', 'uri': '', 'asset_id': None, 'data': [[1]], 'metadata': None, 'columns': [{'name': 'k', 'data_type': 'int', 'description': ''}]}`},
		{"Join cartesian", "Join", `{"dataframe_a":` + ones + `,"dataframe_b":` + ones + `,"join_on":"k"}`, ""},
		{"Pivot explosion", "Pivot", `{"dataframe":` + distinct + `,"index":"i","columns":"c","values":"v"}`, ""},
		{"ToList", "ToList", `{"dataframe":` + long + `}`, ""},
		{"ExtractColumn", "ExtractColumn", `{"dataframe":` + long + `,"column_name":"a"}`, ""},
		{"Filter rows", "Filter", `{"df":` + long + `,"condition":"a == 1"}`, ""},
		{"Merge", "Merge", `{"dataframe_a":` + long + `,"dataframe_b":` + long + `}`, ""},
		{"Filter", "Filter", `{"df":` + fr("a", `[[1], [2]]`) + `,"condition":"a == 1"}`, `{'type': 'dataframe', 'uri': '', 'asset_id': None, 'data': [[1]], 'metadata': None, 'columns': [{'name': 'a', 'data_type': 'int', 'description': ''}]}`},
	})
}

// TestLoadCSVAssetsWithoutStore: a process without an asset store (the test
// registry's) refuses asset folders; the store's side is tested with the
// real store in the nodetool package (assets_nodes_test.go).
func TestLoadCSVAssetsWithoutStore(t *testing.T) {
	nodetest.RunErrCases(t, "", []nodetest.Case{
		{"nodetool.data.LoadCSVAssets", `{"folder":{"type":"folder","asset_id":"f1"}}`, "this process has no asset store"},
		{"nodetool.data.LoadCSVAssets", `{}`, "Please select an asset folder."},
	})
}
