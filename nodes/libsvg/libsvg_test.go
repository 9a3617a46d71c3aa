package libsvg_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/libsvg"
	"nodetool/nodes/media"
	"nodetool/nodes/nodetest"
)

var update = flag.Bool("update", false, "rewrite testdata/pipeline.svg from the nodes' output")

const ns = "lib.svg."

// TestElementNodes: each shape node makes the element the original makes,
// attributes as strings in its order; float properties are written as
// Python writes floats (the original writes "0%" for a float property
// left at its integer default, "50.0%" once set).
func TestElementNodes(t *testing.T) {
	el := func(name, attrs, content, children string) string {
		return "{'type': 'svg_element', 'name': '" + name + "', 'attributes': {" + attrs + "}, 'content': " + content + ", 'children': [" + children + "]}"
	}
	style := "'fill': '#000000', 'stroke': 'none', 'stroke-width': '1'"
	nodetest.RunCases(t, ns, []nodetest.Case{
		{"Rect", `{}`, el("rect", "'x': '0', 'y': '0', 'width': '100', 'height': '100', "+style, "None", "")},
		{"Rect", `{"x": 5, "fill": {"type": "color", "value": "red"}, "stroke": {"type": "color", "value": "#123456"}, "stroke_width": 3}`,
			el("rect", "'x': '5', 'y': '0', 'width': '100', 'height': '100', 'fill': 'red', 'stroke': '#123456', 'stroke-width': '3'", "None", "")},
		{"Circle", `{"cx": 10, "cy": 20}`, el("circle", "'cx': '10', 'cy': '20', 'r': '50', "+style, "None", "")},
		{"Ellipse", `{}`, el("ellipse", "'cx': '0', 'cy': '0', 'rx': '100', 'ry': '50', "+style, "None", "")},
		{"Line", `{}`, el("line", "'x1': '0', 'y1': '0', 'x2': '100', 'y2': '100', 'stroke': '#000000', 'stroke-width': '1'", "None", "")},
		{"Polygon", `{"points": "0,0 10,0 5,8"}`, el("polygon", "'points': '0,0 10,0 5,8', "+style, "None", "")},
		{"Path", `{"path_data": "M0 0 L10 10"}`, el("path", "'d': 'M0 0 L10 10', "+style, "None", "")},
		{"Text", `{"text": "Hi <you>", "x": 3, "y": 4, "text_anchor": "middle"}`,
			el("text", "'x': '3', 'y': '4', 'font-family': 'Arial', 'font-size': '16', 'fill': '#000000', 'text-anchor': 'middle'", "'Hi <you>'", "")},
		{"GaussianBlur", `{}`, el("filter", "'id': 'filter_gaussian_blur'", "None", el("feGaussianBlur", "'stdDeviation': '3.0'", "None", ""))},
		{"DropShadow", `{"dx": 4, "color": {"type": "color", "value": "#333"}}`, el("filter", "'id': 'filter_drop_shadow'", "None",
			el("feGaussianBlur", "'in': 'SourceAlpha', 'stdDeviation': '3.0'", "None", "")+", "+
				el("feOffset", "'dx': '4', 'dy': '2'", "None", "")+", "+
				el("feFlood", "'flood-color': '#333'", "None", "")+", "+
				el("feComposite", "'operator': 'in', 'in2': 'SourceAlpha'", "None", "")+", "+
				el("feMerge", "", "None", el("feMergeNode", "", "None", "")+", "+el("feMergeNode", "'in': 'SourceGraphic'", "None", "")))},
		{"Gradient", `{}`, el("linearGradient", "'id': 'gradient_linearGradient', 'x1': '0.0%', 'y1': '0.0%', 'x2': '100.0%', 'y2': '100.0%'", "None",
			el("stop", "'offset': '0%', 'style': 'stop-color:#000000;stop-opacity:1'", "None", "")+", "+
				el("stop", "'offset': '100%', 'style': 'stop-color:#FFFFFF;stop-opacity:1'", "None", ""))},
		{"Gradient", `{"gradient_type": "radialGradient", "x1": 50.5, "y1": 50, "x2": 25}`, el("radialGradient", "'id': 'gradient_radialGradient', 'cx': '50.5%', 'cy': '50.0%', 'r': '25.0%'", "None",
			el("stop", "'offset': '0%', 'style': 'stop-color:#000000;stop-opacity:1'", "None", "")+", "+
				el("stop", "'offset': '100%', 'style': 'stop-color:#FFFFFF;stop-opacity:1'", "None", ""))},
		{"Transform", `{"content": ` + rectJSON + `, "translate_x": 10, "rotate": 45.5, "scale_x": 2}`,
			el("rect", "'x': '1', 'transform': 'translate(10.0,0.0) rotate(45.5) scale(2.0,1.0)'", "None", "")},
		{"Transform", `{"content": ` + rectJSON + `}`, el("rect", "'x': '1'", "None", "")},
		{"Transform", `{}`, el("", "", "None", "")},
		{"ClipPath", `{"content": ` + rectJSON + `}`, el("", "", "None", "")},
	})
}

const rectJSON = `{"type": "svg_element", "name": "rect", "attributes": {"x": "1"}, "content": null, "children": []}`

// TestNodesDoNotChangeTheirInput: Transform and ClipPath set an attribute
// on a copy; the element they were given, which another node also
// receives, keeps its attributes.
func TestNodesDoNotChangeTheirInput(t *testing.T) {
	var g nodetest.Graph
	g.Node("r", ns+"Rect", `{"x": 7}`).
		Node("t", ns+"Transform", `{"rotate": 90}`).Edge("r", "output", "t", "content").
		Node("c", ns+"ClipPath", `{"clip_content": `+rectJSON+`}`).Edge("r", "output", "c", "content").
		Output("r", "rect").Output("t", "turned").Output("c", "clipped")
	res := g.Run(t, nodetest.Registry(), engine.Limits{})
	nodetest.WantCompleted(t, res)
	rect := nodetest.Repr(res.Outputs["rect"][0])
	if strings.Contains(rect, "transform") || strings.Contains(rect, "clip-path") {
		t.Errorf("the rect was changed: %s", rect)
	}
	if got := nodetest.Repr(res.Outputs["turned"][0]); !strings.Contains(got, "'transform': 'rotate(90.0)'") {
		t.Errorf("Transform = %s", got)
	}
	clipped := res.Outputs["clipped"][0].(*pyval.Dict)
	kids, _ := clipped.Get("children")
	cp := kids.([]any)[0].(*pyval.Dict).Get
	id, _ := cp("attributes")
	clipID := id.(*pyval.Dict).Str("id")
	target, _ := kids.([]any)[1].(*pyval.Dict).Get("attributes")
	if !strings.HasPrefix(clipID, "clip_path_") || target.(*pyval.Dict).Str("clip-path") != "url(#"+clipID+")" {
		t.Errorf("ClipPath = %s", nodetest.Repr(clipped))
	}
}

// document runs an SVG Document node with content (JSON) and returns the
// document's text.
func document(t *testing.T, content string) string {
	t.Helper()
	ref := nodetest.Output(t, ns+"Document", `{"content": `+content+`, "width": 64, "height": 48, "viewBox": "0 0 32 24"}`, "output").(*pyval.Dict)
	if ref.Str("type") != "svg" {
		t.Fatalf("Document made %s, want an svg ref", nodetest.Repr(ref))
	}
	data, _ := ref.Get("data")
	return string(data.([]byte))
}

// TestDocument: the document is the original's text with its elements one
// per line; user text and attribute values are escaped, and elements
// without content get none (the original wrote "None").
func TestDocument(t *testing.T) {
	text := `{"type": "svg_element", "name": "text", "attributes": {"x": "1", "title": "a \"q\" & b"}, "content": "x < y & \"z\"", "children": []}`
	got := document(t, `[`+rectJSON+`, `+text+`]`)
	want := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \n     width=\"64\" \n     height=\"48\" \n     viewBox=\"0 0 32 24\">\n" +
		"    <rect x=\"1\"></rect>\n<text x=\"1\" title=\"a &quot;q&quot; &amp; b\">x &lt; y &amp; &quot;z&quot;</text>\n</svg>"
	if got != want {
		t.Errorf("Document =\n%s\nwant\n%s", got, want)
	}
	// A string is markup, inserted as it is; one element stands alone.
	if got := document(t, `"<circle r=\"3\"/>"`); !strings.Contains(got, "\n    <circle r=\"3\"/>\n</svg>") {
		t.Errorf("string content: %s", got)
	}
	if got := document(t, rectJSON); !strings.Contains(got, "\n    <rect x=\"1\"></rect>\n</svg>") {
		t.Errorf("element content: %s", got)
	}
	nodetest.RunErrCases(t, ns, []nodetest.Case{
		{"Document", `{"content": {"type": "svg_element", "name": "rect onload=alert(1)", "attributes": {}, "children": []}}`, "is not an SVG element name"},
		{"Document", `{"content": {"type": "svg_element", "name": "rect", "attributes": {"x=\"1\" onload": "1"}, "children": []}}`, "is not an SVG attribute name"},
		{"SVGToImage", `{"content": "<rect"}`, "not well-formed XML"},
		{"SVGToImage", `{"content": "<rect width=\"3\" height=\"3\">&a;</rect>"}`, "not well-formed XML"},
	})
}

// TestSVGToImagePipeline: elements made by the nodes, combined by the
// Document node (its text kept in testdata/pipeline.svg) and drawn by
// SVGToImage at scale 2, match librsvg's rendering of that text at the
// same size (testdata/pipeline.png).
func TestSVGToImagePipeline(t *testing.T) {
	out := func(typ, data string) string {
		return jsonOf(t, nodetest.Output(t, ns+typ, data, "output"))
	}
	grad := out("Gradient", `{"color1": {"type": "color", "value": "#ff8800"}, "color2": {"type": "color", "value": "#0044ff"}, "y2": 0}`)
	bg := out("Rect", `{"width": 200, "height": 150, "fill": {"type": "color", "value": "url(#gradient_linearGradient)"}}`)
	circle := out("Circle", `{"cx": 60, "cy": 70, "radius": 40, "fill": {"type": "color", "value": "#ffffff"}, "stroke": {"type": "color", "value": "#222222"}, "stroke_width": 4}`)
	star := out("Polygon", `{"points": "150,20 160,50 190,50 165,68 175,98 150,80 125,98 135,68 110,50 140,50", "fill": {"type": "color", "value": "gold"}}`)
	turned := out("Transform", `{"content": `+out("Rect", `{"x": -15, "y": -15, "width": 30, "height": 30, "fill": {"type": "color", "value": "#008800"}}`)+`, "translate_x": 150, "translate_y": 120, "rotate": 30}`)
	wave := out("Path", `{"path_data": "M10 140 Q 40 100 70 140 T 130 140", "fill": {"type": "color", "value": "none"}, "stroke": {"type": "color", "value": "#440088"}, "stroke_width": 3}`)
	clipped := out("ClipPath", `{"clip_content": `+out("Circle", `{"cx": 60, "cy": 70, "radius": 25}`)+`, "content": `+out("Rect", `{"x": 30, "y": 40, "width": 60, "height": 60, "fill": {"type": "color", "value": "#cc0000"}}`)+`}`)
	content := "[" + strings.Join([]string{grad, bg, circle, star, turned, wave, clipped}, ", ") + "]"
	params := `"content": ` + content + `, "width": 200, "height": 150, "viewBox": "0 0 200 150"`
	ref := nodetest.Output(t, ns+"Document", "{"+params+"}", "output").(*pyval.Dict)
	data, _ := ref.Get("data")
	if *update {
		if err := os.WriteFile("testdata/pipeline.svg", data.([]byte), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile("testdata/pipeline.svg")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(golden, data.([]byte)) {
		t.Fatalf("the Document node's text differs from testdata/pipeline.svg (-update rewrites it):\n%s", data)
	}
	img := nodetest.Output(t, ns+"SVGToImage", "{"+params+`, "scale": 2}`, "output")
	got := decode(t, img)
	want := readPNG(t, "testdata/pipeline.png")
	if got.Rect != want.Rect {
		t.Fatalf("size %v, want %v", got.Rect, want.Rect)
	}
	for c, e := range meanAbsError(want.Pix, got.Pix) {
		if e > refMAE {
			t.Errorf("channel %d differs from librsvg's rendering by %.2f levels on average", c, e)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// decode returns an image ref's pixels as premultiplied RGBA.
func decode(t *testing.T, v any) *image.RGBA {
	t.Helper()
	ref, ok := v.(*pyval.Dict)
	if !ok || !media.IsRef(ref, media.Image) {
		t.Fatalf("%s is not an image ref", nodetest.Repr(v))
	}
	data, _ := ref.Get("data")
	img, err := png.Decode(bytes.NewReader(data.([]byte)))
	if err != nil {
		t.Fatal(err)
	}
	out := image.NewRGBA(img.Bounds())
	for y := range out.Rect.Dy() {
		for x := range out.Rect.Dx() {
			out.Set(x, y, img.At(x, y))
		}
	}
	return out
}

// TestText: text is drawn with the embedded font, font-size/13 user units
// a font pixel, on its baseline, placed by text-anchor.
func TestText(t *testing.T) {
	box := func(anchor string) image.Rectangle {
		el := jsonOf(t, nodetest.Output(t, ns+"Text", `{"text": "HHHH", "x": 100, "y": 50, "font_size": 26, "text_anchor": "`+anchor+`"}`, "output"))
		img := decode(t, nodetest.Output(t, ns+"SVGToImage", `{"content": [`+el+`], "width": 200, "height": 80, "viewBox": "0 0 200 80"}`, "output"))
		b := image.Rectangle{}
		for y := range img.Rect.Dy() {
			for x := range img.Rect.Dx() {
				if img.Pix[y*img.Stride+4*x+3] > 128 {
					b = b.Union(image.Rect(x, y, x+1, y+1))
				}
			}
		}
		return b
	}
	// Four 7-pixel advances of 2 units; H is lit from the baseline's 9
	// font pixels above it to the baseline.
	start := box("start")
	if start.Min.X != 100 || start.Max.Y != 50 || start.Dx() < 48 || start.Dx() > 56 || start.Dy() < 16 || start.Dy() > 20 {
		t.Errorf("text at start: %v", start)
	}
	if mid := box("middle"); mid.Min.X != start.Min.X-28 || mid.Max.Y != start.Max.Y {
		t.Errorf("text at middle: %v, start %v", mid, start)
	}
	if end := box("end"); end.Min.X != start.Min.X-56 {
		t.Errorf("text at end: %v, start %v", end, start)
	}
}

// TestSVGToImageBudgets: the canvas, a path's points and the pixels the
// shapes touch are bounded by max-value before the work is done.
func TestSVGToImageBudgets(t *testing.T) {
	path := `M0 0` + nodetest.Rep(` L1 1 L2 0`, 3000)
	many := nodetest.Rep(`<rect width=\"4096\" height=\"4096\"/>`, 400)
	nodetest.RunBudgetCases(t, ns, []nodetest.BudgetCase{
		{"canvas", "SVGToImage", `{"width": 4096, "height": 4096, "scale": 10}`, ""},
		{"path points", "SVGToImage", `{"content": "<path d=\"` + path + `\"/>", "width": 8, "height": 8}`, ""},
		{"pixel work", "SVGToImage", `{"content": "` + many + `", "width": 100, "height": 100}`, ""},
		{"document", "Document", `{"content": "` + nodetest.Rep("x", 70000) + `"}`, ""},
	})
	// One element listed many times (a list whose items share it) is
	// written once per item, within max-value.
	var g nodetest.Graph
	g.Node("r", ns+"Rect", `{}`).Node("l0", "nodetool.list.Append", `{"values": []}`).Edge("r", "output", "l0", "value")
	list := "l0"
	for i := 1; i <= 11; i++ { // 2048 items
		next := fmt.Sprintf("l%d", i)
		g.Node(next, "nodetool.list.Extend", "").Edge(list, "output", next, "values").Edge(list, "output", next, "other_values")
		list = next
	}
	g.Node("n", ns+"Document", `{}`).Edge(list, "output", "n", "content").Output("n", "doc")
	nodetest.WantValueLimit(t, g.Run(t, nodetest.Registry(), nodetest.SmallLimits), "n")
}

// TestRasterizeAttributeBound: a document with more attributes than the
// renderer reads is refused before the XML decoder allocates them.
func TestRasterizeAttributeBound(t *testing.T) {
	doc := `<svg xmlns="http://www.w3.org/2000/svg"><g ` + strings.Repeat(`a="" `, 400001) + `/></svg>`
	_, err := libsvg.Rasterize(pyval.Unlimited, []byte(doc), 8, 8)
	var le *libsvg.LimitExceeded
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "attributes") {
		t.Errorf("Rasterize = %v, want the attribute bound", err)
	}
}

// TestSVGToImageDeadline: a drawing far longer than the node's time
// budget stops at it (the renderer checks its context between shapes and
// rows).
func TestSVGToImageDeadline(t *testing.T) {
	many := nodetest.Rep(`<circle cx=\"2000\" cy=\"2000\" r=\"2000\" fill=\"#808080\" opacity=\"0.5\"/>`, 2000)
	res := nodetest.RunLimits(t, nil, nodetest.OneNode(ns+"SVGToImage", `{"content": "`+many+`", "width": 4000, "height": 4000, "viewBox": "0 0 4000 4000"}`),
		engine.Limits{Node: 100 * time.Millisecond})
	nodetest.WantLimit(t, res, engine.LimitNodeTimeout, "n")
}
