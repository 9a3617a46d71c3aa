package audio

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/ffmpeg"
	"nodetool/lang/pyval"
	"nodetool/lang/wav"
	"nodetool/nodes/media"
	"nodetool/nodes/runfiles"
	"nodetool/nodes/speech"
	"nodetool/providers"
)

// Deps are what the audio nodes need.
type Deps struct {
	Models  speech.Models
	Sources media.Sources
	// FFmpeg decodes and encodes compressed formats; nil when it is not
	// installed (FFmpegMissing says so): WAV still works.
	FFmpeg        *ffmpeg.Tools
	FFmpegMissing error
	// Assets list the asset folders of the run's user (the editor's
	// store) for Load Audio Assets; nil: it fails saying so.
	Assets runfiles.Assets
}

// Register adds the nodetool.audio nodes.
func Register(r *engine.Registry, d Deps) {
	l := &lib{Deps: d}
	procs := map[string]engine.ProcessFunc{
		"AudioMixer": l.mixer, "AudioToNumpy": l.toNumpy, "Concat": l.concat, "ConcatList": l.concatList,
		"ConvertToArray": l.toArray, "CreateSilence": l.createSilence, "FadeIn": l.fade(true), "FadeOut": l.fade(false),
		"LoadAudioAssets": nil, "LoadAudioFile": l.loadFile, "MonoToStereo": l.monoToStereo, "Normalize": l.normalize,
		"NumpyToAudio": l.fromNumpy, "OverlayAudio": l.overlay, "RemoveSilence": l.removeSilence, "Repeat": l.repeat,
		"Reverse": l.reverse, "SaveAudio": l.saveAudio, "SaveAudioFile": l.saveFile, "SliceAudio": l.slice("start", "end"),
		"StereoToMono": l.stereoToMono, "Trim": l.slice("start", "end"),
	}
	for _, def := range catalog() {
		class := def.Type[strings.LastIndexByte(def.Type, '.')+1:]
		switch class {
		case "LoadAudioAssets":
			def.Gen = func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
				return media.LoadAssets(ctx, d.Assets, in.Get("folder"), media.Audio, emit)
			}
		case "LoadAudioFolder":
			def.Gen = l.loadFolder
		case "ChunkToAudio":
			def.Run = l.chunkToAudio
		case "TextToSpeech":
			def.Gen = l.textToSpeech
			def.Check = speech.Check[providers.Speaker](d.Models, "model", "speak text", speech.ModelRef)
		default:
			def.Process = procs[class]
		}
		r.Add(def)
	}
}

type lib struct{ Deps }

// load decodes an audio ref: WAV in Go, other formats through ffmpeg.
func (l *lib) load(ctx *engine.Ctx, v any, what string) (*wav.Audio, error) {
	if !media.IsSet(v) {
		return nil, fmt.Errorf("no %s given: connect or set it", what)
	}
	b, err := l.Sources.Read(ctx, v)
	if err != nil {
		return nil, err
	}
	return l.decode(ctx, b)
}

func (l *lib) decode(ctx *engine.Ctx, b []byte) (*wav.Audio, error) {
	if !wav.IsWAV(b) {
		if l.FFmpeg == nil {
			_, mime := media.Sniff(b)
			return nil, fmt.Errorf("the audio is %s, not WAV: decoding it needs ffmpeg (%v)", mime, l.FFmpegMissing)
		}
		conv, err := l.transcode(ctx, b, "pcm_s16le", "wav")
		if err != nil {
			return nil, err
		}
		b = conv
	}
	a, _, err := wav.Decode(b, ctx.MaxValue())
	if errors.Is(err, wav.ErrTooLarge) {
		return nil, ctx.CheckSize(ctx.MaxValue() + 1)
	}
	return a, err
}

// transcode runs ffmpeg from any audio to codec in container ext.
func (l *lib) transcode(ctx *engine.Ctx, b []byte, codec, ext string) ([]byte, error) {
	dir, err := ffmpeg.NewDir()
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	in, err := dir.Put("in.bin", b)
	if err != nil {
		return nil, err
	}
	out, err := dir.File("out." + ext)
	if err != nil {
		return nil, err
	}
	c, err := ffmpeg.Value(codec)
	if err != nil {
		return nil, err
	}
	if err := l.FFmpeg.Run(ctx, ctx.MaxValue(), ffmpeg.Flag("-i"), in, ffmpeg.Flag("-vn"), ffmpeg.Flag("-c:a"), c, out); err != nil {
		return nil, err
	}
	return dir.Read("out."+ext, ctx.MaxValue())
}

// out encodes audio as a 16-bit WAV ref, within the budget.
func out(ctx *engine.Ctx, a *wav.Audio) (map[string]any, error) {
	ref, err := ref(ctx, a)
	if err != nil {
		return nil, err
	}
	return engine.Single(ref), nil
}

func ref(ctx *engine.Ctx, a *wav.Audio) (*pyval.Dict, error) {
	if err := ctx.CheckSize(wav.EncodedSize(int64(a.Frames()), a.Channels, wav.PCM16)); err != nil {
		return nil, err
	}
	b, err := wav.Encode(a, wav.PCM16)
	if err != nil {
		return nil, err
	}
	return media.Ref(media.Audio, b), nil
}

func (l *lib) unary(f func(pyval.Budget, *wav.Audio) (*wav.Audio, error)) engine.ProcessFunc {
	return func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
		a, err := l.load(ctx, in.Get("audio"), "audio")
		if err != nil {
			return nil, err
		}
		r, err := f(ctx, a)
		if err != nil {
			return nil, err
		}
		return out(ctx, r)
	}
}

func (l *lib) normalize(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	return l.unary(normalize)(ctx, in)
}

func (l *lib) reverse(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	return l.unary(reverse)(ctx, in)
}

func (l *lib) monoToStereo(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	return l.unary(func(b pyval.Budget, a *wav.Audio) (*wav.Audio, error) {
		if a.Channels != 1 {
			return a, nil
		}
		return setChannels(b, a, 2)
	})(ctx, in)
}

func (l *lib) stereoToMono(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	method := in.Str("method")
	return l.unary(func(b pyval.Budget, a *wav.Audio) (*wav.Audio, error) {
		if a.Channels == 1 {
			return a, nil
		}
		switch method {
		case "average":
			return setChannels(b, a, 1)
		case "left":
			return channel(b, a, 0)
		case "right":
			return channel(b, a, 1)
		}
		return nil, errors.New("Invalid method. Choose 'average', 'left', or 'right'.")
	})(ctx, in)
}

func (l *lib) fade(in bool) engine.ProcessFunc {
	return func(ctx *engine.Ctx, inputs *engine.Inputs) (map[string]any, error) {
		secs := inputs.Float("duration")
		return l.unary(func(b pyval.Budget, a *wav.Audio) (*wav.Audio, error) { return fade(b, a, secs, in) })(ctx, inputs)
	}
}

func (l *lib) repeat(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	loops := in.Int("loops")
	if loops < 1 || loops > 100 {
		return nil, fmt.Errorf("loops is %d: give 1 to 100", loops)
	}
	return l.unary(func(b pyval.Budget, a *wav.Audio) (*wav.Audio, error) { return repeat(b, a, loops) })(ctx, in)
}

// slice keeps start..end seconds. end 0 or less (Trim's default) keeps
// to the end: in the original it gave empty audio.
func (l *lib) slice(startProp, endProp string) engine.ProcessFunc {
	return func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
		start, end := in.Float(startProp), in.Float(endProp)
		if start < 0 || end < 0 {
			return nil, fmt.Errorf("start and end must be 0 or more seconds (start %v, end %v)", start, end)
		}
		return l.unary(func(b pyval.Budget, a *wav.Audio) (*wav.Audio, error) {
			e := end
			if e == 0 {
				e = a.Duration()
			}
			return slice(b, a, start, e)
		})(ctx, in)
	}
}

func (l *lib) removeSilence(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	minLen, thr, red, xf, between := in.Int("min_length"), in.Int("threshold"), in.Float("reduction_factor"), in.Int("crossfade"), in.Int("min_silence_between_parts")
	switch {
	case minLen < 0 || minLen > 10000:
		return nil, fmt.Errorf("min_length %d: give 0 to 10000 ms", minLen)
	case thr < -60 || thr > 0:
		return nil, fmt.Errorf("threshold %d: give -60 to 0 dB", thr)
	case red < 0 || red > 1 || math.IsNaN(red):
		return nil, fmt.Errorf("reduction_factor %v: give 0 to 1", red)
	case xf < 0 || xf > 50:
		return nil, fmt.Errorf("crossfade %d: give 0 to 50 ms", xf)
	case between < 0 || between > 500:
		return nil, fmt.Errorf("min_silence_between_parts %d: give 0 to 500 ms", between)
	}
	return l.unary(func(b pyval.Budget, a *wav.Audio) (*wav.Audio, error) {
		return removeSilence(b, a, minLen, thr, red, xf, between)
	})(ctx, in)
}

func (l *lib) concat(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	a, err := l.load(ctx, in.Get("a"), "first audio (a)")
	if err != nil {
		return nil, err
	}
	b, err := l.load(ctx, in.Get("b"), "second audio (b)")
	if err != nil {
		return nil, err
	}
	r, err := concat(ctx, a, b)
	if err != nil {
		return nil, err
	}
	return out(ctx, r)
}

func (l *lib) concatList(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	list := in.List("audio_files")
	switch len(list) {
	case 0:
		return engine.Single(media.Ref(media.Audio, nil)), nil
	case 1:
		return engine.Single(list[0]), nil
	}
	parts := make([]*wav.Audio, 0, len(list))
	var size int64
	for i, v := range list {
		a, err := l.load(ctx, v, fmt.Sprintf("audio file %d", i))
		if err != nil {
			return nil, err
		}
		if size += int64(len(a.Samples)) * 4; size > ctx.MaxValue() {
			return nil, ctx.CheckSize(size)
		}
		parts = append(parts, a)
	}
	r, err := concat(ctx, parts...)
	if err != nil {
		return nil, err
	}
	return out(ctx, r)
}

func (l *lib) overlay(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	a, err := l.load(ctx, in.Get("a"), "first audio (a)")
	if err != nil {
		return nil, err
	}
	b, err := l.load(ctx, in.Get("b"), "second audio (b)")
	if err != nil {
		return nil, err
	}
	r, err := overlay(ctx, a, b, 1)
	if err != nil {
		return nil, err
	}
	return out(ctx, r)
}

// mixer overlays up to five tracks, each scaled by its volume (0 to 2,
// a linear gain: the original passed volume - 1 to pydub's apply_gain as
// decibels, so 0 only lowered a track by 1 dB).
func (l *lib) mixer(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	var mixed *wav.Audio
	for i := 1; i <= 5; i++ {
		v := in.Get(fmt.Sprintf("track%d", i))
		if !media.IsSet(v) {
			continue
		}
		vol := in.Float(fmt.Sprintf("volume%d", i))
		if vol < 0 || vol > 2 || math.IsNaN(vol) {
			return nil, fmt.Errorf("volume%d is %v: give 0 to 2", i, vol)
		}
		a, err := l.load(ctx, v, fmt.Sprintf("track%d", i))
		if err != nil {
			return nil, err
		}
		if mixed == nil {
			if mixed, err = scale(ctx, a, float32(vol)); err != nil {
				return nil, err
			}
			continue
		}
		if mixed, err = overlay(ctx, mixed, a, float32(vol)); err != nil {
			return nil, err
		}
	}
	if mixed == nil {
		return nil, errors.New("At least one audio track must be provided")
	}
	return out(ctx, mixed)
}

// createSilence is mono silence at 11025 Hz, as pydub's silent().
func (l *lib) createSilence(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	secs := in.Float("duration")
	if secs < 0 {
		return nil, fmt.Errorf("duration %v: give 0 or more seconds", secs)
	}
	a, err := silence(ctx, secs, 11025)
	if err != nil {
		return nil, err
	}
	return out(ctx, a)
}

// npArray is NodeTool's NPArray value.
func npArray(values []any, dtype string, shape ...int64) *pyval.Dict {
	sh := make([]any, len(shape))
	for i, s := range shape {
		sh[i] = s
	}
	return pyval.DictOf("type", "np_array", "value", values, "dtype", dtype, "shape", sh)
}

// toNumpy is the samples as floats in [-1, 1], frames x channels for
// more than one channel.
func (l *lib) toNumpy(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	a, err := l.load(ctx, in.Get("audio"), "audio")
	if err != nil {
		return nil, err
	}
	if err := ctx.CheckItems(int64(len(a.Samples))); err != nil {
		return nil, err
	}
	var arr *pyval.Dict
	if a.Channels == 1 {
		vals := make([]any, len(a.Samples))
		for i, v := range a.Samples {
			vals[i] = float64(v)
		}
		arr = npArray(vals, "float32", int64(len(vals)))
	} else {
		rows := make([]any, a.Frames())
		for i := range rows {
			row := make([]any, a.Channels)
			for c := range row {
				row[c] = float64(a.Samples[i*a.Channels+c])
			}
			rows[i] = row
		}
		arr = npArray(rows, "float32", int64(len(rows)), int64(a.Channels))
	}
	return map[string]any{"array": arr, "sample_rate": int64(a.Rate), "channels": int64(a.Channels)}, nil
}

// toArray is the interleaved 16-bit samples as integers (pydub's
// get_array_of_samples).
func (l *lib) toArray(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	a, err := l.load(ctx, in.Get("audio"), "audio")
	if err != nil {
		return nil, err
	}
	if err := ctx.CheckItems(int64(len(a.Samples))); err != nil {
		return nil, err
	}
	vals := make([]any, len(a.Samples))
	for i, v := range a.Samples {
		vals[i] = int64(math.Round(float64(clip(v)) * 32767))
	}
	return engine.Single(npArray(vals, "int64", int64(len(vals)))), nil
}

// fromNumpy makes audio of an array's samples: integers of the array's
// dtype width (int16 by default), or floats in [-1, 1].
func (l *lib) fromNumpy(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	arr := in.Dict("array")
	if arr == nil {
		return nil, errors.New("no array given")
	}
	rate, ch := in.Int("sample_rate"), in.Int("channels")
	if rate < 1 || rate > wav.MaxRate || ch < 1 || ch > wav.MaxChannels {
		return nil, fmt.Errorf("sample_rate %d and channels %d: give 1 to %d Hz and 1 to %d channels", rate, ch, wav.MaxRate, wav.MaxChannels)
	}
	raw, _ := arr.Get("value")
	flat := []float64{}
	var walk func(v any) error
	walk = func(v any) error {
		if err := ctx.Tick(); err != nil {
			return err
		}
		switch t := v.(type) {
		case []any:
			for _, x := range t {
				if err := walk(x); err != nil {
					return err
				}
			}
		case float64:
			flat = append(flat, t)
		case int64:
			flat = append(flat, float64(t))
		case bool:
			flat = append(flat, map[bool]float64{true: 1}[t])
		case nil:
		default:
			return fmt.Errorf("the array holds %s, not numbers", pyval.TypeName(v))
		}
		if int64(len(flat))*4 > ctx.MaxValue() {
			return ctx.CheckSize(int64(len(flat)) * 4)
		}
		return nil
	}
	if err := walk(raw); err != nil {
		return nil, err
	}
	dtype := strings.TrimLeft(arr.Str("dtype"), "<>=|")
	var full float64
	switch dtype {
	case "", "i2", "int16":
		full = 32768
	case "i1", "int8":
		full = 128
	case "u1", "uint8":
		full = 128
	case "i4", "int32":
		full = 2147483648
	case "i8", "int64":
		full = 9223372036854775808
	case "f4", "f8", "float32", "float64":
		full = 1
	default:
		return nil, fmt.Errorf("dtype %q is not an audio sample type (int8/16/32/64, uint8, float32/64)", arr.Str("dtype"))
	}
	frames := int64(len(flat)) / ch
	a, err := newAudio(ctx, int(rate), int(ch), frames)
	if err != nil {
		return nil, err
	}
	for i := range a.Samples {
		v := flat[i]
		if dtype == "u1" || dtype == "uint8" {
			v -= 128
		}
		a.Samples[i] = clip(float32(v / full))
	}
	return out(ctx, a)
}

func (l *lib) loadFile(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	p := in.Str("path")
	if p == "" {
		return nil, errors.New("path cannot be empty")
	}
	b, err := media.ReadFile(ctx, p)
	if err != nil {
		return nil, err
	}
	r := media.Ref(media.Audio, b)
	r.Set("uri", p)
	return engine.Single(r), nil
}

// loadFolder walks a folder of the workspace for audio files.
func (l *lib) loadFolder(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
	folder := strings.TrimPrefix(in.Str("folder"), "./")
	if folder == "" {
		return errors.New("folder cannot be empty")
	}
	exts := map[string]bool{}
	for _, e := range in.List("extensions") {
		if s, ok := e.(string); ok {
			exts[strings.ToLower(s)] = true
		}
	}
	root, err := ctx.Workspace()
	if err != nil {
		return err
	}
	defer root.Close()
	sub := in.Bool("include_subdirectories")
	return fs.WalkDir(root.FS(), path.Clean(folder), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("folder %q in the workspace: %w", folder, err)
		}
		if err := ctx.Tick(); err != nil {
			return err
		}
		if e.IsDir() {
			if p != path.Clean(folder) && !sub {
				return fs.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() || !exts[strings.ToLower(path.Ext(p))] {
			return nil
		}
		b, err := media.ReadFile(ctx, p)
		if err != nil {
			return err
		}
		r := media.Ref(media.Audio, b)
		r.Set("uri", p)
		if err := emit("audio", r); err != nil {
			return err
		}
		return emit("path", p)
	})
}

// saveAudio passes the audio on as the node's result, which the editor
// stores among the job's assets (the original saved it to an asset
// folder under a timestamped name).
func (l *lib) saveAudio(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	v := in.Get("audio")
	if !media.IsSet(v) {
		return nil, errors.New("no audio given: connect or set it")
	}
	b, err := l.Sources.Read(ctx, v)
	if err != nil {
		return nil, err
	}
	r := media.Ref(media.Audio, b)
	r.Set("uri", timestamped(in.Str("name"), time.Now()))
	return engine.Single(r), nil
}

// saveFile writes the audio into the run's workspace, in the format its
// extension names (WAV in Go, the others through ffmpeg).
func (l *lib) saveFile(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	folder, name := in.Str("folder"), in.Str("filename")
	if folder == "" {
		return nil, errors.New("folder cannot be empty")
	}
	if name == "" {
		return nil, errors.New("filename cannot be empty")
	}
	name = timestamped(name, time.Now())
	formats := map[string]string{".mp3": "libmp3lame", ".wav": "", ".ogg": "libvorbis", ".flac": "flac", ".aac": "aac", ".m4a": "aac"}
	ext := strings.ToLower(path.Ext(name))
	codec, ok := formats[ext]
	if !ok {
		return nil, fmt.Errorf("Unsupported audio format: %s. Supported formats: .mp3, .wav, .ogg, .flac, .aac, .m4a", path.Ext(name))
	}
	a, err := l.load(ctx, in.Get("audio"), "audio")
	if err != nil {
		return nil, err
	}
	r, err := ref(ctx, a)
	if err != nil {
		return nil, err
	}
	data, _ := r.Get("data")
	b := data.([]byte)
	if codec != "" {
		if l.FFmpeg == nil {
			return nil, fmt.Errorf("writing %s needs ffmpeg (%v); .wav needs nothing", ext, l.FFmpegMissing)
		}
		if b, err = l.transcode(ctx, b, codec, containerExt(ext)); err != nil {
			return nil, err
		}
	}
	root, err := ctx.Workspace()
	if err != nil {
		return nil, err
	}
	defer root.Close()
	folder = strings.TrimPrefix(path.Clean(folder), "/")
	if err := root.MkdirAll(folder, 0o755); err != nil {
		return nil, fmt.Errorf("folder %q in the workspace: %w", folder, err)
	}
	p := path.Join(folder, name)
	f, err := root.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("writing %q in the workspace: %w", p, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	res := media.Ref(media.Audio, b)
	res.Set("uri", p)
	return engine.Single(res), nil
}

// containerExt is the file extension ffmpeg picks its muxer by.
func containerExt(ext string) string {
	if ext == ".aac" {
		return "adts"
	}
	return strings.TrimPrefix(ext, ".")
}

// timestamped expands %Y %m %d %H %M %S in name.
func timestamped(name string, t time.Time) string {
	return strings.NewReplacer("%Y", t.Format("2006"), "%m", t.Format("01"), "%d", t.Format("02"),
		"%H", t.Format("15"), "%M", t.Format("04"), "%S", t.Format("05")).Replace(name)
}

// chunkToAudio gathers audio chunks (base64 PCM 16-bit, or WAV) and
// emits one audio per batch_size chunks, and the rest at the end.
func (l *lib) chunkToAudio(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
	batch := in.Int("batch_size")
	if batch < 1 {
		batch = 1
	}
	var parts []*wav.Audio
	var size int64
	flush := func() error {
		if len(parts) == 0 {
			return nil
		}
		a, err := concat(ctx, parts...)
		if err != nil {
			return err
		}
		parts, size = nil, 0
		r, err := ref(ctx, a)
		if err != nil {
			return err
		}
		return emit("audio", r)
	}
	for {
		v, ok, err := inbox.NextOn(ctx, "chunk")
		if err != nil {
			return err
		}
		if !ok {
			return flush()
		}
		c, _ := v.(*pyval.Dict)
		if c == nil || c.Str("content_type") != "audio" || c.Str("content") == "" {
			continue
		}
		if err := ctx.CheckSize(int64(len(c.Str("content"))) * 3 / 4); err != nil {
			return err
		}
		raw, err := base64.StdEncoding.DecodeString(c.Str("content"))
		if err != nil {
			ctx.Log("warning", "ChunkToAudio: a chunk is not base64: "+err.Error())
			continue
		}
		var a *wav.Audio
		meta, _ := c.Get("content_metadata")
		md, _ := meta.(*pyval.Dict)
		if md != nil && (md.Str("format") == "pcm16le" || md.Str("encoding") == "pcm16le" || md.Str("dtype") == "int16") {
			rate, chans := int64(44100), int64(1)
			if r, ok := md.Get("sample_rate"); ok {
				if n, ok := r.(int64); ok {
					rate = n
				}
			}
			if r, ok := md.Get("channels"); ok {
				if n, ok := r.(int64); ok {
					chans = n
				}
			}
			if a, err = newAudio(ctx, int(rate), int(chans), int64(len(raw))/2/max(1, chans)); err != nil {
				return err
			}
			for i := range a.Samples {
				a.Samples[i] = float32(int16(uint16(raw[2*i])|uint16(raw[2*i+1])<<8)) / 32768
			}
		} else if a, err = l.decode(ctx, raw); err != nil {
			ctx.Log("warning", "ChunkToAudio: a chunk is not audio: "+err.Error())
			continue
		}
		if size += int64(len(a.Samples)) * 4; size > ctx.MaxValue() {
			return ctx.CheckSize(size)
		}
		parts = append(parts, a)
		if int64(len(parts)) >= batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// textToSpeech speaks the text through the model's provider. It emits
// the audio as one chunk (16-bit PCM at the audio's rate, base64, as the
// original's chunks), then the final audio with a done chunk.
func (l *lib) textToSpeech(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
	model := in.Dict("model")
	provider, id := speech.ModelRef(model)
	sp, m, err := speech.Route[providers.Speaker](l.Models, provider, id, "speak text")
	if err != nil {
		return fmt.Errorf("%s cannot use its model: %w", ctx.Title(), err)
	}
	voice := ""
	if model != nil {
		voice = model.Str("selected_voice")
		if voice == "" {
			if vs, ok := model.Get("voices"); ok {
				if list, ok := vs.([]any); ok && len(list) > 0 {
					voice, _ = list[0].(string)
				}
			}
		}
	}
	speed := max(0.25, min(4, in.Float("speed")))
	res, err := sp.Speech(ctx, &providers.SpeechRequest{Model: m, Input: in.Str("text"), Voice: voice, Format: "wav", Speed: &speed})
	if err != nil {
		return err
	}
	if err := ctx.CheckSize(int64(len(res.Audio)) * 2); err != nil {
		return err
	}
	a, err := l.decode(ctx, res.Audio)
	if err != nil {
		return fmt.Errorf("the speech is not readable audio: %w", err)
	}
	pcm := make([]byte, 2*len(a.Samples))
	for i, v := range a.Samples {
		s := int16(max(-32768, min(32767, math.Round(float64(v)*32768))))
		pcm[2*i], pcm[2*i+1] = byte(s), byte(uint16(s)>>8)
	}
	meta := pyval.DictOf("sample_rate", int64(a.Rate), "channels", int64(a.Channels), "dtype", "int16")
	chunk := pyval.DictOf("type", "chunk", "node_id", ctx.NodeID(), "content_type", "audio",
		"content", base64.StdEncoding.EncodeToString(pcm), "content_metadata", meta, "done", false, "thinking", false)
	if err := emit("chunk", chunk); err != nil {
		return err
	}
	if err := emit("audio", media.Ref(media.Audio, res.Audio)); err != nil {
		return err
	}
	done := pyval.DictOf("type", "chunk", "node_id", ctx.NodeID(), "content_type", "audio", "content", "",
		"content_metadata", pyval.DictOf(), "done", true, "thinking", false)
	return emit("chunk", done)
}
