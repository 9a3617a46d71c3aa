package pdf

import (
	"errors"
	"fmt"
)

// maxPageDepth bounds the page tree's depth.
const maxPageDepth = 64

// Page is one page: its dictionary and inherited attributes.
type Page struct {
	Dict      Dict
	Resources Dict
	// MediaBox is x0, y0, x1, y1 in points (default US Letter).
	MediaBox [4]float64
	// Rotate is the page's rotation in degrees (a multiple of 90).
	Rotate int
}

// Width and Height are the media box's size in points.
func (p *Page) Width() float64  { return p.MediaBox[2] - p.MediaBox[0] }
func (p *Page) Height() float64 { return p.MediaBox[3] - p.MediaBox[1] }

// Pages returns the document's pages in order.
func (d *Doc) Pages() []*Page { return d.pages }

type inherited struct {
	res    Dict
	box    Array
	rotate int
}

func (d *Doc) loadPages() error {
	root := d.root()
	seen := map[Object]bool{}
	var walk func(node Object, inh inherited, depth int) error
	walk = func(node Object, inh inherited, depth int) error {
		if depth > maxPageDepth {
			return fmt.Errorf("pdf: page tree deeper than %d levels", maxPageDepth)
		}
		if err := d.tick(); err != nil {
			return err
		}
		if r, ok := node.(Ref); ok {
			if seen[r] {
				return errors.New("pdf: the page tree has a cycle")
			}
			seen[r] = true
		}
		dict, ok := d.Resolve(node).(Dict)
		if !ok {
			return nil
		}
		if r, ok := d.Resolve(dict["Resources"]).(Dict); ok {
			inh.res = r
		}
		if b, ok := d.Resolve(dict["MediaBox"]).(Array); ok && len(b) == 4 {
			inh.box = b
		}
		if r, ok := d.Resolve(dict["Rotate"]).(int64); ok {
			inh.rotate = int(((r%360)+360)%360) / 90 * 90
		}
		kids, hasKids := d.Resolve(dict["Kids"]).(Array)
		if dict["Type"] == Name("Pages") || (hasKids && dict["Type"] != Name("Page")) {
			for _, k := range kids {
				if err := walk(k, inh, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		p := &Page{Dict: dict, Resources: inh.res, MediaBox: [4]float64{0, 0, 612, 792}, Rotate: inh.rotate}
		if inh.box != nil {
			for i, v := range inh.box {
				p.MediaBox[i] = num(d.Resolve(v))
			}
			if p.MediaBox[0] > p.MediaBox[2] {
				p.MediaBox[0], p.MediaBox[2] = p.MediaBox[2], p.MediaBox[0]
			}
			if p.MediaBox[1] > p.MediaBox[3] {
				p.MediaBox[1], p.MediaBox[3] = p.MediaBox[3], p.MediaBox[1]
			}
		}
		d.pages = append(d.pages, p)
		return nil
	}
	if err := walk(root["Pages"], inherited{}, 0); err != nil {
		return unwrapBudget(err)
	}
	return nil
}

// contents returns the page's decoded content streams, concatenated with
// a space between them; streams with unsupported filters are skipped.
func (d *Doc) contents(v Object) ([]byte, error) {
	var streams []*Stream
	switch t := d.Resolve(v).(type) {
	case *Stream:
		streams = []*Stream{t}
	case Array:
		for _, x := range t {
			if s, ok := d.Resolve(x).(*Stream); ok {
				streams = append(streams, s)
			}
		}
	}
	var out []byte
	for _, s := range streams {
		data, err := d.decode(s)
		if err != nil {
			if isBudget(err) {
				return nil, err
			}
			d.warn("a content stream could not be decoded and was skipped")
			continue
		}
		if int64(len(out)+len(data)) > d.budget.MaxValue() {
			return nil, budgetError{d.budget.CheckSize(int64(len(out) + len(data)))}
		}
		out = append(out, data...)
		out = append(out, '\n')
	}
	return out, nil
}

// Image is an image XObject of a page.
type Image struct {
	Width, Height int
	// Filter is the image filter of the stream ("DCTDecode" for a JPEG,
	// "JPXDecode"...), "" for raw samples.
	Filter string
	// Data is the stream decoded up to its image filter: a JPEG file for
	// DCTDecode, raw samples when Filter is "".
	Data []byte
}

// Images lists the image XObjects a page's resources name (and those of
// its form XObjects, a few levels deep).
func (d *Doc) Images(p *Page) ([]Image, error) {
	var out []Image
	seen := map[Object]bool{}
	var walk func(res Dict, depth int) error
	walk = func(res Dict, depth int) error {
		xo, _ := d.Resolve(res["XObject"]).(Dict)
		for _, v := range xo {
			if err := d.tick(); err != nil {
				return unwrapBudget(err)
			}
			if seen[v] {
				continue
			}
			if _, ok := v.(Ref); ok {
				seen[v] = true
			}
			s, ok := d.Resolve(v).(*Stream)
			if !ok {
				continue
			}
			switch d.Resolve(s.Dict["Subtype"]) {
			case Name("Image"):
				img := Image{Width: int(num(d.Resolve(s.Dict["Width"]))), Height: int(num(d.Resolve(s.Dict["Height"])))}
				data, f, err := d.decodeTo(s, true)
				if err != nil {
					if isBudget(err) {
						return unwrapBudget(err)
					}
					d.warn("an image could not be decoded and was skipped")
					continue
				}
				img.Data, img.Filter = data, string(f)
				out = append(out, img)
			case Name("Form"):
				if r, ok := d.Resolve(s.Dict["Resources"]).(Dict); ok && depth < 4 {
					if err := walk(r, depth+1); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	err := walk(p.Resources, 0)
	return out, err
}
