package libmarkdown_test

import (
	"os"
	"strings"
	"testing"

	"nodetool/nodes/nodetest"
)

const readme = "../../testdata/corpus-resources/raw.githubusercontent.com/abacaj/awesome-transformers/refs/heads/main/README.md"

func TestExtractLinksOfAReadme(t *testing.T) {
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	links := nodetest.Output(t, "lib.markdown.ExtractLinks", `{"markdown":`+nodetest.JS(string(data))+`}`, "output").([]any)
	var papers []string
	for _, l := range links {
		if s := nodetest.Repr(l); strings.Contains(s, "'title': 'Paper'") {
			papers = append(papers, s)
		}
	}
	if len(papers) != 5 || papers[0] != "{'url': 'https://arxiv.org/pdf/1909.11942.pdf', 'title': 'Paper'}" {
		t.Errorf("paper links = %v", papers)
	}
	// <a name="x"></a> matches the <url> form, as in NodeTool.
	all := nodetest.Repr(links)
	if !strings.Contains(all, `{'url': 'a name="albert"', 'title': ''}, {'url': '/a', 'title': ''}`) {
		t.Errorf("links = %s", all)
	}
}

func TestMarkdownNodes(t *testing.T) {
	md := "# Title\r\n\nIntro with [a link](https://go.dev \"Go\") and <https://example.com>.\n" +
		"## Section *one*\n####### not a header\n#no space\n   ### indented\n" +
		"- first\n* second\n+  third  \n\ntext\n  - again\n" +
		"1. one\n2.  two\n10. ten\nnot a list\n3. three\n" +
		"```go\nfmt.Println(\"hi\")\n```\n```\n  plain  \n```\n" +
		"| Name | Age |\n|------|-----|\n| Ada | 36 |\n| Alan | 41 | extra |\nafter\n| other | table |\n"
	data := `{"markdown":` + nodetest.JS(md) + `}`
	nodetest.RunCases(t, "lib.markdown.", []nodetest.Case{
		{"ExtractLinks", data, `[{'url': 'https://go.dev "Go"', 'title': 'a link'}, {'url': 'https://example.com', 'title': ''}]`},
		{"ExtractLinks", `{"markdown":"[x](u)","include_titles":false}`, `[{'url': 'u', 'title': ''}]`},
		{"ExtractHeaders", data, `[{'level': 1, 'text': 'Title', 'index': 0}, {'level': 2, 'text': 'Section *one*', 'index': 1}]`},
		{"ExtractHeaders", `{"markdown":"# a\n## b\n### c","max_level":2}`, `[{'level': 1, 'text': 'a', 'index': 0}, {'level': 2, 'text': 'b', 'index': 1}]`},
		{"ExtractBulletLists", data, `[[{'text': 'first'}, {'text': 'second'}, {'text': 'third'}], [{'text': 'again'}]]`},
		{"ExtractNumberedLists", data, `[['one', 'two', 'ten'], ['three']]`},
		{"ExtractCodeBlocks", data, `[{'language': 'go', 'code': 'fmt.Println("hi")'}, {'language': 'text', 'code': 'plain'}]`},
		{"ExtractTables", data, `{'type': 'dataframe', 'uri': '', 'asset_id': None, 'data': [['Ada', '36'], ['Alan', '41', 'extra']], 'metadata': None, ` +
			`'columns': [{'name': 'Name', 'data_type': 'string', 'description': ''}, {'name': 'Age', 'data_type': 'string', 'description': ''}]}`},
		{"ExtractTables", `{"markdown":"| a |\n|---|"}`, `{'type': 'dataframe', 'uri': '', 'asset_id': None, 'data': [], 'metadata': None, 'columns': []}`},
		{"ExtractBulletLists", `{"markdown":""}`, `[]`},
	})
}

func TestMarkdownBudgets(t *testing.T) {
	nodetest.RunBudgetCases(t, "lib.markdown.", []nodetest.BudgetCase{
		{"links", "ExtractLinks", `{"markdown":` + nodetest.JS(nodetest.Rep("[a](b)", 20000)) + `}`, ""},
		{"bullets", "ExtractBulletLists", `{"markdown":` + nodetest.JS(nodetest.Rep("- x\n", 20000)) + `}`, ""},
		{"headers", "ExtractHeaders", `{"markdown":` + nodetest.JS(nodetest.Rep("# h\n", 20000)) + `}`, ""},
		{"small", "ExtractNumberedLists", `{"markdown":"1. a"}`, "[['a']]"},
	})
}
