// Package msgpack is the MessagePack codec of the editor's WebSockets. The
// NodeTool web client speaks @msgpack/msgpack: its binary frames are
// MessagePack maps, its text frames JSON. This package encodes Go values the
// way encoding/json would shape them, and decodes into the engine's value
// model (package pyval), so a binary frame and a text frame carrying the same
// message decode to the same value.
//
// # Encoding
//
// Marshal writes every value in the smallest format the specification allows:
// integers as positive or negative fixint, uint 8..64 (for values >= 0) or
// int 8..64 (for negative values); strings as fixstr or str 8/16/32; []byte
// as bin 8/16/32; arrays and maps with the fix, 16- or 32-bit headers. Floats
// keep their width: a float64 is always a float 64, a float32 a float 32, even
// when the value is integral or would fit the smaller form. A time.Time is
// the timestamp extension (type -1) in its 32-, 64- or 96-bit form, chosen
// as the specification's serialization pseudo code does.
//
// Map keys must be strings. Go maps are written in sorted key order, so the
// output is deterministic; a *pyval.Dict is written in its own (insertion)
// order. Structs are written as maps following their `json` tags, the way
// encoding/json does: the tag names the key, "-" skips the field, omitempty
// and omitzero are honoured, embedded structs are flattened with the same
// dominance rules, unexported fields are skipped. The ",string" tag option is
// not applied. Nil pointers, slices, maps and interfaces are nil, as in JSON.
//
// A value whose type implements Marshaler writes its own encoding, which must
// be one complete MessagePack value.
//
// A value whose type implements json.Marshaler, other than time.Time and
// *pyval.Dict (which have native forms), is encoded through JSON: its
// MarshalJSON output is parsed with pyval.Decode and that value is encoded.
// This keeps a binary frame equal to the text frame for types such as
// json.RawMessage or a type with a hand-written wire form. A json.Number is
// written as the integer or float it spells. encoding.TextMarshaler is not
// consulted.
//
// Strings holding invalid UTF-8 are written with each bad run replaced by
// U+FFFD, because the decoder (like NodeTool's Python server and the JSON
// path) only accepts valid UTF-8.
//
// # Decoding
//
// Unmarshal reads one value into nil, bool, int64, float64, string, []byte,
// []any, *pyval.Dict or time.Time (in UTC). Every integer format that fits an
// int64 becomes an int64; a uint 64 above math.MaxInt64 becomes the nearest
// float64, as pyval.Number does for the same number in a JSON text frame. A
// float 32 is widened to float64 exactly. Map keys must be str (or bin, read
// as a string); any other key type is an error. A repeated key keeps its
// first position and its last value, as pyval.Decode does. Strings and keys
// must be valid UTF-8. An extension of type 0 is JavaScript's undefined as
// msgpackr (the current NodeTool client's encoder) writes it, "d4 00 00": a
// map entry holding it is left out, as JavaScript drops an undefined
// property, and anywhere else it is nil. Extension types other than these
// two are an error naming the type; so are the reserved byte 0xc1 and
// trailing bytes after the value.
//
// The decoder treats its input as hostile. Every declared length (str, bin,
// ext, array, map) is checked against the bytes that remain before anything
// is allocated, counting at least one byte per array element and two per map
// entry, so a few bytes claiming a 4 GiB array fail at once. DecodeLimits
// bound the nesting depth, the total number of values and the memory the
// decoded value takes (by default ten times the input's size plus 64 KiB, as
// pyval.Decode allows JSON): every allocation is charged to the budget before
// it is made. Callers still cap frame sizes (for example with the
// WebSocket's MaxPayloadBytes). Errors name the problem and the byte offset of
// the value at fault.
package msgpack
