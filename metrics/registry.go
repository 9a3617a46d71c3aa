// Package metrics keeps a server's measurements and writes them in the
// Prometheus text exposition format (version 0.0.4), by hand: counters,
// gauges and histograms with fixed label names, whose series are created
// on first use and never removed. There is no global registry: run builds
// one Registry per server and hands its observers to the packages that
// measure (httpapi, engine, store, providers' HTTP clients).
//
// Label values must come from bounded sets (route patterns, node types,
// status codes), never from raw paths, ids or user input: every series
// lives as long as the server.
package metrics

import (
	"bufio"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry is the set of metric families of one server. It is safe for
// concurrent use.
type Registry struct {
	mu       sync.Mutex
	families []*family
}

// New returns an empty registry.
func New() *Registry { return &Registry{} }

type kind uint8

const (
	counterKind kind = iota
	gaugeKind
	histogramKind
)

var kindNames = [...]string{counterKind: "counter", gaugeKind: "gauge", histogramKind: "histogram"}

// family is one metric: its name, help, type, label names, and series.
type family struct {
	name, help string
	kind       kind
	labels     []string
	buckets    []float64 // histograms: upper bounds, ascending, without +Inf

	mu     sync.Mutex                         // serialises the creation of series
	series atomic.Pointer[map[string]*series] // copy on write: reads take no lock
	fn     func() float64                     // gauges and counters read at scrape time
}

// series is one labelled time series.
type series struct {
	values []string
	n      atomic.Uint64   // counters: the count; gauges: the value's bits (float64)
	counts []atomic.Uint64 // histograms: per bucket (not cumulative), then +Inf
	sum    atomic.Uint64   // histograms: float64 bits of the sum
}

func (r *Registry) add(f *family) *family {
	if !validName(f.name) {
		panic("metrics: invalid metric name " + f.name)
	}
	for _, l := range f.labels {
		if !validName(l) || l == "le" {
			panic("metrics: invalid label name " + l)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, g := range r.families {
		if g.name == f.name {
			panic("metrics: " + f.name + " registered twice")
		}
	}
	m := map[string]*series{}
	f.series.Store(&m)
	r.families = append(r.families, f)
	return f
}

// validName reports whether s is a Prometheus metric or label name.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// with returns the series of the label values, creating it on first use.
func (f *family) with(values []string) *series {
	if len(values) != len(f.labels) {
		panic("metrics: " + f.name + " takes labels " + strings.Join(f.labels, ", "))
	}
	key := strings.Join(values, "\xff")
	if s, ok := (*f.series.Load())[key]; ok {
		return s
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old := *f.series.Load()
	if s, ok := old[key]; ok {
		return s
	}
	s := &series{values: slices.Clone(values)}
	if f.kind == histogramKind {
		s.counts = make([]atomic.Uint64, len(f.buckets)+1)
	}
	m := make(map[string]*series, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[key] = s
	f.series.Store(&m)
	return s
}

// Counter is a count that only goes up.
type Counter struct{ s *series }

// Add adds n.
func (c Counter) Add(n uint64) { c.s.n.Add(n) }

// Inc adds one.
func (c Counter) Inc() { c.s.n.Add(1) }

// CounterVec is a counter family with labels.
type CounterVec struct{ f *family }

// Counter registers a counter. name should end in _total.
func (r *Registry) Counter(name, help string, labels ...string) CounterVec {
	return CounterVec{r.add(&family{name: name, help: help, kind: counterKind, labels: labels})}
}

// With returns the counter of the label values (one per label, in order).
func (v CounterVec) With(values ...string) Counter { return Counter{v.f.with(values)} }

// Gauge is a value that goes up and down.
type Gauge struct{ s *series }

// Add adds d (negative to subtract).
func (g Gauge) Add(d float64) {
	for {
		old := g.s.n.Load()
		if g.s.n.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+d)) {
			return
		}
	}
}

// GaugeVec is a gauge family with labels.
type GaugeVec struct{ f *family }

// Gauge registers a gauge.
func (r *Registry) Gauge(name, help string, labels ...string) GaugeVec {
	return GaugeVec{r.add(&family{name: name, help: help, kind: gaugeKind, labels: labels})}
}

// With returns the gauge of the label values.
func (v GaugeVec) With(values ...string) Gauge { return Gauge{v.f.with(values)} }

// GaugeFunc registers a gauge without labels whose value fn gives at each
// scrape.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	r.add(&family{name: name, help: help, kind: gaugeKind, fn: fn})
}

// CounterFunc registers a counter without labels whose value fn gives at
// each scrape (a count kept elsewhere, such as the runtime's).
func (r *Registry) CounterFunc(name, help string, fn func() float64) {
	r.add(&family{name: name, help: help, kind: counterKind, fn: fn})
}

// Histogram counts observations in buckets.
type Histogram struct {
	s       *series
	buckets []float64
}

// Observe records v (in the metric's base unit: seconds, bytes).
func (h Histogram) Observe(v float64) {
	i, _ := slices.BinarySearch(h.buckets, v) // the first bucket whose bound is >= v
	h.s.counts[i].Add(1)
	for {
		old := h.s.sum.Load()
		if h.s.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// HistogramVec is a histogram family with labels.
type HistogramVec struct{ f *family }

// Histogram registers a histogram with the given bucket bounds
// (ascending; +Inf is implied). name should end in a base unit
// (_seconds, _bytes).
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) HistogramVec {
	if !slices.IsSorted(buckets) || len(buckets) == 0 {
		panic("metrics: " + name + ": buckets must be ascending")
	}
	return HistogramVec{r.add(&family{name: name, help: help, kind: histogramKind, labels: labels, buckets: slices.Clone(buckets)})}
}

// With returns the histogram of the label values.
func (v HistogramVec) With(values ...string) Histogram {
	return Histogram{s: v.f.with(values), buckets: v.f.buckets}
}

// DurationBuckets suit request and run durations: 0.5 ms to 60 s.
var DurationBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// WriteTo writes every family in the text exposition format, families
// sorted by name and series by label values.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	fams := slices.Clone(r.families)
	r.mu.Unlock()
	slices.SortFunc(fams, func(a, b *family) int { return strings.Compare(a.name, b.name) })
	cw := &countWriter{w: bufio.NewWriterSize(w, 32<<10)}
	for _, f := range fams {
		f.write(cw)
	}
	err := cw.w.Flush()
	if cw.err != nil {
		err = cw.err
	}
	return cw.n, err
}

type countWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (c *countWriter) str(s string) {
	if c.err != nil {
		return
	}
	n, err := c.w.WriteString(s)
	c.n += int64(n)
	c.err = err
}

func (f *family) write(w *countWriter) {
	w.str("# HELP " + f.name + " " + escapeHelp(f.help) + "\n")
	w.str("# TYPE " + f.name + " " + kindNames[f.kind] + "\n")
	if f.fn != nil {
		w.str(f.name + " " + formatFloat(f.fn()) + "\n")
		return
	}
	m := *f.series.Load()
	all := make([]*series, 0, len(m))
	for _, s := range m {
		all = append(all, s)
	}
	slices.SortFunc(all, func(a, b *series) int { return slices.Compare(a.values, b.values) })
	for _, s := range all {
		labels := f.labelText(s.values, "", "")
		switch f.kind {
		case counterKind:
			w.str(f.name + labels + " " + strconv.FormatUint(s.n.Load(), 10) + "\n")
		case gaugeKind:
			w.str(f.name + labels + " " + formatFloat(math.Float64frombits(s.n.Load())) + "\n")
		case histogramKind:
			var cum uint64
			for i := range s.counts {
				cum += s.counts[i].Load()
				le := "+Inf"
				if i < len(f.buckets) {
					le = formatFloat(f.buckets[i])
				}
				w.str(f.name + "_bucket" + f.labelText(s.values, "le", le) + " " + strconv.FormatUint(cum, 10) + "\n")
			}
			w.str(f.name + "_sum" + labels + " " + formatFloat(math.Float64frombits(s.sum.Load())) + "\n")
			w.str(f.name + "_count" + labels + " " + strconv.FormatUint(cum, 10) + "\n")
		}
	}
}

// labelText is {a="x",b="y"} (with le last, if given), or "" for none.
func (f *family) labelText(values []string, le, leValue string) string {
	if len(values) == 0 && le == "" {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.labels[i])
		b.WriteString(`="`)
		b.WriteString(escapeValue(v))
		b.WriteByte('"')
	}
	if le != "" {
		if len(values) > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`le="` + leValue + `"`)
	}
	b.WriteByte('}')
	return b.String()
}

var (
	valueEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeValue(s string) string { return valueEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Handler serves the registry (GET /metrics).
func (r *Registry) Handler() http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Cache-Control", "no-store")
		r.WriteTo(w)
	}
}
