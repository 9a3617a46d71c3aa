package text_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
)

// txtStream feeds the items of a list through a ForEach into node typ and
// returns everything its "output" slot produced. Each edge names a ForEach
// slot and the target handle, in delivery order.
func txtStream(t *testing.T, typ, itemsJSON, dataJSON string, edges ...[2]string) ([]any, *engine.Result) {
	t.Helper()
	var es []string
	for i, e := range edges {
		es = append(es, fmt.Sprintf(`{"id":"e%d","source":"src","sourceHandle":%q,"target":"n","targetHandle":%q}`, i, e[0], e[1]))
	}
	es = append(es, `{"id":"eo","source":"n","sourceHandle":"output","target":"out","targetHandle":"value"}`)
	g := fmt.Sprintf(`{"nodes":[
		{"id":"src","type":"nodetool.control.ForEach","data":{"input_list":%s}},
		{"id":"n","type":%q,"data":%s},
		{"id":"out","type":"nodetool.output.Output","data":{"name":"output"}}],
		"edges":[%s]}`, itemsJSON, typ, dataJSON, strings.Join(es, ","))
	res, _ := nodetest.RunGraph(t, g, "")
	return res.Outputs["output"], res
}

func TestTextConcatJoinReplace(t *testing.T) {
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"Concat", `{"a":"foo","b":"bar"}`, `'foobar'`},
		{"Concat", `{}`, `''`},
		{"Concat", `{"a":"é","b":"日本"}`, `'é日本'`},
		{"Join", `{"strings":["a","b","c"],"separator":", "}`, `'a, b, c'`},
		{"Join", `{"strings":[1,2.5,true,null,"x",[1,"a"],{"k":"v"}],"separator":"|"}`, `"1|2.5|True|None|x|[1, 'a']|{'k': 'v'}"`},
		{"Join", `{"strings":[]}`, `''`},
		{"Join", `{"strings":["only"]}`, `'only'`},
		{"Replace", `{"text":"a-b-c","old":"-","new":"+"}`, `'a+b+c'`},
		{"Replace", `{"text":"abc","old":"","new":"-"}`, `'-a-b-c-'`},
		{"Replace", `{"text":"aaa","old":"aa","new":"b"}`, `'ba'`},
		{"Replace", `{"text":"","old":"x","new":"y"}`, `''`},
		{"Replace", `{"text":"café café","old":"é","new":"e"}`, `'cafe cafe'`},
	})
}

func TestTextSplitExtractSlice(t *testing.T) {
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"Split", `{"text":"a,b,,c"}`, `['a', 'b', '', 'c']`},
		{"Split", `{"text":"a::b","delimiter":"::"}`, `['a', 'b']`},
		{"Split", `{"text":""}`, `['']`},
		{"Split", `{"text":"é|日|x","delimiter":"|"}`, `['é', '日', 'x']`},
		{"Extract", `{"text":"hello world","start":0,"end":5}`, `'hello'`},
		{"Extract", `{"text":"hello","start":1}`, `''`},
		{"Extract", `{"text":"hello","start":-3,"end":-1}`, `'ll'`},
		{"Extract", `{"text":"héllo","start":1,"end":3}`, `'él'`},
		{"Extract", `{"text":"abc","start":2,"end":100}`, `'c'`},
		{"Extract", `{"text":"abc","start":5,"end":1}`, `''`},
		{"Slice", `{"text":"abcdef","start":1,"stop":-1}`, `'bcde'`},
		{"Slice", `{"text":"abcdef","start":-3}`, `''`},
		{"Slice", `{"text":"abcdef","start":0,"stop":6,"step":2}`, `'ace'`},
		{"Slice", `{"text":"abcdef","start":5,"stop":0,"step":-2}`, `'fdb'`},
		{"Slice", `{"text":"abcdef","start":-1,"stop":-7,"step":-1}`, `'fedcba'`},
		{"Slice", `{"text":"日本語テキスト","start":2,"stop":4}`, `'語テ'`},
		{"Slice", `{"text":"","start":0,"stop":3}`, `''`},
	})
	nodetest.RunErrCases(t, "nodetool.text.", []nodetest.Case{
		{"Split", `{"text":"abc","delimiter":""}`, "delimiter is empty"},
		{"Slice", `{"text":"abc","stop":2,"step":0}`, "step is 0"},
	})
}

func TestTextChunk(t *testing.T) {
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"Chunk", `{"text":"a b c d e","length":2}`, `['a b', 'c d', 'e']`},
		{"Chunk", `{"text":"a b c d e","length":3,"overlap":1}`, `['a b c', 'c d e', 'e']`},
		{"Chunk", `{"text":"a,b,c","length":2,"separator":","}`, `['a b', 'c']`},
		{"Chunk", `{"text":"","length":5}`, `['']`},
		{"Chunk", `{"text":"one","length":100}`, `['one']`},
		{"Chunk", `{"text":"a b c d e f","length":2,"overlap":-1}`, `['a b', 'd e']`},
	})
	nodetest.RunErrCases(t, "nodetool.text.", []nodetest.Case{
		{"Chunk", `{"text":"a b","length":2,"overlap":2}`, "overlap (2) must be smaller than length (2)"},
		{"Chunk", `{"text":"a b","length":2,"overlap":5}`, "overlap (5) must be smaller"},
		{"Chunk", `{"text":"a b","length":0}`, "length must be at least 1"},
		{"Chunk", `{"text":"a b","separator":""}`, "separator is empty"},
	})
}

func TestTextRegexNodes(t *testing.T) {
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"ExtractRegex", `{"text":"John Smith, 42","regex":"(\\w+) (\\w+), (\\d+)"}`, `['John', 'Smith', '42']`},
		{"ExtractRegex", `{"text":"no digits","regex":"(\\d+)"}`, `[]`},
		{"ExtractRegex", `{"text":"ab","regex":"(a)|(b)"}`, `['a', None]`},
		{"ExtractRegex", `{"text":"x\nABC","regex":"^(a.c)$","ignorecase":true,"multiline":true}`, `['ABC']`},
		{"ExtractRegex", `{"text":"a\nc","regex":"(a.c)","dotall":true}`, `['a\nc']`},
		{"ExtractRegex", `{"text":"a\nc","regex":"(a.c)"}`, `[]`},
		{"ExtractRegex", `{"text":"abc","regex":"abc"}`, `[]`},
		{"FindAllRegex", `{"text":"café au lait 日本 x_1","regex":"\\w+"}`, `['café', 'au', 'lait', '日本', 'x_1']`},
		{"FindAllRegex", `{"text":"a1b","regex":"(\\w)(\\d)?"}`, `[['a', '1'], ['b', '']]`},
		{"FindAllRegex", `{"text":"k=1, j=2","regex":"(\\w)=\\d"}`, `['k', 'j']`},
		{"FindAllRegex", `{"text":"abxd","regex":"x*"}`, `['', '', 'x', '', '']`},
		{"FindAllRegex", `{"text":"a١٢3b","regex":"\\d+"}`, `['١٢3']`},
		{"FindAllRegex", `{"text":"AbA","regex":"a","ignorecase":true}`, `['A', 'A']`},
		{"FindAllRegex", `{"text":"","regex":"a"}`, `[]`},
		{"RegexMatch", `{"text":"a1 b22 c333","pattern":"[a-z](\\d+)"}`, `['a1', 'b22', 'c333']`},
		{"RegexMatch", `{"text":"a1 b22 c333","pattern":"[a-z](\\d+)","group":1}`, `['1', '22', '333']`},
		{"RegexMatch", `{"text":"ab","pattern":"(a)|(b)","group":2}`, `[None, 'b']`},
		{"RegexMatch", `{"text":"none","pattern":"(\\d)","group":5}`, `[]`},
		{"RegexMatch", `{"text":"x@y.z","pattern":"(?P<user>\\w+)@","group":1}`, `['x']`},
		{"RegexReplace", `{"text":"me@host you@there","pattern":"(?P<w>\\w+)@(\\w+)","replacement":"\\2 at \\g<w>"}`, `'host at me there at you'`},
		{"RegexReplace", `{"text":"abxd","pattern":"x*","replacement":"-"}`, `'-a-b--d-'`},
		{"RegexReplace", `{"text":"aaa","pattern":"a","replacement":"b","count":2}`, `'bba'`},
		{"RegexReplace", `{"text":"aaa","pattern":"a","replacement":"b","count":-1}`, `'aaa'`},
		{"RegexReplace", `{"text":"bab","pattern":"a","replacement":"\\n"}`, `'b\nb'`},
		{"RegexReplace", `{"text":"bab","pattern":"a","replacement":"\\&"}`, `'b\\&b'`},
		{"RegexReplace", `{"text":"ab","pattern":"(a)|b","replacement":"[\\1]"}`, `'[a][]'`},
		{"RegexReplace", `{"text":"a b","pattern":"\\s","replacement":"$1"}`, `'a$1b'`},
		{"RegexReplace", `{"text":"abc","pattern":"","replacement":"-"}`, `'-a-b-c-'`},
		{"RegexReplace", `{"text":"2024-01-05","pattern":"(\\d+)-(\\d+)-(\\d+)","replacement":"\\3/\\2/\\1"}`, `'05/01/2024'`},
		{"RegexSplit", `{"text":"a, b;c","pattern":"[,;]\\s*"}`, `['a', 'b', 'c']`},
		{"RegexSplit", `{"text":"a,b,c","pattern":"(,)","maxsplit":1}`, `['a', ',', 'b,c']`},
		{"RegexSplit", `{"text":"axbc","pattern":"x*"}`, `['', 'a', '', 'b', 'c', '']`},
		{"RegexSplit", `{"text":"a b","pattern":"\\s*"}`, `['', 'a', '', 'b', '']`},
		{"RegexSplit", `{"text":"hi there","pattern":"\\b"}`, `['', 'hi', ' ', 'there', '']`},
		{"RegexSplit", `{"text":"a1b","pattern":"\\d","maxsplit":-1}`, `['a1b']`},
		{"RegexSplit", `{"text":"","pattern":","}`, `['']`},
		{"RegexValidate", `{"text":"123abc","pattern":"\\d+"}`, `True`},
		{"RegexValidate", `{"text":"abc123","pattern":"\\d+"}`, `False`},
		{"RegexValidate", `{"text":"abc","pattern":"abc$"}`, `True`},
		{"RegexValidate", `{"text":"anything","pattern":""}`, `True`},
		{"RegexValidate", `{"text":"é","pattern":"\\u00e9"}`, `True`},
		{"RegexValidate", `{"text":"ab","pattern":"a{,2}b"}`, `True`},
		{"RegexValidate", `{"text":"x{","pattern":"x{"}`, `True`},
		{"RegexValidate", `{"text":"ABC","pattern":"(?i)abc"}`, `True`},
		{"RegexValidate", `{"text":"abc","pattern":"a(?#comment)bc"}`, `True`},
		{"RegexValidate", `{"text":"\u3000","pattern":"\\s"}`, `True`},
		{"RegexValidate", `{"text":"a","pattern":"(?a)\\w"}`, `True`},
		{"RegexValidate", `{"text":"é","pattern":"(?a)\\w"}`, `False`},
		{"RegexValidate", `{"text":"end","pattern":"end\\Z"}`, `True`},
	})
	nodetest.RunErrCases(t, "nodetool.text.", []nodetest.Case{
		{"ExtractRegex", `{"text":"x","regex":"("}`, `invalid regex "(": missing closing )`},
		{"FindAllRegex", `{"text":"x","regex":"foo(?=bar)"}`, "look-around, which is not supported: (?=...)"},
		{"RegexReplace", `{"text":"x","pattern":"(?<!a)b"}`, "look-around, which is not supported: (?<!...)"},
		{"RegexSplit", `{"text":"x","pattern":"(a)\\1"}`, "backreference (\\1)"},
		{"RegexValidate", `{"text":"x","pattern":"(?P<n>a)(?P=n)"}`, "backreference (?P=name)"},
		{"RegexMatch", `{"text":"x","pattern":"a++"}`, "possessive quantifier"},
		{"RegexMatch", `{"text":"x","pattern":"(?>a)"}`, "atomic group"},
		{"RegexMatch", `{"text":"x","pattern":"(?x) a"}`, "verbose mode"},
		{"RegexMatch", `{"text":"x","pattern":"\\q"}`, `bad escape \q`},
		{"RegexMatch", `{"text":"x","pattern":"[a"}`, "unterminated character set"},
		{"RegexMatch", `{"text":"a1","pattern":"(a)","group":3}`, "group 3 does not exist: the pattern has 1 group(s)"},
		{"RegexReplace", `{"text":"a","pattern":"a","replacement":"\\2"}`, "group 2 is referenced but the pattern has 0 group(s)"},
		{"RegexReplace", `{"text":"a","pattern":"(a)","replacement":"\\g<nope>"}`, `unknown group name "nope"`},
		{"RegexReplace", `{"text":"a","pattern":"a","replacement":"\\"}`, "bad escape (end of pattern)"},
		{"RegexReplace", `{"text":"a","pattern":"a","replacement":"\\q"}`, `bad escape \q`},
	})
}

func TestTextJSONNodes(t *testing.T) {
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"ParseJSON", `{"text":"{\"a\": [1, 2.5, null, true]}"}`, `{'a': [1, 2.5, None, True]}`},
		{"ParseJSON", `{"text":" \"héllo\" "}`, `'héllo'`},
		{"ParseJSON", `{"text":"42"}`, `42`},
		{"ExtractJSON", `{"text":"{\"a\": 1, \"b\": 2}"}`, `1`},
		{"ExtractJSON", `{"text":"{\"a\": 1, \"b\": 2}","find_all":true}`, `[1, 2]`},
		{"ExtractJSON", `{"text":"{\"items\": [{\"n\": \"x\"}, {\"n\": \"y\"}]}","json_path":"$.items[1].n"}`, `'y'`},
		{"ExtractJSON", `{"text":"{\"items\": [{\"n\": \"x\"}, {\"n\": \"y\"}]}","json_path":"$..n","find_all":true}`, `['x', 'y']`},
		{"ExtractJSON", `{"text":"{\"items\": [1, 2, 3]}","json_path":"$.items[-1]"}`, `3`},
		{"ExtractJSON", `{"text":"[1, 2, 3]","json_path":"$.*","find_all":true}`, `[]`},
		{"ExtractJSON", `{"text":"{\"a\": {\"b\": 5}}","json_path":"a.b"}`, `5`},
	})
	nodetest.RunErrCases(t, "nodetool.text.", []nodetest.Case{
		{"ParseJSON", `{"text":""}`, "invalid JSON: the text is empty"},
		{"ParseJSON", `{"text":"{\"a\": }"}`, "invalid JSON"},
		{"ParseJSON", `{"text":"[1] x"}`, "invalid JSON"},
		{"ExtractJSON", `{"text":"{bad","json_path":"$.a"}`, "invalid JSON"},
		{"ExtractJSON", `{"text":"{\"a\": 1}","json_path":"$.b"}`, `the JSONPath "$.b" matches nothing in the JSON`},
		{"ExtractJSON", `{"text":"[1, 2]"}`, `the JSONPath "$.*" matches nothing`},
		{"ExtractJSON", `{"text":"[1]","json_path":"$[?(@.a)]"}`, "filter expressions [?(...)] are not supported"},
	})
}

func TestTextCompareNodes(t *testing.T) {
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"Compare", `{"text_a":"apple","text_b":"banana"}`, `'less'`},
		{"Compare", `{"text_a":"b","text_b":"a"}`, `'greater'`},
		{"Compare", `{"text_a":"Apple","text_b":"apple"}`, `'less'`},
		{"Compare", `{"text_a":"Apple","text_b":"apple","case_sensitive":false}`, `'equal'`},
		{"Compare", `{"text_a":" x ","text_b":"x","trim_whitespace":true}`, `'equal'`},
		{"Compare", `{"text_a":"é","text_b":"z"}`, `'greater'`},
		{"Compare", `{}`, `'equal'`},
		{"Equals", `{"text_a":"a","text_b":"a"}`, `True`},
		{"Equals", `{"text_a":"A","text_b":"a"}`, `False`},
		{"Equals", `{"text_a":"ÉCOLE","text_b":"école","case_sensitive":false}`, `True`},
		{"Equals", `{"text_a":"\ta\u00a0","text_b":"a","trim_whitespace":true}`, `True`},
		{"StartsWith", `{"text":"hello","prefix":"he"}`, `True`},
		{"StartsWith", `{"text":"hello","prefix":"lo"}`, `False`},
		{"StartsWith", `{"text":"","prefix":""}`, `True`},
		{"EndsWith", `{"text":"file.txt","suffix":".txt"}`, `True`},
		{"EndsWith", `{"text":"file.txt","suffix":".md"}`, `False`},
		{"Contains", `{"text":"hello world","substring":"world"}`, `True`},
		{"Contains", `{"text":"hello","substring":""}`, `True`},
		{"Contains", `{"text":"Hello","substring":"hello"}`, `False`},
		{"Contains", `{"text":"Hello","substring":"hello","case_sensitive":false}`, `True`},
		{"Contains", `{"text":"a b c","search_values":["a","z"]}`, `True`},
		{"Contains", `{"text":"a b c","search_values":["a","z"],"match_mode":"all"}`, `False`},
		{"Contains", `{"text":"a b c","search_values":["a","b"],"match_mode":"all"}`, `True`},
		{"Contains", `{"text":"a b c","search_values":["x","z"],"match_mode":"none"}`, `True`},
		{"Contains", `{"text":"a b c","substring":"a","match_mode":"none"}`, `False`},
		{"IndexOf", `{"text":"hello hello","substring":"hello"}`, `0`},
		{"IndexOf", `{"text":"hello hello","substring":"hello","search_from_end":true}`, `6`},
		{"IndexOf", `{"text":"hello","substring":"x"}`, `-1`},
		{"IndexOf", `{"text":"Hello","substring":"h","case_sensitive":false}`, `0`},
		{"IndexOf", `{"text":"hello hello","substring":"hello","start_index":1}`, `6`},
		{"IndexOf", `{"text":"hello hello","substring":"hello","start_index":1,"end_index":8}`, `-1`},
		{"IndexOf", `{"text":"hello","substring":"l","end_index":-2}`, `2`},
		{"IndexOf", `{"text":"héllo wörld","substring":"w"}`, `6`},
		{"IndexOf", `{"text":"abc","substring":"","start_index":3}`, `3`},
		{"IndexOf", `{"text":"abc","substring":"","start_index":4}`, `-1`},
		{"IsEmpty", `{"text":""}`, `True`},
		{"IsEmpty", `{"text":"  \n\t"}`, `True`},
		{"IsEmpty", `{"text":"  ","trim_whitespace":false}`, `False`},
		{"IsEmpty", `{"text":"x"}`, `False`},
		{"HasLength", `{"text":"abc"}`, `True`},
		{"HasLength", `{"text":"abc","exact_length":3}`, `True`},
		{"HasLength", `{"text":"abc","exact_length":2}`, `False`},
		{"HasLength", `{"text":"abc","min_length":2,"max_length":5}`, `True`},
		{"HasLength", `{"text":"a","min_length":2}`, `False`},
		{"HasLength", `{"text":"abcdef","max_length":5}`, `False`},
		{"HasLength", `{"text":"日本語","exact_length":3}`, `True`},
		{"HasLength", `{"text":"","min_length":1}`, `False`},
	})
}

func TestTextTransformNodes(t *testing.T) {
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"ToUppercase", `{"text":"hello ß é"}`, `'HELLO SS É'`},
		{"ToUppercase", `{"text":""}`, `''`},
		{"ToLowercase", `{"text":"HELLO É"}`, `'hello é'`},
		{"ToLowercase", `{"text":"ΟΔΟΣ ΣΑΣ"}`, `'οδος σας'`},
		{"ToTitlecase", `{"text":"hello wORLD 3rd they're"}`, `"Hello World 3Rd They'Re"`},
		{"ToTitlecase", `{"text":"ǆemal ﬁne"}`, `'ǅemal Fine'`},
		{"CapitalizeText", `{"text":"hello WORLD"}`, `'Hello world'`},
		{"CapitalizeText", `{"text":"ßa"}`, `'Ssa'`},
		{"CapitalizeText", `{"text":""}`, `''`},
		{"TrimWhitespace", `{"text":"  a b \n"}`, `'a b'`},
		{"TrimWhitespace", `{"text":"  a  ","trim_end":false}`, `'a  '`},
		{"TrimWhitespace", `{"text":"  a  ","trim_start":false}`, `'  a'`},
		{"TrimWhitespace", `{"text":"  a  ","trim_start":false,"trim_end":false}`, `'  a  '`},
		{"TrimWhitespace", `{"text":"\u001c\u00a0a\u3000"}`, `'a'`},
		{"CollapseWhitespace", `{"text":"  a  b\n\n c  "}`, `'a b c'`},
		{"CollapseWhitespace", `{"text":"a \t b\n\nc","preserve_newlines":true}`, `'a b\n\nc'`},
		{"CollapseWhitespace", `{"text":" a  b ","trim_edges":false,"replacement":"_"}`, `'_a_b_'`},
		{"CollapseWhitespace", `{"text":"a  b","replacement":"\\n"}`, `'a\nb'`},
		{"CollapseWhitespace", `{"text":"a\u00a0\u2003b"}`, `'a b'`},
		{"RemovePunctuation", `{"text":"Hello, world! (ok)"}`, `'Hello world ok'`},
		{"RemovePunctuation", `{"text":"a.b","replacement":" "}`, `'a b'`},
		{"RemovePunctuation", `{"text":"a.b-c","punctuation":"-"}`, `'a.bc'`},
		{"RemovePunctuation", `{"text":"¡Hola!"}`, `'¡Hola'`},
		{"StripAccents", `{"text":"Crème Brûlée Łódź Ærø ﬁ ½ Ｈｅｌｌｏ ǅ Ελληνικά Йога"}`, `'Creme Brulee Łodz Ærø fi 1⁄2 Hello Dz Ελληνικα Иога'`},
		{"StripAccents", `{"text":"Crème Brûlée Łódź Ærø ﬁ","preserve_non_ascii":false}`, `'Creme Brulee odz r fi'`},
		{"StripAccents", `{"text":"e\u0301"}`, `'e'`},
		{"StripAccents", `{"text":"한"}`, "'\u1112\u1161\u11ab'"}, // Hangul decomposes into jamo
		{"StripAccents", `{"text":"हिन्दी"}`, `'हिनदी'`},
		{"StripAccents", `{"text":""}`, `''`},
		{"Slugify", `{"text":"Hello, World! Ça va?"}`, `'hello-world-ca-va'`},
		{"Slugify", `{"text":"  --Hello__World--  ","separator":"_"}`, `'hello_world'`},
		{"Slugify", `{"text":"Ünïcode Straße 日本","allow_unicode":true}`, `'unicode-straße-日本'`},
		{"Slugify", `{"text":"A B","separator":"","lowercase":false}`, `'AB'`},
		{"Slugify", `{"text":"日本"}`, `''`},
		{"Slugify", `{"text":"a b","separator":"\\n"}`, `'a\nb'`},
		{"SurroundWith", `{"text":"x","prefix":"(","suffix":")"}`, `'(x)'`},
		{"SurroundWith", `{"text":"(x)","prefix":"(","suffix":")"}`, `'(x)'`},
		{"SurroundWith", `{"text":"(x)","prefix":"(","suffix":")","skip_if_wrapped":false}`, `'((x))'`},
		{"SurroundWith", `{"text":"","prefix":"\"","suffix":"\""}`, `'""'`},
		{"TruncateText", `{"text":"hello world","max_length":5}`, `'hello'`},
		{"TruncateText", `{"text":"hello world","max_length":8,"ellipsis":"..."}`, `'hello...'`},
		{"TruncateText", `{"text":"hi","max_length":5,"ellipsis":"..."}`, `'hi'`},
		{"TruncateText", `{"text":"hello","max_length":0,"ellipsis":"..."}`, `'...'`},
		{"TruncateText", `{"text":"hello","max_length":0}`, `''`},
		{"TruncateText", `{"text":"hello","max_length":2,"ellipsis":"..."}`, `'he'`},
		{"TruncateText", `{"text":"日本語テキスト","max_length":3}`, `'日本語'`},
		{"PadText", `{"text":"ab","length":5}`, `'ab   '`},
		{"PadText", `{"text":"ab","length":5,"pad_character":"*","direction":"left"}`, `'***ab'`},
		{"PadText", `{"text":"ab","length":5,"pad_character":"-","direction":"both"}`, `'-ab--'`},
		{"PadText", `{"text":"abcdef","length":3}`, `'abcdef'`},
		{"PadText", `{"text":"é","length":3,"pad_character":"·"}`, `'é··'`},
		{"ToString", `{"value":[1,"a",null]}`, `"[1, 'a', None]"`},
		{"ToString", `{"value":"text"}`, `'text'`},
		{"ToString", `{"value":"text","mode":"repr"}`, `"'text'"`},
		{"ToString", `{"value":{"k":1.0,"b":false}}`, `"{'k': 1.0, 'b': False}"`},
		{"ToString", `{"value":1e-05}`, `'1e-05'`},
		{"ToString", `{}`, `'()'`},
		{"ToString", `{"value":[]}`, `'()'`},
		{"ToString", `{"value":"it's","mode":"repr"}`, `'"it\'s"'`},
	})
	nodetest.RunErrCases(t, "nodetool.text.", []nodetest.Case{
		{"PadText", `{"text":"a","length":3,"pad_character":"ab"}`, `pad_character must be a single character, got "ab"`},
		{"PadText", `{"text":"a","length":3,"pad_character":""}`, "pad_character must be a single character"},
		{"CollapseWhitespace", `{"text":"a b","replacement":"\\"}`, "bad escape"},
	})
}

func TestTextLength(t *testing.T) {
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"Length", `{"text":"héllo"}`, `5`},
		{"Length", `{"text":"  ab  ","trim_whitespace":true}`, `2`},
		{"Length", `{"text":"a b  c\n\nd","measure":"words"}`, `4`},
		{"Length", `{"text":"","measure":"words"}`, `0`},
		{"Length", `{"text":"l1\nl2\r\nl3\n\nl5","measure":"lines"}`, `5`},
		{"Length", `{"text":"l1\n\nl3\n","measure":"lines","trim_whitespace":true}`, `2`},
		{"Length", `{"text":"x\n","measure":"lines"}`, `1`},
		{"Length", `{"text":"","measure":"lines"}`, `0`},
	})
}

func TestTextCollectStreams(t *testing.T) {
	got, res := txtStream(t, "nodetool.text.Collect", `["a","b","c"]`, `{"separator":", "}`, [2]string{"output", "input_item"})
	if res.Status != engine.StatusCompleted || nodetest.Repr(got) != `['a, b, c']` {
		t.Errorf("Collect(a,b,c) = %s (%s %s), want ['a, b, c']", nodetest.Repr(got), res.Status, res.Error)
	}
	// A single item is kept (quirk Q3 fixed).
	got, _ = txtStream(t, "nodetool.text.Collect", `["only"]`, `{}`, [2]string{"output", "input_item"})
	if nodetest.Repr(got) != `['only']` {
		t.Errorf("Collect(only) = %s, want ['only']", nodetest.Repr(got))
	}
	// An empty stream gives one empty text.
	got, _ = txtStream(t, "nodetool.text.Collect", `[]`, `{}`, [2]string{"output", "input_item"})
	if nodetest.Repr(got) != `['']` {
		t.Errorf("Collect() = %s, want ['']", nodetest.Repr(got))
	}
	// Items that are not text fail with a clear error.
	_, res = txtStream(t, "nodetool.text.Collect", `[1]`, `{}`, [2]string{"output", "input_item"})
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, `input "input_item" expects str, got int`) {
		t.Errorf("Collect([1]) = %s %q, want a type error", res.Status, res.Error)
	}
	// The separator may arrive on the stream too; the last one wins.
	got, _ = txtStream(t, "nodetool.text.Collect", `["x","y"]`, `{}`, [2]string{"output", "input_item"}, [2]string{"output", "separator"})
	if nodetest.Repr(got) != `['xyy']` {
		t.Errorf("Collect(x,y with separator stream) = %s, want ['xyy']", nodetest.Repr(got))
	}
}

func TestTextFilterString(t *testing.T) {
	cases := []struct {
		items, data, want string
	}{
		{`["apple","banana","grape"]`, `{"criteria":"ap"}`, `['apple', 'grape']`},
		{`["apple","banana","grape"]`, `{"filter_type":"starts_with","criteria":"b"}`, `['banana']`},
		{`["apple","banana","grape"]`, `{"filter_type":"ends_with","criteria":"e"}`, `['apple', 'grape']`},
		{`["a","bb","ccc"]`, `{"filter_type":"length_greater","criteria":"1"}`, `['bb', 'ccc']`},
		{`["a","bb","ccc"]`, `{"filter_type":"length_less","criteria":" 3 "}`, `['a', 'bb']`},
		{`["a","bb","日本"]`, `{"filter_type":"exact_length","criteria":"2"}`, `['bb', '日本']`},
		{`["a","bb"]`, `{"filter_type":"exact_length","criteria":"two"}`, `[]`},
		{`["a",1,"b",null]`, `{"criteria":""}`, `['a', 'b']`},
		{`[]`, `{"criteria":"x"}`, `[]`},
	}
	for _, c := range cases {
		got, res := txtStream(t, "nodetool.text.FilterString", c.items, c.data, [2]string{"output", "value"})
		if res.Status != engine.StatusCompleted || nodetest.Repr(got) != c.want {
			t.Errorf("FilterString(%s, %s) = %s (%s %s), want %s", c.items, c.data, nodetest.Repr(got), res.Status, res.Error, c.want)
		}
	}
	// The criteria changes mid-stream: each item is tested against the
	// criteria in force when it arrives (value edge first, then criteria).
	got, _ := txtStream(t, "nodetool.text.FilterString", `["a","ab","b","xa"]`, `{}`, [2]string{"output", "value"}, [2]string{"output", "criteria"})
	if nodetest.Repr(got) != `['a', 'ab']` {
		t.Errorf("FilterString(mid-stream criteria) = %s, want ['a', 'ab']", nodetest.Repr(got))
	}
	// Without an edge on value, the configured value is filtered once.
	if got := nodetest.Output(t, "nodetool.text.FilterString", `{"value":"hello","criteria":"ell"}`, "output"); got != "hello" {
		t.Errorf("FilterString(static hello) = %v, want hello", got)
	}
	if outs, _ := nodetest.RunNode(t, "nodetool.text.FilterString", `{"value":"hello","criteria":"x"}`); len(outs["output"]) != 0 {
		t.Errorf("FilterString(static hello, x) = %v, want nothing", outs["output"])
	}
}

func TestTextFilterRegexString(t *testing.T) {
	cases := []struct {
		items, data, want string
	}{
		{`["cat","dog","catalog"]`, `{"pattern":"^cat"}`, `['cat', 'catalog']`},
		{`["cat","dog","catalog"]`, `{"pattern":"cat","full_match":true}`, `['cat']`},
		{`["a1","b","c22"]`, `{"pattern":"\\d"}`, `['a1', 'c22']`},
		{`["a|b","ab"]`, `{"pattern":"a|b","full_match":true}`, `[]`},
		{`["x","y"]`, `{"pattern":"("}`, `[]`},
		{`["x","y"]`, `{"pattern":""}`, `['x', 'y']`},
	}
	for _, c := range cases {
		got, res := txtStream(t, "nodetool.text.FilterRegexString", c.items, c.data, [2]string{"output", "value"})
		if res.Status != engine.StatusCompleted || nodetest.Repr(got) != c.want {
			t.Errorf("FilterRegexString(%s, %s) = %s (%s %s), want %s", c.items, c.data, nodetest.Repr(got), res.Status, res.Error, c.want)
		}
	}
	// The pattern changes mid-stream.
	got, _ := txtStream(t, "nodetool.text.FilterRegexString", `["a","ab","b"]`, `{"pattern":"a"}`, [2]string{"output", "value"}, [2]string{"output", "pattern"})
	if nodetest.Repr(got) != `['a', 'ab']` {
		t.Errorf("FilterRegexString(mid-stream pattern) = %s, want ['a', 'ab']", nodetest.Repr(got))
	}
	// Python-only syntax is an error, not a silent "nothing matches".
	_, res := txtStream(t, "nodetool.text.FilterRegexString", `["x"]`, `{"pattern":"(?=x)"}`, [2]string{"output", "value"})
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "look-around") {
		t.Errorf("FilterRegexString(look-ahead) = %s %q, want a look-around error", res.Status, res.Error)
	}
	if got := nodetest.Output(t, "nodetool.text.FilterRegexString", `{"value":"abc","pattern":"b"}`, "output"); got != "abc" {
		t.Errorf("FilterRegexString(static abc) = %v, want abc", got)
	}
}

func TestTextUnsupportedNodesAreNotRegistered(t *testing.T) {
	for _, typ := range []string{"CountTokens", "Embedding"} {
		if _, ok := nodetest.Registry().Lookup("nodetool.text." + typ); ok {
			t.Errorf("Lookup(nodetool.text.%s) found a node, want it unregistered", typ)
		}
	}
}

// TestTextBudgets runs each text node that builds a value its inputs size
// with a bomb (it must fail with max-value, in the node, before building
// the value) and with a normal input (it must still work), within 64 KiB
// values.
func TestTextBudgets(t *testing.T) {
	big := nodetest.Rep("x", 40000)
	nodetest.RunBudgetCases(t, "nodetool.text.", []nodetest.BudgetCase{
		{"Concat bomb", "Concat", `{"a":` + nodetest.JS(big) + `,"b":` + nodetest.JS(big) + `}`, ""},
		{"Concat", "Concat", `{"a":"x","b":"y"}`, `'xy'`},
		{"Join items", "Join", `{"strings":[` + nodetest.JS(big) + `,` + nodetest.JS(big) + `]}`, ""},
		{"Join separator", "Join", `{"strings":[` + nodetest.Rep(`"a",`, 100) + `"a"],"separator":` + nodetest.JS(nodetest.Rep("-", 1000)) + `}`, ""},
		{"Join list items", "Join", `{"strings":[[` + nodetest.JS(big) + `],[` + nodetest.JS(big) + `]]}`, ""},
		{"Join", "Join", `{"strings":["a",1,["b"]],"separator":"-"}`, `"a-1-['b']"`},
		{"Replace empty old", "Replace", `{"text":` + nodetest.JS(nodetest.Rep("x", 1000)) + `,"old":"","new":` + nodetest.JS(nodetest.Rep("y", 100)) + `}`, ""},
		{"Replace growth", "Replace", `{"text":` + nodetest.JS(nodetest.Rep("ab", 1000)) + `,"old":"a","new":` + nodetest.JS(nodetest.Rep("y", 100)) + `}`, ""},
		{"Replace", "Replace", `{"text":"abc","old":"","new":"-"}`, `'-a-b-c-'`},
		{"Split items", "Split", `{"text":` + nodetest.JS(nodetest.Rep(",", 5000)) + `,"delimiter":","}`, ""},
		{"Split", "Split", `{"text":"a,b","delimiter":","}`, `['a', 'b']`},
		{"Chunk overlap", "Chunk", `{"text":` + nodetest.JS(nodetest.Rep("a ", 2000)) + `,"length":1000,"overlap":999}`, ""},
		{"Chunk", "Chunk", `{"text":"a b c d e","length":2,"overlap":1}`, `['a b', 'b c', 'c d', 'd e', 'e']`},
		{"Chunk negative overlap", "Chunk", `{"text":"a b c d e","length":1,"overlap":-9223372036854775807}`, `['a']`},
		{"ToUppercase growth", "ToUppercase", `{"text":` + nodetest.JS(nodetest.Rep("ΐ", 20000)) + `}`, ""},
		{"ToUppercase", "ToUppercase", `{"text":"straße ΐ"}`, "'STRASSE \u0399\u0308\u0301'"},
		{"ToLowercase", "ToLowercase", `{"text":"ΟΔΟΣ ΣΑ"}`, `'οδος σα'`},
		{"ToTitlecase growth", "ToTitlecase", `{"text":` + nodetest.JS(nodetest.Rep("ΐ ", 20000)) + `}`, ""},
		{"CapitalizeText", "CapitalizeText", `{"text":"ﬃx ΣΑΣ"}`, `'Ffix σας'`},
		{"CollapseWhitespace replacement", "CollapseWhitespace", `{"text":` + nodetest.JS(nodetest.Rep("a ", 2000)) + `,"replacement":` + nodetest.JS(nodetest.Rep("y", 100)) + `}`, ""},
		{"CollapseWhitespace", "CollapseWhitespace", `{"text":" a  b\t\nc ","replacement":"_"}`, `'a_b_c'`},
		{"RemovePunctuation replacement", "RemovePunctuation", `{"text":` + nodetest.JS(nodetest.Rep(".", 1000)) + `,"replacement":` + nodetest.JS(nodetest.Rep("y", 100)) + `}`, ""},
		{"RemovePunctuation long set", "RemovePunctuation", `{"text":"a.b,c!","punctuation":` + nodetest.JS(".,"+nodetest.Rep("#", 40)) + `,"replacement":"_"}`, `'a_b_c!'`},
		{"StripAccents growth", "StripAccents", `{"text":` + nodetest.JS(nodetest.Rep("㌀", 6000)) + `}`, ""},
		{"StripAccents", "StripAccents", `{"text":"café ﬁ"}`, `'cafe fi'`},
		{"Slugify separator", "Slugify", `{"text":` + nodetest.JS(nodetest.Rep("a b ", 2000)) + `,"separator":` + nodetest.JS(nodetest.Rep("-", 100)) + `}`, ""},
		{"Slugify", "Slugify", `{"text":"Héllo, World!"}`, `'hello-world'`},
		{"SurroundWith", "SurroundWith", `{"text":"x","prefix":` + nodetest.JS(big) + `,"suffix":` + nodetest.JS(big) + `}`, ""},
		{"PadText overflow", "PadText", `{"text":"x","length":4611686018427387905,"pad_character":"😀"}`, ""},
		{"PadText", "PadText", `{"text":"x","length":3,"pad_character":"é","direction":"both"}`, `'éxé'`},
		{"ToString repr growth", "ToString", `{"value":"` + nodetest.Rep(`\u0001`, 20000) + `","mode":"repr"}`, ""},
		{"ToString nested", "ToString", `{"value":[` + nodetest.JS(big) + `,[` + nodetest.JS(big) + `]]}`, ""},
		{"ToString", "ToString", `{"value":[1,"a",{"k":null}]}`, `"[1, 'a', {'k': None}]"`},
		{"TruncateText", "TruncateText", `{"text":"héllo wörld","max_length":7,"ellipsis":"…"}`, `'héllo …'`},
		{"TruncateText huge", "TruncateText", `{"text":"héllo","max_length":9223372036854775807}`, `'héllo'`},
		{"Slice", "Slice", `{"text":"hé日本lo!","start":-1,"stop":-9,"step":-2}`, `'!l日h'`},
		{"Slice step", "Slice", `{"text":"hé日本lo!","start":1,"stop":100,"step":3}`, `'él'`},
		{"Extract", "Extract", `{"text":"hé日本lo","start":1,"end":-1}`, `'é日本l'`},
		{"IndexOf", "IndexOf", `{"text":"日本 hé日本","substring":"日本","start_index":1,"search_from_end":false}`, `5`},
		{"IndexOf from end", "IndexOf", `{"text":"日本 hé日本 x","substring":"日本","end_index":-3,"search_from_end":true}`, `0`},
		{"IndexOf empty", "IndexOf", `{"text":"héllo","substring":"","start_index":2,"search_from_end":true}`, `5`},
		{"IndexOf past the end", "IndexOf", `{"text":"héllo","substring":"","start_index":9}`, `-1`},
		{"Length words", "Length", `{"text":" a b\u001cc  ","measure":"words"}`, `3`},
		{"Length lines", "Length", `{"text":"a\n\r\nb\r\n","measure":"lines"}`, `3`},
		{"Length lines trimmed", "Length", `{"text":"a\n\n\nb\n","measure":"lines","trim_whitespace":true}`, `2`},
		{"ParseJSON values", "ParseJSON", `{"text":` + nodetest.JS("["+nodetest.Rep("0,", 5000)+"0]") + `}`, ""},
		{"ParseJSON", "ParseJSON", `{"text":"{\"a\": [1, 2]}"}`, `{'a': [1, 2]}`},
		{"ExtractJSON values", "ExtractJSON", `{"text":` + nodetest.JS("["+nodetest.Rep("0,", 5000)+"0]") + `,"json_path":"$[0]"}`, ""},
		{"Contains long needle", "Contains", `{"text":"abc","search_values":["a",` + nodetest.JS(big) + `],"match_mode":"all"}`, `False`},
		{"Contains long needle none", "Contains", `{"text":"xyz","search_values":[` + nodetest.JS(big) + `],"match_mode":"none","case_sensitive":false}`, `True`},
		{"FindAllRegex items", "FindAllRegex", `{"text":` + nodetest.JS(nodetest.Rep("a", 5000)) + `,"regex":""}`, ""},
		{"FindAllRegex groups", "FindAllRegex", `{"text":` + nodetest.JS(nodetest.Rep("ab", 1500)) + `,"regex":"(a)(b)"}`, ""},
		{"FindAllRegex", "FindAllRegex", `{"text":"a1b22","regex":"\\d+"}`, `['1', '22']`},
		{"RegexMatch items", "RegexMatch", `{"text":` + nodetest.JS(nodetest.Rep("a", 5000)) + `,"pattern":"a"}`, ""},
		{"RegexReplace empty pattern", "RegexReplace", `{"text":` + nodetest.JS(nodetest.Rep("x", 1000)) + `,"pattern":"","replacement":` + nodetest.JS(nodetest.Rep("y", 100)) + `}`, ""},
		{"RegexReplace group growth", "RegexReplace", `{"text":` + nodetest.JS(nodetest.Rep("x", 1000)) + `,"pattern":"(x)","replacement":` + nodetest.JS(nodetest.Rep(`\1`, 100)) + `}`, ""},
		{"RegexReplace", "RegexReplace", `{"text":"a b","pattern":"\\b","replacement":"|"}`, `'|a| |b|'`},
		{"RegexSplit items", "RegexSplit", `{"text":` + nodetest.JS(nodetest.Rep(",", 5000)) + `,"pattern":","}`, ""},
		{"RegexSplit", "RegexSplit", `{"text":"a, b,c","pattern":",\\s*"}`, `['a', 'b', 'c']`},
	})
}

// TestTextCollectBudget streams items into Collect: the joined text is
// checked as items arrive.
func TestTextCollectBudget(t *testing.T) {
	graph := func(items string) string {
		return `{"nodes":[
		 {"id":"src","type":"nodetool.control.ForEach","data":{"input_list":` + items + `}},
		 {"id":"n","type":"nodetool.text.Collect","data":{"separator":"-"}},
		 {"id":"out","type":"nodetool.output.Output","data":{"name":"r"}}],
		 "edges":[{"id":"e1","source":"src","sourceHandle":"output","target":"n","targetHandle":"input_item"},
		 {"id":"e2","source":"n","sourceHandle":"output","target":"out","targetHandle":"value"}]}`
	}
	x := nodetest.JS(nodetest.Rep("x", 10000))
	res := nodetest.RunLimits(t, nil, graph("["+nodetest.Rep(x+",", 9)+x+"]"), nodetest.SmallLimits)
	nodetest.WantLimit(t, res, engine.LimitValue, "n")
	res = nodetest.RunLimits(t, nil, graph(`["a","b"]`), nodetest.SmallLimits)
	if res.Status != engine.StatusCompleted || res.Outputs["r"][0] != "a-b" {
		t.Fatalf("Collect: %s %q %v", res.Status, res.Error, res.Outputs)
	}
}

// TestTextAliasedValues feeds nodes a value that holds the same list many
// times: a few hundred bytes whose text would be 2**40 items. Rendering it
// must fail on max-value, not run out of memory.
func TestTextAliasedValues(t *testing.T) {
	reg := nodetest.AliasRegistry()
	for _, c := range []struct{ typ, handle string }{
		{"nodetool.text.ToString", "value"},
		{"nodetool.text.Join", "strings"},
		{"nodetool.text.FormatText", "v"},
	} {
		data := `{}`
		if c.typ == "nodetool.text.FormatText" {
			data = `{"template":"{{ v }}"}`
		}
		res := nodetest.RunLimits(t, reg, `{"nodes":[
		 {"id":"a","type":"test.Alias","data":{"depth":40,"leaf":"x"}},
		 {"id":"n","type":"`+c.typ+`","data":`+data+`},
		 {"id":"out","type":"nodetool.output.Output","data":{"name":"r"}}],
		 "edges":[{"id":"e1","source":"a","sourceHandle":"output","target":"n","targetHandle":"`+c.handle+`"},
		 {"id":"e2","source":"n","sourceHandle":"output","target":"out","targetHandle":"value"}]}`, nodetest.SmallLimits)
		nodetest.WantLimit(t, res, engine.LimitValue, "n")
	}
}

// TestRegexBudgets checks the pattern bounds and that a search too long
// for one uninterrupted call stops at the node timeout.
func TestRegexBudgets(t *testing.T) {
	nodetest.RunErrCases(t, "nodetool.text.", []nodetest.Case{
		{"FindAllRegex", `{"text":"a","regex":` + nodetest.JS(bigAlternation(101)) + `}`, "too large (about 101"},
		{"FindAllRegex", `{"text":"a","regex":` + nodetest.JS(nodetest.Rep("a", 64<<10+1)) + `}`, "over the limit of 64 KiB"},
		{"RegexMatch", `{"text":"a","pattern":"a{1000}{1000}"}`, "invalid nested repetition operator"},
		{"RegexMatch", `{"text":"a","pattern":"(a{1000}){1000}"}`, "invalid repeat count"},
		{"RegexMatch", `{"text":"a","pattern":` + nodetest.JS(nodetest.Rep("(", 2000)+nodetest.Rep(")", 2000)) + `}`, "expression nests too deeply"},
	})
	if msg := nodetest.Error(t, "nodetool.text.RegexMatch", `{"text":"a","pattern":`+nodetest.JS(nodetest.Rep("(", 2000))+`}`); len(msg) > 400 {
		t.Errorf("the error quotes the whole pattern: %d bytes", len(msg))
	}
	// \w{1000}x over 1 MiB of letters: about 10**9 steps of RE2's NFA,
	// half a minute of uninterrupted work before; now each node stops at
	// its timeout.
	text := nodetest.JS(nodetest.Rep("a", 1<<20))
	lim := engine.Limits{Node: 50 * time.Millisecond, Value: 4 << 20}
	for _, c := range []struct{ typ, data string }{
		{"ExtractRegex", `{"text":` + text + `,"regex":"\\w{1000}x"}`},
		{"FindAllRegex", `{"text":` + text + `,"regex":"\\w{1000}x"}`},
		{"RegexReplace", `{"text":` + text + `,"pattern":"\\B\\w{1000}x"}`},
		// Anchored searches: \w*\w{1,999} keeps a thousand threads alive
		// at every byte (about 25 s of work over 1 MiB unbounded; RE2
		// merges the threads of (?:\w?){999}, which takes only 50 ms).
		{"RegexValidate", `{"text":` + text + `,"pattern":"\\w*\\w{1,999}x"}`},
		{"FilterRegexString", `{"value":` + text + `,"pattern":"\\w*\\w{1,999}x","full_match":true}`},
	} {
		res := nodetest.RunLimits(t, nil, nodetest.OneNode("nodetool.text."+c.typ, c.data), lim)
		if res.Status != engine.StatusFailed || res.NodeID != "n" || !strings.Contains(res.Error, engine.LimitNodeTimeout) {
			t.Errorf("%s: status %s, node %q, error %q; want failed in n naming %s", c.typ, res.Status, res.NodeID, res.Error, engine.LimitNodeTimeout)
		}
	}
}

// bigAlternation is a pattern of n distinct alternatives of 1000 repeats
// each (identical ones would be merged by the parser).
func bigAlternation(n int) string {
	alts := make([]string, n)
	for i := range alts {
		alts[i] = fmt.Sprintf(`%c%c\w{1000}`, 'a'+i/26, 'a'+i%26)
	}
	return strings.Join(alts, "|")
}
