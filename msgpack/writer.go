package msgpack

// Writer appends MessagePack values one at a time, for encoders written by
// hand for hot types (a map's header, then its keys and values in turn),
// with the formats and rules Marshal uses: the same value gives the same
// bytes. The first error sticks and is returned by Bytes. The zero Writer
// appends to a new buffer; Reset starts on dst.
type Writer struct {
	e   encoder
	err error
}

// Reset makes w append to dst and forgets any error.
func (w *Writer) Reset(dst []byte) { w.e, w.err = encoder{buf: dst}, nil }

// Bytes returns the encoding so far and the first error.
func (w *Writer) Bytes() ([]byte, error) { return w.e.buf, w.err }

// MapHeader starts a map of n entries: n keys and values follow.
func (w *Writer) MapHeader(n int) {
	if w.err == nil {
		w.err = w.e.mapHeader(n)
	}
}

// String appends s (invalid UTF-8 replaced, as Marshal does).
func (w *Writer) String(s string) {
	if w.err == nil {
		w.err = w.e.string(s)
	}
}

// Nil appends nil.
func (w *Writer) Nil() { w.e.buf = append(w.e.buf, 0xc0) }

// Int appends i.
func (w *Writer) Int(i int64) { w.e.int(i) }

// Float64 appends f.
func (w *Writer) Float64(f float64) { w.e.float64(f) }

// Value appends v as Marshal encodes it.
func (w *Writer) Value(v any) {
	if w.err == nil {
		w.err = w.e.value(v)
	}
}
