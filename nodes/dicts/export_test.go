package dicts

import (
	"nodetool/engine"
	"nodetool/lang/pyval"
)

// Names the external tests use.
var DictKeyList = dictKeyList
var ParseDictQuery = parseDictQuery

// Match is dictQuery.match, for the query tests.
func (q *dictQuery) Match(ctx *engine.Ctx, row *pyval.Dict) (bool, error) { return q.match(ctx, row) }

const MaxQueryDepth = maxQueryDepth
