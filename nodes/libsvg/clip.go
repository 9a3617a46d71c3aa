package libsvg

import (
	"image"
	"strings"
)

// clipTo applies element n's clip-path to st: the clip path's shapes
// (filled with their clip-rule, in n's user space) make a coverage mask
// of the canvas, intersected with any clip st already has. A reference
// to something that is not a clipPath is ignored; clip paths nested
// deeper than maxClipDepth are ignored too.
func (d *drawer) clipTo(n *node, st *state) error {
	v, ok := n.prop("clip-path", styleDecls(n.attrs["style"]))
	if !ok {
		return nil
	}
	rest, ok := strings.CutPrefix(strings.TrimSpace(v), "url(")
	end := strings.IndexByte(rest, ')')
	if !ok || end < 0 {
		return nil
	}
	id, ok := strings.CutPrefix(strings.Trim(strings.TrimSpace(rest[:end]), `'"`), "#")
	target := d.ids[id]
	if !ok || target == nil || target.tag != "clipPath" || st.clipDepth >= maxClipDepth {
		return nil
	}
	size := int64(d.w) * int64(d.h)
	if err := d.b.CheckSize(d.masks + size); err != nil {
		return err
	}
	d.masks += size
	mask := make([]uint8, d.w*d.h)
	cst := *st
	cst.clip = nil
	if t, ok := target.attrs["transform"]; ok {
		if m, ok := parseTransform(t); ok {
			cst.m = cst.m.mul(m)
		}
	}
	if err := d.clipShapes(target, cst, mask, 0); err != nil {
		return err
	}
	if st.clip != nil {
		for i, c := range st.clip {
			mask[i] = uint8(uint16(mask[i]) * uint16(c) / 255)
		}
	}
	st.clip = mask
	st.clipDepth++
	return nil
}

// clipShapes adds the coverage of a clip path's children to mask (their
// union).
func (d *drawer) clipShapes(parent *node, st state, mask []uint8, uses int) error {
	for _, k := range parent.kids {
		if err := d.b.Tick(); err != nil {
			return err
		}
		if k.tag == "use" {
			id, ok := strings.CutPrefix(strings.TrimSpace(k.attrs["href"]), "#")
			target := d.ids[id]
			if !ok || target == nil || uses >= maxUseDepth {
				continue
			}
			ust, ok := d.styled(k, st)
			if !ok {
				continue
			}
			x, _ := length(k.attrs["x"], st.vw, st.fontSize)
			y, _ := length(k.attrs["y"], st.vh, st.fontSize)
			ust.m = ust.m.mul(translate(x, y))
			if err := d.clipShapes(&node{kids: []*node{target}}, ust, mask, uses+1); err != nil {
				return err
			}
			continue
		}
		kst, ok := d.styled(k, st)
		if !ok || !kst.visible {
			continue
		}
		var sh *shape
		switch k.tag {
		case "rect", "circle", "ellipse", "line", "polyline", "polygon", "path":
			p, err := d.outline(k, kst)
			if err != nil {
				return err
			}
			tol := tolerance(kst.m)
			if p == nil || tol == 0 {
				continue
			}
			lines, err := p.flatten(tol, d.maxPts)
			if err != nil {
				return d.pointsError(err)
			}
			sh = &shape{m: kst.m, max: d.maxPts}
			if err := sh.fill(lines); err != nil {
				return d.pointsError(err)
			}
		case "text":
			var err error
			if sh, err = d.textShape(k, kst); err != nil {
				return err
			}
		default:
			continue
		}
		err := d.cover(sh.polys, kst.clipRule == "evenodd", func(win image.Rectangle, y int, cov []uint8) {
			row := mask[y*d.w+win.Min.X:]
			for i, c := range cov {
				if c != 0 {
					m := uint16(row[i])
					row[i] = uint8(m + uint16(c) - m*uint16(c)/255)
				}
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}
