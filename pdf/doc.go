// Package pdf reads PDF files far enough to extract their text, their
// page geometry, their metadata and their JPEG images: the object syntax,
// cross-reference tables and streams, object streams, the common filters,
// the page tree, fonts (ToUnicode CMaps, simple encodings, CID fonts) and
// the text operators of content streams.
//
// Every input is hostile: sizes are checked before allocation, decoding
// is bounded by the caller's Budget, nesting is bounded and reference
// cycles are detected. A broken cross-reference table falls back to a
// scan of the file's "N G obj" headers.
package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// Budget bounds the work: *engine.Ctx satisfies it.
type Budget interface {
	// Tick counts one step and now and then reports why the work must stop.
	Tick() error
	// CheckSize returns the error for a value of n bytes when it is over
	// the limit.
	CheckSize(n int64) error
	// MaxValue is the most bytes one value (a decoded stream) may take.
	MaxValue() int64
}

var (
	// ErrEncrypted is returned for an encrypted file.
	ErrEncrypted = errors.New("pdf: encrypted PDFs are not supported")
	// ErrNotPDF is returned for a file with no PDF objects.
	ErrNotPDF = errors.New("pdf: not a PDF file (no objects found)")
)

type xrefEntry struct {
	off    int // type 1: file offset; type 2: index in the object stream
	stream int // type 2: the object stream's number; 0 for type 1
}

// Doc is an open PDF file.
type Doc struct {
	data    []byte
	budget  Budget
	xref    map[int]xrefEntry
	trailer Dict
	cache   map[int]Object
	busy    map[int]bool
	objstm  map[int]*objStream
	fonts   map[any]*font
	pages   []*Page
	// Warnings lists what was skipped (an unsupported filter, a repaired
	// cross-reference table...), once each.
	Warnings []string
	warned   map[string]bool
	headers  map[int]int // from headerOffsets
	// over is the budget's error once a decoded stream broke it: every
	// later decoding fails with it, and Open returns it.
	over error
}

type objStream struct {
	data []byte
	offs []int // offset of each object, relative to data
}

// Open parses the file's structure (cross-reference, trailer, page tree).
func Open(data []byte, b Budget) (*Doc, error) {
	d, err := open(data, b)
	if d.over != nil {
		err = d.over
	}
	if err != nil {
		return nil, unwrapBudget(err)
	}
	return d, nil
}

func open(data []byte, b Budget) (*Doc, error) {
	d := &Doc{data: data, budget: b, xref: map[int]xrefEntry{}, cache: map[int]Object{},
		busy: map[int]bool{}, objstm: map[int]*objStream{}, fonts: map[any]*font{}, warned: map[string]bool{}}
	if err := d.readXref(); err != nil || d.root() == nil {
		if isBudget(err) {
			return d, err
		}
		d.warn("the cross-reference table is broken or missing; objects were found by scanning the file")
		if err := d.scan(); err != nil {
			return d, err
		}
	}
	if _, ok := d.trailer["Encrypt"]; ok && d.trailer["Encrypt"] != nil {
		return d, ErrEncrypted
	}
	if d.root() == nil {
		return d, errors.New("pdf: no document catalog (/Root) found")
	}
	if err := d.loadPages(); err != nil {
		return d, err
	}
	return d, nil
}

// budgetError marks errors of the Budget, which are returned unchanged.
type budgetError struct{ err error }

func (e budgetError) Error() string { return e.err.Error() }
func (e budgetError) Unwrap() error { return e.err }

func isBudget(err error) bool {
	var b budgetError
	return errors.As(err, &b)
}

// unwrapBudget returns the Budget's own error when err carries one.
func unwrapBudget(err error) error {
	var b budgetError
	if errors.As(err, &b) {
		return b.err
	}
	return err
}

func (d *Doc) tick() error {
	if err := d.budget.Tick(); err != nil {
		return budgetError{err}
	}
	return nil
}

func (d *Doc) warn(s string) {
	if !d.warned[s] && len(d.Warnings) < 20 {
		d.warned[s] = true
		d.Warnings = append(d.Warnings, s)
	}
}

func (d *Doc) root() Dict {
	r, _ := d.Resolve(d.trailer["Root"]).(Dict)
	return r
}

// readXref reads the cross-reference sections from startxref on,
// following /Prev and /XRefStm.
func (d *Doc) readXref() error {
	i := bytes.LastIndex(d.data, []byte("startxref"))
	if i < 0 {
		return errors.New("pdf: no startxref")
	}
	p := &parser{b: d.data, pos: i + len("startxref")}
	off, ok := p.integer()
	if !ok {
		return errors.New("pdf: bad startxref")
	}
	seen := map[int]bool{}
	first := true
	for todo := []int{off}; len(todo) > 0; {
		off, todo = todo[0], todo[1:]
		if seen[off] || off < 0 || off >= len(d.data) {
			if seen[off] {
				continue
			}
			return errors.New("pdf: cross-reference offset out of the file")
		}
		seen[off] = true
		if err := d.tick(); err != nil {
			return err
		}
		trailer, err := d.xrefSection(off)
		if err != nil {
			return err
		}
		if first {
			d.trailer = trailer
			first = false
		}
		if s, ok := trailer["XRefStm"].(int64); ok && s > 0 && s < int64(len(d.data)) {
			todo = append(todo, int(s))
		}
		if prev, ok := trailer["Prev"].(int64); ok && prev > 0 && prev < int64(len(d.data)) {
			todo = append(todo, int(prev))
		}
	}
	return nil
}

// xrefSection reads one table or stream, adding entries not already set
// (later sections come first), and returns its trailer.
func (d *Doc) xrefSection(off int) (Dict, error) {
	p := &parser{b: d.data, pos: off}
	if p.keyword("xref") {
		for {
			if err := d.tick(); err != nil {
				return nil, err
			}
			if p.keyword("trailer") {
				t, err := p.object(0)
				if err != nil {
					return nil, err
				}
				td, ok := t.(Dict)
				if !ok {
					return nil, errors.New("pdf: trailer is not a dictionary")
				}
				return td, nil
			}
			start, ok1 := p.integer()
			count, ok2 := p.integer()
			if !ok1 || !ok2 {
				return nil, errors.New("pdf: bad xref subsection")
			}
			if count > (len(d.data)-p.pos)/18+1 {
				return nil, errors.New("pdf: xref subsection longer than the file")
			}
			for i := range count {
				o, ok1 := p.integer()
				_, ok2 := p.integer()
				p.skipWS()
				if !ok1 || !ok2 || p.pos >= len(d.data) {
					return nil, errors.New("pdf: bad xref entry")
				}
				kind := d.data[p.pos]
				p.pos++
				n := start + i
				if _, set := d.xref[n]; !set && kind == 'n' {
					d.xref[n] = xrefEntry{off: o}
				} else if !set {
					d.xref[n] = xrefEntry{off: -1}
				}
			}
		}
	}
	// A cross-reference stream.
	num, _, obj, err := d.objectAt(off)
	if err != nil {
		return nil, err
	}
	s, ok := obj.(*Stream)
	if !ok || s.Dict["Type"] != Name("XRef") {
		return nil, errors.New("pdf: startxref points at neither a table nor a stream")
	}
	_ = num
	data, err := d.decode(s)
	if err != nil {
		return nil, err
	}
	w, _ := s.Dict["W"].(Array)
	if len(w) != 3 {
		return nil, errors.New("pdf: xref stream without /W")
	}
	var ws [3]int
	total := 0
	for i, v := range w {
		n, _ := v.(int64)
		if n < 0 || n > 8 {
			return nil, errors.New("pdf: bad xref stream /W")
		}
		ws[i] = int(n)
		total += int(n)
	}
	if total == 0 {
		return nil, errors.New("pdf: bad xref stream /W")
	}
	size, _ := s.Dict["Size"].(int64)
	index := Array{int64(0), size}
	if ix, ok := s.Dict["Index"].(Array); ok && len(ix)%2 == 0 {
		index = ix
	}
	pos := 0
	for i := 0; i+1 < len(index); i += 2 {
		start, _ := index[i].(int64)
		count, _ := index[i+1].(int64)
		for j := int64(0); j < count && pos+total <= len(data); j++ {
			if err := d.tick(); err != nil {
				return nil, err
			}
			field := func(k int) int {
				v := 0
				for range ws[k] {
					v = v<<8 | int(data[pos])
					pos++
				}
				return v
			}
			t := 1
			if ws[0] > 0 {
				t = field(0)
			}
			f2, f3 := field(1), field(2)
			n := int(start + j)
			if n < 0 {
				continue
			}
			if _, set := d.xref[n]; set {
				continue
			}
			switch t {
			case 1:
				d.xref[n] = xrefEntry{off: f2}
			case 2:
				d.xref[n] = xrefEntry{off: f3, stream: f2}
			default:
				d.xref[n] = xrefEntry{off: -1}
			}
		}
	}
	return s.Dict, nil
}

// objectAt parses "N G obj ... [stream ... endstream]" at off.
func (d *Doc) objectAt(off int) (int, int, Object, error) {
	if off < 0 || off >= len(d.data) {
		return 0, 0, nil, errors.New("pdf: object offset out of the file")
	}
	p := &parser{b: d.data, pos: off}
	num, ok1 := p.integer()
	gen, ok2 := p.integer()
	if !ok1 || !ok2 || !p.keyword("obj") {
		return 0, 0, nil, fmt.Errorf("pdf: no object at offset %d", off)
	}
	obj, err := p.object(0)
	if err != nil {
		return 0, 0, nil, err
	}
	if dict, ok := obj.(Dict); ok && p.keyword("stream") {
		if p.pos < len(d.data) && d.data[p.pos] == '\r' {
			p.pos++
		}
		if p.pos < len(d.data) && d.data[p.pos] == '\n' {
			p.pos++
		}
		start := p.pos
		end := -1
		if n, ok := d.length(dict["Length"]); ok && n >= 0 && n <= len(d.data)-start {
			q := &parser{b: d.data, pos: start + n}
			if q.keyword("endstream") {
				end = start + n
			}
		}
		if end < 0 {
			i := bytes.Index(d.data[start:], []byte("endstream"))
			if i < 0 {
				end = len(d.data)
			} else {
				end = start + i
				for end > start && (d.data[end-1] == '\n' || d.data[end-1] == '\r') {
					end--
				}
			}
		}
		return num, gen, &Stream{Dict: dict, Raw: d.data[start:end:end]}, nil
	}
	return num, gen, obj, nil
}

// length reads a stream's /Length, which may be indirect (never itself a
// stream: resolving guards against cycles).
func (d *Doc) length(v Object) (int, bool) {
	if r, ok := v.(Ref); ok {
		if d.busy[r.Num] {
			return 0, false
		}
		v = d.Resolve(r)
	}
	n, ok := v.(int64)
	if !ok || n < 0 || n > int64(len(d.data)) {
		return 0, false
	}
	return int(n), true
}

// Resolve follows references: an unknown or broken object is null.
func (d *Doc) Resolve(v Object) Object {
	for range 8 {
		r, ok := v.(Ref)
		if !ok {
			return v
		}
		v = d.load(r.Num)
	}
	return nil
}

func (d *Doc) load(num int) Object {
	if v, ok := d.cache[num]; ok {
		return v
	}
	e, ok := d.xref[num]
	if !ok || e.off < 0 || d.busy[num] {
		return nil
	}
	d.busy[num] = true
	defer delete(d.busy, num)
	var v Object
	if e.stream == 0 {
		n, _, obj, err := d.objectAt(e.off)
		if err == nil && n == num {
			v = obj
		} else if offs, herr := d.headerOffsets(); herr == nil {
			// A wrong offset in the table: use the object's header.
			if o, ok := offs[num]; ok && o != e.off {
				if n, _, obj, err2 := d.objectAt(o); err2 == nil && n == num {
					v, err = obj, nil
				}
			}
		}
		if errors.Is(err, errTooDeep) && d.over == nil {
			d.over = err
		}
	} else {
		v = d.fromObjStm(e.stream, e.off)
	}
	d.cache[num] = v
	return v
}

func (d *Doc) fromObjStm(snum, index int) Object {
	os, ok := d.objstm[snum]
	if !ok {
		os = d.openObjStm(snum)
		d.objstm[snum] = os
	}
	if os == nil || index < 0 || index >= len(os.offs) || os.offs[index] >= len(os.data) {
		return nil
	}
	p := &parser{b: os.data, pos: os.offs[index]}
	v, err := p.object(0)
	if err != nil {
		return nil
	}
	if _, isOp := v.(Op); isOp {
		return nil
	}
	return v
}

func (d *Doc) openObjStm(snum int) *objStream {
	s, ok := d.load(snum).(*Stream)
	if !ok {
		return nil
	}
	data, err := d.decode(s)
	if err != nil {
		return nil
	}
	n, _ := s.Dict["N"].(int64)
	first, _ := s.Dict["First"].(int64)
	if n < 0 || first < 0 || first > int64(len(data)) || n > int64(len(data))/2 {
		return nil
	}
	os := &objStream{data: data, offs: make([]int, 0, n)}
	p := &parser{b: data[:first]}
	for range n {
		_, ok1 := p.integer()
		off, ok2 := p.integer()
		if !ok1 || !ok2 {
			break
		}
		os.offs = append(os.offs, int(first)+off)
	}
	return os
}

// scan rebuilds the cross-reference from the "N G obj" headers of the
// file (later ones win, as in incremental updates) and the objects of
// its object streams, and takes the trailer from the last "trailer"
// dictionary or cross-reference stream, else the catalog it finds.
func (d *Doc) scan() error {
	offs, err := d.headerOffsets()
	if err != nil {
		return err
	}
	d.xref = map[int]xrefEntry{}
	d.cache = map[int]Object{}
	d.objstm = map[int]*objStream{}
	for num, off := range offs {
		d.xref[num] = xrefEntry{off: off}
	}
	if len(d.xref) == 0 {
		return ErrNotPDF
	}
	if i := bytes.LastIndex(d.data, []byte("trailer")); i >= 0 {
		p := &parser{b: d.data, pos: i + len("trailer")}
		if t, err := p.object(0); err == nil {
			if td, ok := t.(Dict); ok {
				d.trailer = td
			}
		}
	}
	nums := make([]int, 0, len(d.xref))
	for n := range d.xref {
		nums = append(nums, n)
	}
	var catalog, xrefDict Dict
	for _, n := range nums {
		if err := d.tick(); err != nil {
			return err
		}
		switch o := d.load(n).(type) {
		case *Stream:
			switch o.Dict["Type"] {
			case Name("ObjStm"):
				os := d.objstm[n]
				if os == nil {
					os = d.openObjStm(n)
					d.objstm[n] = os
				}
				if os == nil {
					continue
				}
				p := &parser{b: os.data}
				for idx := range os.offs {
					on, ok := p.integer()
					p.integer()
					if !ok {
						break
					}
					if _, set := d.xref[on]; !set {
						d.xref[on] = xrefEntry{off: idx, stream: n}
					}
				}
			case Name("XRef"):
				xrefDict = o.Dict
			}
		case Dict:
			if o["Type"] == Name("Catalog") {
				catalog = o
			}
		}
	}
	if d.trailer == nil {
		d.trailer = xrefDict
	}
	if d.trailer == nil {
		d.trailer = Dict{}
	}
	if d.root() == nil && catalog == nil {
		// The catalog may sit in an object stream found only now.
		for n := range d.xref {
			if c, ok := d.Resolve(Ref{n, 0}).(Dict); ok && c["Type"] == Name("Catalog") {
				catalog = c
				break
			}
		}
	}
	if d.root() == nil && catalog != nil {
		d.trailer["Root"] = catalog
	}
	return nil
}

// headerOffsets finds every "N G obj" header of the file (the last one of
// each number wins, as in incremental updates); computed once.
func (d *Doc) headerOffsets() (map[int]int, error) {
	if d.headers != nil {
		return d.headers, nil
	}
	offs := map[int]int{}
	for i := 0; ; {
		j := bytes.Index(d.data[i:], []byte("obj"))
		if j < 0 {
			break
		}
		k := i + j
		i = k + 3
		if err := d.tick(); err != nil {
			return nil, err
		}
		// Walk back over "N G ".
		s := k
		for s > 0 && isWhite(d.data[s-1]) {
			s--
		}
		g := s
		for s > 0 && d.data[s-1] >= '0' && d.data[s-1] <= '9' {
			s--
		}
		if s == g {
			continue
		}
		for s > 0 && isWhite(d.data[s-1]) {
			s--
		}
		n := s
		for s > 0 && d.data[s-1] >= '0' && d.data[s-1] <= '9' && n-s < 10 {
			s--
		}
		if s == n || (s > 0 && isRegular(d.data[s-1])) {
			continue
		}
		num, err := strconv.Atoi(string(d.data[s:n]))
		if err != nil {
			continue
		}
		offs[num] = s
	}
	d.headers = offs
	return offs, nil
}

// Info is the document information dictionary's text entries (Title,
// Author, Subject, Keywords, Creator, Producer, CreationDate, ModDate).
func (d *Doc) Info() map[string]string {
	out := map[string]string{}
	info, _ := d.Resolve(d.trailer["Info"]).(Dict)
	for k, v := range info {
		if s, ok := d.Resolve(v).(String); ok {
			out[string(k)] = TextString(s)
		}
	}
	return out
}
