package engine

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"nodetool/engine/pyval"
	"nodetool/providers"
)

// summarizerGen streams a summary: each text delta on chunk, then the
// whole text on text. max_tokens is not sent (the original does not).
func summarizerGen(ctx *Ctx, in *Inputs, emit Emit) error {
	p, model, err := llmModel(ctx, in)
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
func extractorProcess(ctx *Ctx, in *Inputs) (map[string]any, error) {
	dyn := ctx.n.dynOuts
	if len(dyn) == 0 {
		return nil, errors.New("Extractor has no outputs: add an output for each field to extract")
	}
	p, model, err := llmModel(ctx, in)
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
	obj := parseJSONObject(raw)
	if obj == nil {
		return nil, fmt.Errorf("Extractor: the model did not answer with a JSON object; it answered %s", preview(raw))
	}
	return structuredFields(ctx, "Extractor", obj, dyn)
}

// structuredProcess generates the declared outputs as one JSON object from
// the instructions and context, given to the model in <JSON_SCHEMA>,
// <INSTRUCTIONS> and <CONTEXT> blocks of the system prompt.
func structuredProcess(ctx *Ctx, in *Inputs) (map[string]any, error) {
	dyn := ctx.n.dynOuts
	if len(dyn) == 0 {
		return nil, errors.New("Structured Output Generator has no outputs: add an output for each field to generate")
	}
	p, model, err := llmModel(ctx, in)
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
	obj := parseJSONObject(raw)
	if obj == nil {
		return nil, fmt.Errorf("Structured Output Generator: the model did not answer with a JSON object; it answered %s", preview(raw))
	}
	return structuredFields(ctx, "Structured Output Generator", obj, dyn)
}

// classifierProcess asks for {"category": <one of the categories>} under a
// strict JSON schema, retries once without the schema when the provider
// refuses it, and maps the answer onto a category (classifyAnswer).
func classifierProcess(ctx *Ctx, in *Inputs) (map[string]any, error) {
	var cats []string
	for _, c := range in.List("categories") {
		cats = append(cats, pyval.Str(c))
	}
	if len(cats) < 2 {
		return nil, fmt.Errorf("Classifier needs at least 2 categories, got %d: list the categories to choose from", len(cats))
	}
	p, model, err := llmModel(ctx, in)
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
	return Single(classifyAnswer(raw, cats)), nil
}

// classifyAnswer maps a model's answer onto a category, trying in order:
// the answer as JSON {"category": ...} (case-insensitive), the same for
// the text from its first { to its last }, a category named in the
// answer, the most similar category (ratio at least 0.5), a category
// named "other" or "unknown", the first category.
func classifyAnswer(raw string, cats []string) string {
	fromJSON := func(s string) (string, bool) {
		v, err := pyval.Decode([]byte(s))
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
		val = pyLower(pyStrip(val))
		for _, c := range cats {
			if val == pyLower(pyStrip(c)) {
				return c, true
			}
		}
		return "", false
	}
	if c, ok := fromJSON(raw); ok {
		return c
	}
	if i, j := strings.Index(raw, "{"), strings.LastIndex(raw, "}"); i >= 0 && i < j {
		if c, ok := fromJSON(raw[i : j+1]); ok {
			return c
		}
	}
	lowered := pyLower(raw)
	for _, c := range cats {
		if strings.Contains(lowered, pyLower(c)) {
			return c
		}
	}
	best, bestScore := "", 0.0
	for _, c := range cats {
		if score := similarity(pyStrip(lowered), pyStrip(pyLower(c))); score > bestScore {
			best, bestScore = c, score
		}
	}
	if best != "" && bestScore >= 0.5 {
		return best
	}
	for _, fallback := range []string{"other", "unknown"} {
		for _, c := range cats {
			if pyLower(pyStrip(c)) == fallback {
				return c
			}
		}
	}
	return cats[0]
}

// similarity is the ratio of Python's difflib.SequenceMatcher(None, a, b):
// twice the number of characters in matching blocks over the total length,
// the blocks found by repeatedly taking the longest common substring
// (earliest on ties) and recursing on both sides. As in difflib, when b
// has 200 characters or more, characters making up over 1% of it (plus
// one) do not start matches.
func similarity(a, b string) float64 {
	ar, br := []rune(a), []rune(b)
	if len(ar)+len(br) == 0 {
		return 1
	}
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
	longest := func(alo, ahi, blo, bhi int) (int, int, int) {
		bi, bj, size := alo, blo, 0
		j2len := map[int]int{}
		for i := alo; i < ahi; i++ {
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
	return 2 * float64(matched) / float64(len(ar)+len(br))
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
func listGeneratorGen(ctx *Ctx, in *Inputs, emit Emit) error {
	p, model, err := llmModel(ctx, in)
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
	var items []string
	var buf, all strings.Builder
	if _, err := streamTurn(ctx, p, req, func(d providers.Delta) error {
		all.WriteString(d.Content)
		buf.WriteString(d.Content)
		rest, found := takeListItems(buf.String())
		items = append(items, found...)
		buf.Reset()
		buf.WriteString(rest)
		return nil
	}); err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("ListGenerator found no <LIST_ITEM> tags in the model's answer (it answered %s): ask for a list, or use a model that follows the format", preview(all.String()))
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
	const open, closing = "<LIST_ITEM>", "</LIST_ITEM>"
	var items []string
	for {
		start := strings.Index(buf, open)
		if start < 0 {
			break
		}
		end := strings.Index(buf[start:], closing)
		if end < 0 {
			return buf[start:], items
		}
		item := strings.ReplaceAll(buf[start+len(open):start+end], "**", "")
		items = append(items, strings.Join(pySplitWhitespace(item), " "))
		buf = buf[start+end+len(closing):]
	}
	if strings.Contains(buf, closing) {
		return "", items
	}
	// Keep a tail that may be the start of an opening tag.
	if i := strings.LastIndexByte(buf, '<'); i >= 0 && strings.HasPrefix(open, buf[i:]) {
		return buf[i:], items
	}
	return "", items
}

// column is one column of a DataGenerator's record_type.
type column struct {
	name, dataType string
	def            any
}

// dataGeneratorGen asks for a markdown table with the node's columns,
// reads the whole answer, and emits each row as {record, index}, then the
// table as one dataframe.
func dataGeneratorGen(ctx *Ctx, in *Inputs, emit Emit) error {
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
	p, model, err := llmModel(ctx, in)
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
	rows := parseMarkdownTable(t.text, cols)
	if len(rows) == 0 {
		ctx.Log("warning", "DataGenerator found no table rows in the model's answer: "+preview(t.text))
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
		colDefs[i] = pyval.Clone(c.def)
	}
	return emit("dataframe", pyval.DictOf("type", "dataframe", "uri", "", "asset_id", nil, "data", data,
		"metadata", nil, "columns", colDefs))
}

// parseMarkdownTable reads the rows of the first markdown table in text
// (its lines starting with |; all non-blank lines when there are none):
// the first line names the columns, the second is the separator, each
// further line with as many cells as there are names is a row. Cells are
// converted by their column's data_type.
func parseMarkdownTable(text string, cols []column) []*pyval.Dict {
	var lines, table []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "|") {
			table = append(table, l)
		} else if len(table) > 0 {
			break
		}
	}
	if len(table) == 0 {
		table = lines
	}
	if len(table) < 3 {
		return nil
	}
	var headers []string
	for _, h := range strings.Split(strings.Trim(table[0], "|"), "|") {
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
	var rows []*pyval.Dict
	for _, line := range table[2:] {
		if strings.HasPrefix(line, "-") {
			continue
		}
		raw := strings.Split(strings.Trim(line, "|"), "|")
		var cells []string
		sep := true
		for _, v := range raw {
			v = strings.TrimSpace(v)
			if v != "" || len(raw) == len(headers) {
				cells = append(cells, v)
			}
			if strings.Trim(v, "-: ") != "" {
				sep = false
			}
		}
		if len(cells) != len(headers) || sep {
			continue
		}
		row := pyval.NewDict(len(headers))
		for i, h := range headers {
			t, known := types[h]
			row.Set(h, tableCell(cells[i], t, known))
		}
		rows = append(rows, row)
	}
	return rows
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
func chartProcess(ctx *Ctx, in *Inputs) (map[string]any, error) {
	df := in.Dict("data")
	cols, _ := df.Get("columns")
	if cols == nil {
		return nil, errors.New("ChartGenerator needs a dataframe with columns: connect the data to chart")
	}
	rows, _ := df.Get("data")
	if rows == nil {
		rows = []any{}
	}
	p, model, err := llmModel(ctx, in)
	if err != nil {
		return nil, err
	}
	system := "You design charts. Answer with one JSON object that Plotly can draw as it is: \"data\" holds the traces " +
		"and \"layout\" the titles, axis labels and legend. Pick the kind of chart that shows the data best " +
		"(bar for comparing categories, scatter for relations and trends, pie for shares of a whole, histogram or box " +
		"for distributions), use the data's own values, label the axes, and write nothing but the JSON object."
	user := "Columns:\n" + pyval.Dumps(cols, pyval.DumpOptions{Indent: 2}) + "\n\nRows:\n" +
		pyval.Dumps(rows, pyval.DumpOptions{Indent: 2}) + "\n\nThe chart: " + in.Str("prompt")
	maxTokens := int(in.Int("max_tokens"))
	raw, err := chat(ctx, p, &providers.Request{Model: model, MaxTokens: &maxTokens,
		Messages: []providers.Message{systemMessage(system), {Role: "user", Content: user}},
		ResponseFormat: rawJSON(pyval.DictOf("type", "json_schema", "json_schema",
			pyval.DictOf("name", "plotly_config", "schema", chartSchema)))})
	if err != nil {
		return nil, err
	}
	cfg := parseJSONObject(raw)
	if cfg == nil {
		return nil, fmt.Errorf("ChartGenerator: the model did not answer with a JSON object; it answered %s", preview(raw))
	}
	if traces, _ := cfg.Get("data"); traces != nil {
		if _, ok := traces.([]any); !ok {
			return nil, fmt.Errorf("ChartGenerator: the chart's \"data\" must be a list of traces, the model gave %s", pyval.TypeName(traces))
		}
	}
	return Single(pyval.DictOf("type", "plotly_config", "config", cfg)), nil
}

// svgProcess asks for an SVG document and returns the text from its first
// <svg to its last </svg> as one svg_element. An image or audio input is
// only mentioned to the model.
func svgProcess(ctx *Ctx, in *Inputs) (map[string]any, error) {
	p, model, err := llmModel(ctx, in)
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
	return Single([]any{pyval.DictOf("type", "svg_element", "name", "svg", "attributes", pyval.NewDict(0),
		"content", svg, "children", []any{})}), nil
}
