package llm

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
	"nodetool/providers"
)

// summarizerGen streams a summary: each text delta on chunk, then the
// whole text on text. max_tokens is not sent (the original does not).
func (l *lib) summarizerGen(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
	p, model, err := l.model(ctx, in)
	if err != nil {
		return err
	}
	user, err := userMessage(ctx, in.Str("text"), in.Get("image"), in.Get("audio"))
	if err != nil {
		return err
	}
	req := &providers.Request{Model: model, Messages: []providers.Message{systemMessage(in.Str("system_prompt")), user}}
	nodeID := ctx.NodeID()
	var text strings.Builder
	if _, err := streamTurn(ctx, p, req, func(d providers.Delta) error {
		if d.Content == "" {
			return nil
		}
		text.WriteString(d.Content)
		return emit("chunk", chunkValue(nodeID, d.Content, false))
	}); err != nil {
		return err
	}
	return emit("text", text.String())
}

// extractorProcess asks for the declared outputs as one JSON object: the
// system prompt gets their schema in a <JSON_SCHEMA> block, the text goes
// in a <TEXT> block.
func (l *lib) extractorProcess(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	dyn := ctx.DynamicOutputs()
	if len(dyn) == 0 {
		return nil, errors.New("Extractor has no outputs: add an output for each field to extract")
	}
	p, model, err := l.model(ctx, in)
	if err != nil {
		return nil, err
	}
	system := in.Str("system_prompt") + "\n<JSON_SCHEMA>\n" +
		pyval.Dumps(slotsSchema("Extraction Results", dyn), pyval.DumpOptions{Indent: 2}) + "\n</JSON_SCHEMA>\n"
	if refSet(in.Get("image")) {
		system += "The user's message includes an image: extract from it too.\n"
	}
	user, err := userMessage(ctx, "<TEXT>\n"+in.Str("text")+"\n</TEXT>", in.Get("image"), in.Get("audio"))
	if err != nil {
		return nil, err
	}
	raw, err := chat(ctx, p, &providers.Request{Model: model, Messages: []providers.Message{systemMessage(system), user}})
	if err != nil {
		return nil, err
	}
	obj, err := parseJSONObject(ctx, raw)
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, fmt.Errorf("Extractor: the model did not answer with a JSON object; it answered %s", preview(raw))
	}
	return structuredFields(ctx, "Extractor", obj, dyn)
}

// structuredProcess generates the declared outputs as one JSON object from
// the instructions and context, given to the model in <JSON_SCHEMA>,
// <INSTRUCTIONS> and <CONTEXT> blocks of the system prompt.
func (l *lib) structuredProcess(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	dyn := ctx.DynamicOutputs()
	if len(dyn) == 0 {
		return nil, errors.New("Structured Output Generator has no outputs: add an output for each field to generate")
	}
	p, model, err := l.model(ctx, in)
	if err != nil {
		return nil, err
	}
	blocks := []string{"<JSON_SCHEMA>\n" + pyval.Dumps(slotsSchema("Structured Output Specification", dyn), pyval.DumpOptions{Indent: 2}) + "\n</JSON_SCHEMA>"}
	if s := strings.TrimSpace(in.Str("instructions")); s != "" {
		blocks = append(blocks, "<INSTRUCTIONS>\n"+s+"\n</INSTRUCTIONS>")
	}
	if s := strings.TrimSpace(in.Str("context")); s != "" {
		blocks = append(blocks, "<CONTEXT>\n"+s+"\n</CONTEXT>")
	}
	system := in.Str("system_prompt") + "\n" + strings.Join(blocks, "\n") + "\n"
	maxTokens := int(in.Int("max_tokens"))
	raw, err := chat(ctx, p, &providers.Request{Model: model, MaxTokens: &maxTokens, Messages: []providers.Message{
		systemMessage(system),
		{Role: "user", Content: "Write the JSON object now: every field of the schema, following the instructions."},
	}})
	if err != nil {
		return nil, err
	}
	obj, err := parseJSONObject(ctx, raw)
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, fmt.Errorf("Structured Output Generator: the model did not answer with a JSON object; it answered %s", preview(raw))
	}
	return structuredFields(ctx, "Structured Output Generator", obj, dyn)
}

// classifierProcess asks for {"category": <one of the categories>} under a
// strict JSON schema, retries once without the schema when the provider
// refuses it, and maps the answer onto a category (classifyAnswer).
func (l *lib) classifierProcess(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	var cats []string
	for _, c := range in.List("categories") {
		s, err := bounded.Str(ctx, c)
		if err != nil {
			return nil, err
		}
		cats = append(cats, s)
	}
	if len(cats) < 2 {
		return nil, fmt.Errorf("Classifier needs at least 2 categories, got %d: list the categories to choose from", len(cats))
	}
	p, model, err := l.model(ctx, in)
	if err != nil {
		return nil, err
	}
	user, err := userMessage(ctx, "Put the input into exactly one of these categories: "+strings.Join(cats, ", ")+
		"\n\nInput:\n"+in.Str("text"), in.Get("image"), in.Get("audio"))
	if err != nil {
		return nil, err
	}
	enum := make([]any, len(cats))
	for i, c := range cats {
		enum[i] = c
	}
	schema := pyval.DictOf("type", "object", "additionalProperties", false, "required", []any{"category"},
		"properties", pyval.DictOf("category", pyval.DictOf("type", "string", "enum", enum, "description", "The chosen category")))
	req := &providers.Request{Model: model, Messages: []providers.Message{systemMessage(in.Str("system_prompt")), user},
		ResponseFormat: rawJSON(pyval.DictOf("type", "json_schema", "json_schema",
			pyval.DictOf("name", "classification_result", "schema", schema, "strict", true)))}
	raw, err := chat(ctx, p, req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		ctx.Log("warning", fmt.Sprintf("the model refused the JSON schema (%v); asking again without it", err))
		req.ResponseFormat = nil
		if raw, err = chat(ctx, p, req); err != nil {
			return nil, err
		}
	}
	c, err := classifyAnswer(ctx, raw, cats)
	if err != nil {
		return nil, err
	}
	return engine.Single(c), nil
}

// classifyAnswer maps a model's answer onto a category, trying in order:
// the answer as JSON {"category": ...} (case-insensitive), the same for
// the text from its first { to its last }, a category named in the
// answer, the most similar category (ratio at least 0.5), a category
// named "other" or "unknown", the first category. ctx (nil in tests) is
// polled as it goes and bounds what it parses.
func classifyAnswer(ctx *engine.Ctx, raw string, cats []string) (string, error) {
	var stop error // the node must stop
	fromJSON := func(s string) (string, bool) {
		var v any
		var err error
		if ctx != nil {
			v, err = bounded.DecodeJSON(ctx, []byte(s))
			if err != nil && (engine.IsLimit(err) || ctx.Err() != nil) {
				stop = err
			}
		} else {
			v, err = pyval.Decode([]byte(s))
		}
		if err != nil {
			return "", false
		}
		d, ok := v.(*pyval.Dict)
		if !ok {
			return "", false
		}
		cv, _ := d.Get("category")
		val, ok := cv.(string)
		if !ok {
			return "", false
		}
		val = pystr.Lower(pystr.Strip(val))
		for _, c := range cats {
			if val == pystr.Lower(pystr.Strip(c)) {
				return c, true
			}
		}
		return "", false
	}
	if c, ok := fromJSON(raw); ok || stop != nil {
		return c, stop
	}
	if i, j := strings.Index(raw, "{"), strings.LastIndex(raw, "}"); i >= 0 && i < j {
		if c, ok := fromJSON(raw[i : j+1]); ok || stop != nil {
			return c, stop
		}
	}
	check := func() error {
		if ctx == nil {
			return nil
		}
		return ctx.Check()
	}
	lowered := pystr.Lower(raw)
	for _, c := range cats {
		if err := check(); err != nil {
			return "", err
		}
		if strings.Contains(lowered, pystr.Lower(c)) {
			return c, nil
		}
	}
	best, bestScore := "", 0.0
	a := pystr.Strip(lowered)
	for _, c := range cats {
		score, err := similarity(ctx, a, pystr.Strip(pystr.Lower(c)))
		if err != nil {
			return "", err
		}
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	if best != "" && bestScore >= 0.5 {
		return best, nil
	}
	for _, fallback := range []string{"other", "unknown"} {
		for _, c := range cats {
			if pystr.Lower(pystr.Strip(c)) == fallback {
				return c, nil
			}
		}
	}
	return cats[0], nil
}

// similarity is the ratio of Python's difflib.SequenceMatcher(None, a, b):
// twice the number of characters in matching blocks over the total length,
// the blocks found by repeatedly taking the longest common substring
// (earliest on ties) and recursing on both sides. As in difflib, when b
// has 200 characters or more, characters making up over 1% of it (plus
// one) do not start matches.
//
// Only scores of 0.5 and more matter to classifyAnswer, and the ratio is
// at most 2*min/(len a + len b): when one text is over three times as long
// as the other, the ratio is under 0.5 and is reported as 0 without
// matching (the work is quadratic in the lengths). ctx (nil in tests) is
// polled as the matching goes.
func similarity(ctx *engine.Ctx, a, b string) (float64, error) {
	na, nb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	if na+nb == 0 {
		return 1, nil
	}
	if 2*float64(min(na, nb))/float64(na+nb) < 0.5 {
		return 0, nil
	}
	if ctx != nil {
		if err := ctx.CheckSize(4 * int64(na+nb)); err != nil {
			return 0, err
		}
	}
	ar, br := []rune(a), []rune(b)
	b2j := map[rune][]int{}
	for j, r := range br {
		b2j[r] = append(b2j[r], j)
	}
	if n := len(br); n >= 200 {
		limit := n/100 + 1
		for r, js := range b2j {
			if len(js) > limit {
				delete(b2j, r)
			}
		}
	}
	var stop error
	longest := func(alo, ahi, blo, bhi int) (int, int, int) {
		bi, bj, size := alo, blo, 0
		j2len := map[int]int{}
		for i := alo; i < ahi; i++ {
			if stop = bounded.Tick(ctx); stop != nil {
				return 0, 0, 0
			}
			next := map[int]int{}
			for _, j := range b2j[ar[i]] {
				if j < blo {
					continue
				}
				if j >= bhi {
					break
				}
				k := j2len[j-1] + 1
				next[j] = k
				if k > size {
					bi, bj, size = i-k+1, j-k+1, k
				}
			}
			j2len = next
		}
		for bi > alo && bj > blo && ar[bi-1] == br[bj-1] {
			bi, bj, size = bi-1, bj-1, size+1
		}
		for bi+size < ahi && bj+size < bhi && ar[bi+size] == br[bj+size] {
			size++
		}
		return bi, bj, size
	}
	matched := 0
	queue := [][4]int{{0, len(ar), 0, len(br)}}
	for len(queue) > 0 {
		q := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		i, j, k := longest(q[0], q[1], q[2], q[3])
		if stop != nil {
			return 0, stop
		}
		if k == 0 {
			continue
		}
		matched += k
		if q[0] < i && q[2] < j {
			queue = append(queue, [4]int{q[0], i, q[2], j})
		}
		if i+k < q[1] && j+k < q[3] {
			queue = append(queue, [4]int{i + k, q[1], j + k, q[3]})
		}
	}
	return 2 * float64(matched) / float64(len(ar)+len(br)), nil
}

// listSystemPrompt asks for items between <LIST_ITEM> tags.
const listSystemPrompt = `You write lists. Put every item between <LIST_ITEM> and </LIST_ITEM> tags, one pair of tags per item; an item may span several lines. Write nothing outside the tags. When the request says how many items it wants, give exactly that many.

Example
Request: three colours of the rainbow
Answer:
<LIST_ITEM>Red</LIST_ITEM>
<LIST_ITEM>Orange</LIST_ITEM>
<LIST_ITEM>Yellow</LIST_ITEM>`

// listGeneratorGen streams a list answer, takes out the <LIST_ITEM> items
// as they complete (with ** removed and white space collapsed), and emits
// them with their index once the answer is complete.
func (l *lib) listGeneratorGen(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
	p, model, err := l.model(ctx, in)
	if err != nil {
		return err
	}
	prompt := in.Str("prompt")
	if extra := in.Str("input_text"); extra != "" {
		if prompt != "" {
			prompt += "\n\n" + extra
		} else {
			prompt = extra
		}
	}
	maxTokens := int(in.Int("max_tokens"))
	req := &providers.Request{Model: model, MaxTokens: &maxTokens,
		Messages: []providers.Message{systemMessage(listSystemPrompt), {Role: "user", Content: prompt}}}
	var sc listItemScanner
	t, err := streamTurn(ctx, p, req, func(d providers.Delta) error {
		sc.add(d.Content)
		return nil
	})
	if err != nil {
		return err
	}
	items := sc.items
	if len(items) == 0 {
		return fmt.Errorf("ListGenerator found no <LIST_ITEM> tags in the model's answer (it answered %s): ask for a list, or use a model that follows the format", preview(t.Text))
	}
	for i, item := range items {
		if err := emit("item", item); err != nil {
			return err
		}
		if err := emit("index", int64(i)); err != nil {
			return err
		}
	}
	return nil
}

// takeListItems takes the complete <LIST_ITEM>…</LIST_ITEM> items out of
// buf and returns what is left to wait for more text: an open item, or
// nothing when only stray text remains.
func takeListItems(buf string) (string, []string) {
	sc := listItemScanner{buf: []byte(buf)}
	sc.scan()
	return string(sc.buf), sc.items
}

var (
	listItemOpen  = []byte("<LIST_ITEM>")
	listItemClose = []byte("</LIST_ITEM>")
)

// listItemScanner takes <LIST_ITEM> items out of text that arrives in
// pieces. It keeps only what may still become an item, and remembers how
// much of an open item it has searched for the closing tag, so every byte
// is looked at a bounded number of times however small the pieces.
type listItemScanner struct {
	buf      []byte // text not taken yet: an open item, or a possible tag start
	searched int    // bytes of an open item in buf searched for the closing tag
	items    []string
}

func (sc *listItemScanner) add(s string) {
	sc.buf = append(sc.buf, s...)
	sc.scan()
}

func (sc *listItemScanner) scan() {
	for {
		start := bytes.Index(sc.buf, listItemOpen)
		if start < 0 {
			break
		}
		if start > 0 {
			sc.buf, sc.searched = sc.buf[start:], 0
		}
		from := max(len(listItemOpen), sc.searched-len(listItemClose)+1)
		end := bytes.Index(sc.buf[from:], listItemClose)
		if end < 0 {
			sc.searched = len(sc.buf)
			return
		}
		end += from
		item := strings.ReplaceAll(string(sc.buf[len(listItemOpen):end]), "**", "")
		sc.items = append(sc.items, strings.Join(pystr.SplitWhitespace(item), " "))
		sc.buf, sc.searched = sc.buf[end+len(listItemClose):], 0
	}
	if bytes.Contains(sc.buf, listItemClose) {
		sc.buf = sc.buf[:0]
		return
	}
	// Keep a tail that may be the start of an opening tag.
	if i := bytes.LastIndexByte(sc.buf, '<'); i >= 0 && bytes.HasPrefix(listItemOpen, sc.buf[i:]) {
		sc.buf = sc.buf[i:]
		return
	}
	sc.buf = sc.buf[:0]
}

// column is one column of a DataGenerator's record_type.
type column struct {
	name, dataType string
	def            any
}

// dataGeneratorGen asks for a markdown table with the node's columns,
// reads the whole answer, and emits each row as {record, index}, then the
// table as one dataframe.
func (l *lib) dataGeneratorGen(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
	var cols []column
	colList, _ := in.Dict("columns").Get("columns")
	list, _ := colList.([]any)
	for i, c := range list {
		d, ok := c.(*pyval.Dict)
		if !ok || d.Str("name") == "" {
			return fmt.Errorf("DataGenerator: column %d has no name", i)
		}
		cols = append(cols, column{name: d.Str("name"), dataType: d.Str("data_type"), def: c})
	}
	if len(cols) == 0 {
		return errors.New("DataGenerator has no columns: define the columns of the table to generate")
	}
	p, model, err := l.model(ctx, in)
	if err != nil {
		return err
	}
	var spec strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&spec, "- %s (%s)", c.name, c.dataType)
		if d := c.def.(*pyval.Dict).Str("description"); d != "" {
			spec.WriteString(": " + strings.Join(strings.Fields(d), " "))
		}
		spec.WriteByte('\n')
	}
	system := "You produce tabular data. Reply with a single markdown table and nothing else: no introduction, no notes, no code fence.\n\n" +
		"The table has these columns, in this order:\n" + spec.String() + "\n" +
		"Format:\n" +
		"- The first row names the columns, the second row separates them (| --- | --- |), and each further row is one record.\n" +
		"- Separate cells with | and keep every record on one line; never use | inside a cell.\n" +
		"- Write numbers as plain numbers and booleans as true or false; write None for a missing value."
	maxTokens := int(in.Int("max_tokens"))
	req := &providers.Request{Model: model, MaxTokens: &maxTokens, Messages: []providers.Message{
		systemMessage(system), {Role: "user", Content: in.Str("prompt") + "\n\n" + in.Str("input_text")}}}
	t, err := streamTurn(ctx, p, req, nil)
	if err != nil {
		return err
	}
	rows, err := parseMarkdownTable(ctx, t.Text, cols)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		ctx.Log("warning", "DataGenerator found no table rows in the model's answer: "+preview(t.Text))
	}
	data := make([]any, len(rows))
	for i, row := range rows {
		if err := emit("record", row); err != nil {
			return err
		}
		if err := emit("index", int64(i)); err != nil {
			return err
		}
		cells := make([]any, len(cols))
		for j, c := range cols {
			cells[j], _ = row.Get(c.name)
		}
		data[i] = cells
	}
	colDefs := make([]any, len(cols))
	for i, c := range cols {
		if colDefs[i], err = bounded.Clone(ctx, c.def); err != nil {
			return err
		}
	}
	return emit("dataframe", pyval.DictOf("type", "dataframe", "uri", "", "asset_id", nil, "data", data,
		"metadata", nil, "columns", colDefs))
}

// parseMarkdownTable reads the rows of the first markdown table in text
// (its lines starting with |; all non-blank lines when there are none):
// the first line names the columns, the second is the separator, each
// further line with as many cells as there are names is a row. Cells are
// converted by their column's data_type. ctx (nil in tests) is polled for
// every line, and the rows count against its max-value budget.
func parseMarkdownTable(ctx *engine.Ctx, text string, cols []column) ([]*pyval.Dict, error) {
	table := markdownTableText(text)
	var lines []string // the first three lines of the table
	rest := ""         // the table after its third line
	for line, after := range nonBlankLines(table) {
		lines = append(lines, line)
		if len(lines) == 3 {
			rest = after
			break
		}
	}
	if len(lines) < 3 {
		return nil, nil
	}
	nh := strings.Count(strings.Trim(lines[0], "|"), "|") + 1
	if ctx != nil {
		if err := ctx.CheckSize(int64(nh) * engine.ItemCost); err != nil {
			return nil, err
		}
	}
	var headers []string
	for _, h := range strings.Split(strings.Trim(lines[0], "|"), "|") {
		if h = strings.TrimSpace(h); h != "" {
			headers = append(headers, h)
		}
	}
	types := map[string]string{}
	for _, c := range cols {
		if _, seen := types[c.name]; !seen {
			types[c.name] = strings.ToLower(c.dataType)
		}
	}
	// A row is a dict with an entry per header, and a list of its cells in
	// the dataframe.
	rowCost := engine.EntryCost + int64(len(headers))*(engine.EntryCost+engine.ItemCost)
	var size int64
	var rows []*pyval.Dict
	addRow := func(line string) error {
		if ctx != nil {
			if err := ctx.Tick(); err != nil {
				return err
			}
		}
		if strings.HasPrefix(line, "-") {
			return nil
		}
		cells, sep := markdownCells(line, len(headers))
		if len(cells) != len(headers) || sep {
			return nil
		}
		if size += rowCost; ctx != nil && size > ctx.MaxValue() {
			return ctx.CheckSize(size)
		}
		row := pyval.NewDict(len(headers))
		for i, h := range headers {
			t, known := types[h]
			row.Set(h, tableCell(cells[i], t, known))
		}
		rows = append(rows, row)
		return nil
	}
	if err := addRow(lines[2]); err != nil {
		return nil, err
	}
	for line := range nonBlankLines(rest) {
		if err := addRow(line); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// markdownTableText is the part of text that holds its first table: from
// the first line starting with | to the first non-blank line after it that
// does not, or all of text when no line starts with |.
func markdownTableText(text string) string {
	start, end := -1, len(text)
	for off := 0; off < len(text); {
		nl := strings.IndexByte(text[off:], '\n')
		next := len(text)
		if nl >= 0 {
			next = off + nl + 1
		}
		line := strings.TrimSpace(text[off:next])
		switch {
		case line == "":
		case strings.HasPrefix(line, "|"):
			if start < 0 {
				start = off
			}
		case start >= 0:
			end = off
			next = len(text)
		}
		off = next
	}
	if start < 0 {
		return text
	}
	return text[start:end]
}

// nonBlankLines yields the trimmed non-blank lines of text, each with the
// text after it.
func nonBlankLines(text string) func(yield func(line, after string) bool) {
	return func(yield func(string, string) bool) {
		for text != "" {
			line, after, _ := strings.Cut(text, "\n")
			text = after
			if line = strings.TrimSpace(line); line != "" && !yield(line, text) {
				return
			}
		}
	}
}

// markdownCells splits a table line into its cells: all of them when the
// line has one per header, else the non-blank ones (at most one more than
// there are headers: such a line is no row). sep reports a separator line
// (cells of -, : and spaces only).
func markdownCells(line string, headers int) (cells []string, sep bool) {
	raw := strings.Trim(line, "|")
	all := strings.Count(raw, "|")+1 == headers
	sep = true
	for {
		field, after, found := strings.Cut(raw, "|")
		raw = after
		v := strings.TrimSpace(field)
		if v != "" || all {
			if cells = append(cells, v); len(cells) > headers {
				return cells, false
			}
		}
		if strings.Trim(v, "-: ") != "" {
			sep = false
		}
		if !found {
			break
		}
	}
	return cells, sep
}

// tableCell converts a table cell by its column's data type: int, float
// (or number), bool (true, yes, 1, on); empty, none, null and n/a are
// null; a cell that does not convert stays text.
func tableCell(v, dataType string, known bool) any {
	switch strings.ToLower(v) {
	case "", "none", "null", "n/a":
		return nil
	}
	if !known {
		return v
	}
	switch {
	case strings.Contains(dataType, "int"):
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case strings.Contains(dataType, "float"), strings.Contains(dataType, "number"):
		if !strings.ContainsAny(v, "xXpP_") {
			if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				return f
			}
		}
	case strings.Contains(dataType, "bool"):
		switch strings.ToLower(v) {
		case "true", "yes", "1", "on":
			return true
		}
		return false
	}
	return v
}

// chartSchema is the response schema of ChartGenerator: a Plotly figure
// with its traces (data) and layout.
var chartSchema = mustDecode(`{
  "type": "object",
  "title": "Plotly chart",
  "required": ["data", "layout"],
  "properties": {
    "data": {
      "type": "array",
      "description": "The traces to draw",
      "items": {
        "type": "object",
        "required": ["type"],
        "properties": {
          "type": {"type": "string", "enum": ["scatter", "bar", "pie", "histogram", "box", "violin", "heatmap"], "description": "The kind of trace"},
          "name": {"type": "string", "description": "The trace's name in the legend"},
          "mode": {"type": "string", "description": "For scatter traces: lines, markers, or lines+markers"},
          "x": {"type": "array", "items": {"type": ["number", "string"]}, "description": "Values along the x axis"},
          "y": {"type": "array", "items": {"type": ["number", "string"]}, "description": "Values along the y axis"},
          "labels": {"type": "array", "items": {"type": "string"}, "description": "For pie charts: the slice labels"},
          "values": {"type": "array", "items": {"type": "number"}, "description": "For pie charts: the slice sizes"},
          "marker": {"type": "object", "properties": {"color": {"type": "string"}}, "description": "Marker style"}
        }
      }
    },
    "layout": {
      "type": "object",
      "description": "Titles, axes and legend",
      "properties": {
        "title": {"type": "string"},
        "xaxis": {"type": "object", "properties": {"title": {"type": "string"}}},
        "yaxis": {"type": "object", "properties": {"title": {"type": "string"}}},
        "showlegend": {"type": "boolean"}
      }
    }
  }
}`)

func mustDecode(s string) any {
	v, err := pyval.Decode([]byte(s))
	if err != nil {
		panic(err)
	}
	return v
}

// chartProcess asks for a Plotly figure (JSON schema response format) for
// the dataframe's columns and rows.
func (l *lib) chartProcess(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	df := in.Dict("data")
	cols, _ := df.Get("columns")
	if cols == nil {
		return nil, errors.New("ChartGenerator needs a dataframe with columns: connect the data to chart")
	}
	rows, _ := df.Get("data")
	if rows == nil {
		rows = []any{}
	}
	p, model, err := l.model(ctx, in)
	if err != nil {
		return nil, err
	}
	system := "You design charts. Answer with one JSON object that Plotly can draw as it is: \"data\" holds the traces " +
		"and \"layout\" the titles, axis labels and legend. Pick the kind of chart that shows the data best " +
		"(bar for comparing categories, scatter for relations and trends, pie for shares of a whole, histogram or box " +
		"for distributions), use the data's own values, label the axes, and write nothing but the JSON object."
	colsText, err := bounded.Dumps(ctx, cols, pyval.DumpOptions{Indent: 2})
	if err != nil {
		return nil, err
	}
	rowsText, err := bounded.Dumps(ctx, rows, pyval.DumpOptions{Indent: 2})
	if err != nil {
		return nil, err
	}
	user := "Columns:\n" + colsText + "\n\nRows:\n" + rowsText + "\n\nThe chart: " + in.Str("prompt")
	maxTokens := int(in.Int("max_tokens"))
	raw, err := chat(ctx, p, &providers.Request{Model: model, MaxTokens: &maxTokens,
		Messages: []providers.Message{systemMessage(system), {Role: "user", Content: user}},
		ResponseFormat: rawJSON(pyval.DictOf("type", "json_schema", "json_schema",
			pyval.DictOf("name", "plotly_config", "schema", chartSchema)))})
	if err != nil {
		return nil, err
	}
	cfg, err := parseJSONObject(ctx, raw)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, fmt.Errorf("ChartGenerator: the model did not answer with a JSON object; it answered %s", preview(raw))
	}
	if traces, _ := cfg.Get("data"); traces != nil {
		if _, ok := traces.([]any); !ok {
			return nil, fmt.Errorf("ChartGenerator: the chart's \"data\" must be a list of traces, the model gave %s", pyval.TypeName(traces))
		}
	}
	return engine.Single(pyval.DictOf("type", "plotly_config", "config", cfg)), nil
}

// svgProcess asks for an SVG document and returns the text from its first
// <svg to its last </svg> as one svg_element. An image or audio input is
// only mentioned to the model.
func (l *lib) svgProcess(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	p, model, err := l.model(ctx, in)
	if err != nil {
		return nil, err
	}
	system := "You draw SVG graphics. Reply with one complete, well-formed <svg> element and nothing else: " +
		"no prose, no code fence. Give the root element width, height and viewBox attributes, and use " +
		"meaningful ids where they help."
	user := in.Str("prompt")
	if refSet(in.Get("image")) {
		user += "\n(A reference image was provided.)"
	}
	if refSet(in.Get("audio")) {
		user += "\n(A reference audio clip was provided.)"
	}
	maxTokens := int(in.Int("max_tokens"))
	raw, err := chat(ctx, p, &providers.Request{Model: model, MaxTokens: &maxTokens,
		Messages:       []providers.Message{systemMessage(system), {Role: "user", Content: user}},
		ResponseFormat: rawJSON(pyval.DictOf("type", "text"))})
	if err != nil {
		return nil, err
	}
	start, end := strings.Index(raw, "<svg"), strings.LastIndex(raw, "</svg>")
	if start < 0 || end < start {
		return nil, fmt.Errorf("SVGGenerator: the model's answer holds no <svg>…</svg> element; it answered %s", preview(raw))
	}
	svg := raw[start : end+len("</svg>")]
	return engine.Single([]any{pyval.DictOf("type", "svg_element", "name", "svg", "attributes", pyval.NewDict(0),
		"content", svg, "children", []any{})}), nil
}
