package llm

import "nodetool/lang/pyval"

// Names the external tests use.
const AgentMaxTurns = agentMaxTurns
const AgentMaxControlCalls = agentMaxControlCalls
const DefaultSummarizerPrompt = defaultSummarizerPrompt
const DefaultExtractorPrompt = defaultExtractorPrompt

var ClassifyAnswer = classifyAnswer
var Similarity = similarity

const ListSystemPrompt = listSystemPrompt

var TakeListItems = takeListItems

// ParseTable is parseMarkdownTable with columns given as (name, type) pairs.
func ParseTable(text string, cols [][2]string) ([]*pyval.Dict, error) {
	cs := make([]column, len(cols))
	for i, c := range cols {
		cs[i] = column{name: c[0], dataType: c[1]}
	}
	return parseMarkdownTable(nil, text, cs)
}
