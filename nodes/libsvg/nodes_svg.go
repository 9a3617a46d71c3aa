package libsvg

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
	"nodetool/nodes/media"
)

const (
	defElement = `{"type": "svg_element", "name": "", "attributes": {}, "content": null, "children": []}`
	contentT   = "union[str, svg_element, list[svg_element]]"
)

func colorProp(name, def, desc string) engine.Prop {
	return engine.P(name, "color", `{"type": "color", "value": "`+def+`"}`, desc)
}

// colorValue is a color value's text (ColorRef.__str__: its value, "" for
// none).
func colorValue(v any) string {
	switch c := v.(type) {
	case *pyval.Dict:
		if s, ok := get(c, "value").(string); ok {
			return s
		}
		return ""
	case string:
		return c
	}
	return ""
}

// Register adds the lib.svg nodes.
func Register(r *engine.Registry) {
	shape := func(typ, title, desc string, props []engine.Prop, name string, attrs func(in *engine.Inputs) [][2]string) {
		basic := make([]string, len(props))
		for i, p := range props {
			basic[i] = p.Name
		}
		r.Add(&engine.NodeDef{
			Type: "lib.svg." + typ, Title: title, Description: desc, Props: props, BasicFields: basic,
			Outputs: engine.Out("output", "svg_element"),
			Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
				return engine.Single(Element(name, attrs(in), nil)), nil
			},
		})
	}
	i := func(in *engine.Inputs, name string) string { return strconv.FormatInt(in.Int(name), 10) }
	c := func(in *engine.Inputs, name string) string { return colorValue(in.Get(name)) }
	coord := func(name, def, desc string) engine.Prop { return engine.P(name, "int", def, desc) }
	styleProps := func(fill string) []engine.Prop {
		return []engine.Prop{colorProp("fill", fill, "Fill color"), colorProp("stroke", "none", "Stroke color"), engine.P("stroke_width", "int", "1", "Stroke width")}
	}
	style := func(in *engine.Inputs) [][2]string {
		return [][2]string{{"fill", c(in, "fill")}, {"stroke", c(in, "stroke")}, {"stroke-width", i(in, "stroke_width")}}
	}

	shape("Rect", "Rectangle", "Generate SVG rectangle element with customizable position, size, and styling.\n    svg, shape, vector, rectangle\n\n    Use cases:\n    - Create rectangular shapes in SVG documents\n    - Design borders, frames, and backgrounds\n    - Build user interface components\n    - Create geometric patterns and layouts",
		append([]engine.Prop{coord("x", "0", "X coordinate"), coord("y", "0", "Y coordinate"), coord("width", "100", "Width"), coord("height", "100", "Height")}, styleProps("#000000")...),
		"rect", func(in *engine.Inputs) [][2]string {
			return append([][2]string{{"x", i(in, "x")}, {"y", i(in, "y")}, {"width", i(in, "width")}, {"height", i(in, "height")}}, style(in)...)
		})
	shape("Circle", "Circle", "Generate SVG circle element with customizable position, radius, and styling.\n    svg, shape, vector, circle\n\n    Use cases:\n    - Create circular shapes and icons\n    - Design buttons, badges, and indicators\n    - Build data visualizations like pie charts\n    - Create decorative elements and patterns",
		append([]engine.Prop{coord("cx", "0", "Center X coordinate"), coord("cy", "0", "Center Y coordinate"), coord("radius", "50", "Radius")}, styleProps("#000000")...),
		"circle", func(in *engine.Inputs) [][2]string {
			return append([][2]string{{"cx", i(in, "cx")}, {"cy", i(in, "cy")}, {"r", i(in, "radius")}}, style(in)...)
		})
	shape("Ellipse", "Ellipse", "Generate SVG ellipse element with customizable position, radii, and styling.\n    svg, shape, vector, ellipse\n\n    Use cases:\n    - Create oval shapes and organic forms\n    - Design speech bubbles and callouts\n    - Build data visualization elements\n    - Create decorative patterns and borders",
		append([]engine.Prop{coord("cx", "0", "Center X coordinate"), coord("cy", "0", "Center Y coordinate"), coord("rx", "100", "X radius"), coord("ry", "50", "Y radius")}, styleProps("#000000")...),
		"ellipse", func(in *engine.Inputs) [][2]string {
			return append([][2]string{{"cx", i(in, "cx")}, {"cy", i(in, "cy")}, {"rx", i(in, "rx")}, {"ry", i(in, "ry")}}, style(in)...)
		})
	shape("Line", "Line", "Generate SVG line element with customizable endpoints and styling.\n    svg, shape, vector, line\n\n    Use cases:\n    - Draw straight lines and connectors\n    - Create dividers and separators\n    - Build diagrams and flowcharts\n    - Design grid patterns and borders",
		[]engine.Prop{coord("x1", "0", "Start X coordinate"), coord("y1", "0", "Start Y coordinate"), coord("x2", "100", "End X coordinate"), coord("y2", "100", "End Y coordinate"),
			colorProp("stroke", "#000000", "Stroke color"), engine.P("stroke_width", "int", "1", "Stroke width")},
		"line", func(in *engine.Inputs) [][2]string {
			return [][2]string{{"x1", i(in, "x1")}, {"y1", i(in, "y1")}, {"x2", i(in, "x2")}, {"y2", i(in, "y2")}, {"stroke", c(in, "stroke")}, {"stroke-width", i(in, "stroke_width")}}
		})
	shape("Polygon", "Polygon", "Generate SVG polygon element with multiple vertices.\n    svg, shape, vector, polygon\n\n    Use cases:\n    - Create multi-sided shapes like triangles, pentagons, stars\n    - Build custom icons and symbols\n    - Design complex geometric patterns\n    - Create irregular shapes and forms",
		append([]engine.Prop{engine.P("points", "str", `""`, "Points in format 'x1,y1 x2,y2 x3,y3...'")}, styleProps("#000000")...),
		"polygon", func(in *engine.Inputs) [][2]string {
			return append([][2]string{{"points", in.Str("points")}}, style(in)...)
		})
	shape("Path", "Path", "Generate SVG path element using path data commands.\n    svg, shape, vector, path\n\n    Use cases:\n    - Create complex curved and custom shapes\n    - Build logos and custom icons\n    - Design intricate patterns and illustrations\n    - Import path data from design tools",
		append([]engine.Prop{engine.P("path_data", "str", `""`, "SVG path data (d attribute)")}, styleProps("#000000")...),
		"path", func(in *engine.Inputs) [][2]string {
			return append([][2]string{{"d", in.Str("path_data")}}, style(in)...)
		})

	r.Add(&engine.NodeDef{
		Type: "lib.svg.Text", Title: "Text",
		Description: "Add text elements to SVG.\n    svg, text, typography\n\n    Use cases:\n    - Add labels to vector graphics\n    - Create text-based logos\n    - Generate dynamic text content in SVGs",
		Props: []engine.Prop{
			engine.P("text", "str", `""`, "Text content"),
			coord("x", "0", "X coordinate"), coord("y", "0", "Y coordinate"),
			engine.P("font_family", "str", `"Arial"`, "Font family"),
			engine.P("font_size", "int", "16", "Font size"),
			colorProp("fill", "#000000", "Text color"),
			engine.P("text_anchor", "enum(start, middle, end)", `"start"`, "Text anchor position").Enum("nodetool.nodes.lib.svg.SVGTextAnchor"),
		},
		Outputs:     engine.Out("output", "svg_element"),
		BasicFields: []string{"text", "x", "y", "font_family", "font_size", "fill", "text_anchor"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(Element("text", [][2]string{{"x", i(in, "x")}, {"y", i(in, "y")}, {"font-family", in.Str("font_family")},
				{"font-size", i(in, "font_size")}, {"fill", c(in, "fill")}, {"text-anchor", in.Str("text_anchor")}}, in.Str("text"))), nil
		},
	})
	std := engine.P("std_deviation", "float", "3.0", "Standard deviation for blur")
	r.Add(&engine.NodeDef{
		Type: "lib.svg.GaussianBlur", Title: "Gaussian Blur",
		Description: "Apply Gaussian blur filter effect to SVG elements.\n    svg, filter, blur, effects\n\n    Use cases:\n    - Create soft focus and depth effects\n    - Add subtle shadows and glows\n    - Simulate motion blur\n    - Soften edges in graphics",
		Props:       []engine.Prop{std},
		Outputs:     engine.Out("output", "svg_element"),
		BasicFields: []string{"std_deviation"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(Element("filter", [][2]string{{"id", "filter_gaussian_blur"}}, nil,
				Element("feGaussianBlur", [][2]string{{"stdDeviation", floatText(in.Float("std_deviation"))}}, nil))), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.svg.DropShadow", Title: "Drop Shadow",
		Description: "Apply drop shadow filter effect to SVG elements for depth.\n    svg, filter, shadow, effects\n\n    Use cases:\n    - Add depth and elevation to elements\n    - Create realistic shadow effects\n    - Enhance visual hierarchy\n    - Improve element separation and readability",
		Props: []engine.Prop{std, engine.P("dx", "int", "2", "X offset for shadow"), engine.P("dy", "int", "2", "Y offset for shadow"),
			colorProp("color", "#000000", "Color for shadow")},
		Outputs:     engine.Out("output", "svg_element"),
		BasicFields: []string{"std_deviation", "dx", "dy", "color"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(Element("filter", [][2]string{{"id", "filter_drop_shadow"}}, nil,
				Element("feGaussianBlur", [][2]string{{"in", "SourceAlpha"}, {"stdDeviation", floatText(in.Float("std_deviation"))}}, nil),
				Element("feOffset", [][2]string{{"dx", i(in, "dx")}, {"dy", i(in, "dy")}}, nil),
				Element("feFlood", [][2]string{{"flood-color", c(in, "color")}}, nil),
				Element("feComposite", [][2]string{{"operator", "in"}, {"in2", "SourceAlpha"}}, nil),
				Element("feMerge", nil, nil, Element("feMergeNode", nil, nil), Element("feMergeNode", [][2]string{{"in", "SourceGraphic"}}, nil)),
			)), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.svg.Gradient", Title: "Gradient",
		Description: "Create linear or radial gradients for SVG elements.\n    svg, gradient, color\n\n    Use cases:\n    - Add smooth color transitions\n    - Create complex color effects\n    - Define reusable gradient definitions",
		Props: []engine.Prop{
			engine.P("gradient_type", "enum(linearGradient, radialGradient)", `"linearGradient"`, "Type of gradient").Enum("nodetool.nodes.lib.svg.Gradient.GradientType"),
			engine.P("x1", "float", "0", "Start X position (linear) or center X (radial)"),
			engine.P("y1", "float", "0", "Start Y position (linear) or center Y (radial)"),
			engine.P("x2", "float", "100", "End X position (linear) or radius X (radial)"),
			engine.P("y2", "float", "100", "End Y position (linear) or radius Y (radial)"),
			colorProp("color1", "#000000", "Start color of gradient"),
			colorProp("color2", "#FFFFFF", "End color of gradient"),
		},
		Outputs:     engine.Out("output", "svg_element"),
		BasicFields: []string{"gradient_type", "x1", "y1", "x2", "y2", "color1", "color2"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			typ := in.Str("gradient_type")
			if typ != "radialGradient" {
				typ = "linearGradient"
			}
			pct := func(name string) string { return numText(in.Get(name)) + "%" }
			attrs := [][2]string{{"id", "gradient_" + typ}}
			if typ == "linearGradient" {
				attrs = append(attrs, [2]string{"x1", pct("x1")}, [2]string{"y1", pct("y1")}, [2]string{"x2", pct("x2")}, [2]string{"y2", pct("y2")})
			} else {
				attrs = append(attrs, [2]string{"cx", pct("x1")}, [2]string{"cy", pct("y1")}, [2]string{"r", pct("x2")})
			}
			return engine.Single(Element(typ, attrs, nil,
				Element("stop", [][2]string{{"offset", "0%"}, {"style", "stop-color:" + c(in, "color1") + ";stop-opacity:1"}}, nil),
				Element("stop", [][2]string{{"offset", "100%"}, {"style", "stop-color:" + c(in, "color2") + ";stop-opacity:1"}}, nil),
			)), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.svg.Transform", Title: "Transform",
		Description: "Apply transformations to SVG elements.\n    svg, transform, animation\n\n    Use cases:\n    - Rotate, scale, or translate elements\n    - Create complex transformations\n    - Prepare elements for animation",
		Props: []engine.Prop{
			engine.P("content", "svg_element", defElement, "SVG element to transform"),
			engine.P("translate_x", "float", "0", "X translation"),
			engine.P("translate_y", "float", "0", "Y translation"),
			engine.P("rotate", "float", "0", "Rotation angle in degrees"),
			engine.P("scale_x", "float", "1", "X scale factor"),
			engine.P("scale_y", "float", "1", "Y scale factor"),
		},
		Outputs:     engine.Out("output", "svg_element"),
		BasicFields: []string{"content", "translate_x", "translate_y", "rotate", "scale_x", "scale_y"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			el, ok := in.Get("content").(*pyval.Dict)
			if !ok || el.Str("name") == "" {
				return engine.Single(Element("", nil, nil)), nil
			}
			var ts []string
			tx, ty := in.Float("translate_x"), in.Float("translate_y")
			if tx != 0 || ty != 0 {
				ts = append(ts, "translate("+numText(in.Get("translate_x"))+","+numText(in.Get("translate_y"))+")")
			}
			if in.Float("rotate") != 0 {
				ts = append(ts, "rotate("+numText(in.Get("rotate"))+")")
			}
			if in.Float("scale_x") != 1 || in.Float("scale_y") != 1 {
				ts = append(ts, "scale("+numText(in.Get("scale_x"))+","+numText(in.Get("scale_y"))+")")
			}
			if len(ts) == 0 {
				return engine.Single(el), nil
			}
			// The original set the attribute on its input; the element is
			// a value other nodes may hold, so a copy gets it here.
			out := withAttr(el, "transform", strings.Join(ts, " "))
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.svg.ClipPath", Title: "Clip Path",
		Description: "Create clipping paths for SVG elements.\n    svg, clip, mask\n\n    Use cases:\n    - Mask parts of elements\n    - Create complex shapes through clipping\n    - Apply visual effects using masks",
		Props: []engine.Prop{
			engine.P("clip_content", "svg_element", defElement, "SVG element to use as clip path"),
			engine.P("content", "svg_element", defElement, "SVG element to clip"),
		},
		Outputs:     engine.Out("output", "svg_element"),
		BasicFields: []string{"clip_content", "content"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			clipEl, ok1 := in.Get("clip_content").(*pyval.Dict)
			el, ok2 := in.Get("content").(*pyval.Dict)
			if !ok1 || !ok2 || clipEl.Str("name") == "" || el.Str("name") == "" {
				return engine.Single(Element("", nil, nil)), nil
			}
			// The original named the clip path after the node object's
			// id(); here the name is derived from the node and the two
			// elements, so equal inputs give equal documents.
			id, err := clipID(ctx, clipEl, el)
			if err != nil {
				return nil, err
			}
			clipped := withAttr(el, "clip-path", "url(#"+id+")")
			return engine.Single(Element("g", nil, nil, Element("clipPath", [][2]string{{"id", id}}, nil, clipEl), clipped)), nil
		},
	})

	docProps := func() []engine.Prop {
		return []engine.Prop{
			engine.P("content", contentT, `[]`, "SVG content"),
			engine.P("width", "int", "800", "Document width").Range(1, 4096),
			engine.P("height", "int", "600", "Document height").Range(1, 4096),
			engine.P("viewBox", "str", `"0 0 800 600"`, "SVG viewBox attribute"),
		}
	}
	r.Add(&engine.NodeDef{
		Type: "lib.svg.Document", Title: "SVG Document",
		Description: "Combine SVG elements into a complete SVG document.\n    svg, document, combine\n\n    Use cases:\n    - Combine multiple SVG elements into a single document\n    - Set document-level properties like viewBox and dimensions\n    - Export complete SVG documents",
		Props:       docProps(),
		Outputs:     engine.Out("output", "svg"),
		BasicFields: []string{"content", "width", "height", "viewBox"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			doc, err := document(ctx, in)
			if err != nil {
				return nil, err
			}
			return engine.Single(media.Ref("svg", []byte(doc))), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.svg.SVGToImage", Title: "SVG to Image",
		Description: "Create an SVG document and convert it to a raster image in one step.\n    svg, document, raster, convert\n\n    Use cases:\n    - Create and rasterize SVG documents in a single operation\n    - Generate image files from SVG elements\n    - Convert vector graphics to bitmap format with custom dimensions" +
			"\n\n    Here a built-in renderer draws shapes, paths, gradients, clip paths and text (in one embedded bitmap font); filters are not applied.",
		Props:       append(docProps(), engine.P("scale", "int", "1", "Scale factor for rasterization").Range(1, 10)),
		Outputs:     engine.Out("output", "image"),
		BasicFields: []string{"content", "width", "height", "viewBox", "scale"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			doc, err := document(ctx, in)
			if err != nil {
				return nil, err
			}
			scale := in.Int("scale")
			if scale < 1 || scale > 10 {
				return nil, fmt.Errorf("scale must be from 1 to 10, got %d", scale)
			}
			w, h := in.Int("width")*scale, in.Int("height")*scale
			img, err := Rasterize(ctx, []byte(doc), int(w), int(h))
			var le *LimitExceeded
			if errors.As(err, &le) {
				return nil, ctx.LimitError(engine.LimitValue, fmt.Sprintf("%s: the %s limit of %s bounds the drawing", le.Msg, engine.LimitValue, engine.FormatBytes(ctx.MaxValue())))
			}
			if err != nil {
				return nil, err
			}
			ref, err := media.ImageOut(ctx, img)
			if err != nil {
				return nil, err
			}
			return engine.Single(ref), nil
		},
	})
}

// document renders a Document node's SVG text, as the original's f-string
// writes it (the viewBox escaped).
func document(ctx *engine.Ctx, in *engine.Inputs) (string, error) {
	w, h := in.Int("width"), in.Int("height")
	if w < 1 || h < 1 || w > 4096 || h > 4096 {
		return "", fmt.Errorf("the document size %dx%d: width and height must be from 1 to 4096", w, h)
	}
	b := &bounded.TextBuilder{Budget: ctx}
	wr := writer{b: b}
	head := fmt.Sprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \n     width=\"%d\" \n     height=\"%d\" \n     viewBox=\"%s\">\n    ",
		w, h, escaper.Replace(in.Str("viewBox")))
	if err := b.Add(head); err != nil {
		return "", err
	}
	if err := wr.content(in.Get("content")); err != nil {
		return "", err
	}
	if err := b.Add("\n</svg>"); err != nil {
		return "", err
	}
	return b.String(), nil
}

// withAttr returns a copy of element el with attribute k set to v (the
// children are shared, not copied).
func withAttr(el *pyval.Dict, k, v string) *pyval.Dict {
	out := el.Copy()
	attrs := pyval.NewDict(1)
	if a, ok := get(el, "attributes").(*pyval.Dict); ok {
		attrs = a.Copy()
	}
	attrs.Set(k, v)
	out.Set("attributes", attrs)
	return out
}

// clipID names a clip path after the node and its elements' markup.
func clipID(ctx *engine.Ctx, clipEl, el *pyval.Dict) (string, error) {
	b := &bounded.TextBuilder{Budget: ctx}
	wr := writer{b: b}
	if err := wr.element(clipEl, 0); err != nil {
		return "", err
	}
	if err := wr.element(el, 0); err != nil {
		return "", err
	}
	h := fnv.New64a()
	h.Write([]byte(ctx.NodeID()))
	h.Write([]byte{0})
	h.Write([]byte(b.String()))
	return fmt.Sprintf("clip_path_%016x", h.Sum64()), nil
}

// numText writes a number as Python's str() does (ints without a
// fraction, floats with one).
func numText(v any) string {
	switch n := v.(type) {
	case int64:
		return strconv.FormatInt(n, 10)
	case float64:
		return floatText(n)
	}
	return pyval.Str(v)
}

func floatText(f float64) string { return pyval.Str(f) }
