package video

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/ffmpeg"
	"nodetool/lang/pyval"
	"nodetool/nodes/media"
	"nodetool/nodes/runfiles"
	"nodetool/nodes/speech"
	"nodetool/providers"
)

// Deps are what the video nodes need.
type Deps struct {
	Models  speech.Models
	Sources media.Sources
	// FFmpeg runs ffmpeg and ffprobe; nil when they are not installed
	// (FFmpegMissing says why): validation then refuses the nodes.
	FFmpeg        *ffmpeg.Tools
	FFmpegMissing error
	// Assets list the asset folders of the run's user (the editor's
	// store) for Load Video Folder; nil: it fails saying so.
	Assets runfiles.Assets
}

type lib struct{ Deps }

// Register adds the nodetool.video nodes.
func Register(r *engine.Registry, d Deps) {
	l := &lib{Deps: d}
	filters := map[string]func(in *engine.Inputs) (string, error){
		"Blur":       func(in *engine.Inputs) (string, error) { return blurFilter(in.Float("strength")), nil },
		"Saturation": func(in *engine.Inputs) (string, error) { return saturationFilter(in.Float("saturation")), nil },
		"ColorBalance": func(in *engine.Inputs) (string, error) {
			return colorBalanceFilter(in.Float("red_adjust"), in.Float("green_adjust"), in.Float("blue_adjust")), nil
		},
		"Denoise": func(in *engine.Inputs) (string, error) { return denoiseFilter(in.Float("strength")), nil },
		"Sharpness": func(in *engine.Inputs) (string, error) {
			return sharpenFilter(in.Float("luma_amount"), in.Float("chroma_amount")), nil
		},
		"Stabilize": func(in *engine.Inputs) (string, error) {
			return stabilizeFilter(in.Float("smoothing"), in.Bool("crop_black")), nil
		},
		"Rotate": func(in *engine.Inputs) (string, error) { return rotateFilter(in.Float("angle")), nil },
		"Resize": func(in *engine.Inputs) (string, error) { return resizeFilter(in.Int("width"), in.Int("height")), nil },
		"ChromaKey": func(in *engine.Inputs) (string, error) {
			return chromaKeyFilter(colorValue(in.Get("key_color")), in.Float("similarity"), in.Float("blend")), nil
		},
	}
	procs := map[string]engine.ProcessFunc{
		"AddAudio": l.addAudio, "AddSubtitles": l.addSubtitles, "Concat": l.concat, "ExtractAudio": l.extractAudio,
		"ExtractFrame": l.extractFrame, "Fps": l.fps, "GetVideoInfo": l.info, "LoadVideoFile": l.loadFile,
		"Overlay": l.overlay, "Reverse": l.reverse, "SaveVideo": l.save, "SaveVideoFile": l.saveFile,
		"SetSpeed": l.setSpeed, "Transition": l.transition, "Trim": l.trim,
		"TextToVideo": l.generate(false), "ImageToVideo": l.generate(true),
	}
	for _, def := range catalog() {
		class := def.Type[strings.LastIndexByte(def.Type, '.')+1:]
		def.Check = l.checkFFmpeg
		switch class {
		case "FrameIterator":
			def.Gen = l.frameIterator
		case "FrameToVideo":
			def.Run = l.frameToVideo
		case "LoadVideoAssets":
			// Listing needs no ffmpeg: the nodes that use the videos do.
			def.Gen = func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
				return media.LoadAssets(ctx, d.Assets, in.Get("folder"), media.Video, emit)
			}
			def.Check = nil
		case "TextToVideo", "ImageToVideo":
			check := speech.Check[providers.VideoGenerator](d.Models, "model", "make videos", speech.ModelRef)
			def.Check = func(props map[string]any, wired func(string) bool) error {
				if err := check(props, wired); err != nil {
					return err
				}
				return l.checkFFmpeg(props, wired)
			}
			def.Process = procs[class]
		default:
			if f, ok := filters[class]; ok {
				def.Process = l.filter(f)
			} else {
				def.Process = procs[class]
			}
		}
		r.Add(def)
	}
}

// missing is the error of a video node when ffmpeg is not installed.
func (l *lib) missing() error {
	if l.FFmpegMissing != nil {
		return fmt.Errorf("this node needs ffmpeg and ffprobe: %w", l.FFmpegMissing)
	}
	return fmt.Errorf("this node needs ffmpeg and ffprobe: %w; %s", ffmpeg.ErrMissing, ffmpeg.Install)
}

func (l *lib) checkFFmpeg(map[string]any, func(string) bool) error {
	if l.FFmpeg == nil {
		return l.missing()
	}
	return nil
}

// job starts the node's use of ffmpeg; the caller closes it.
func (l *lib) job(ctx *engine.Ctx) (*job, error) {
	if l.FFmpeg == nil {
		return nil, l.missing()
	}
	return newJob(l.FFmpeg, ctx.MaxValue())
}

// read reads a video (or other) ref.
func (l *lib) read(ctx *engine.Ctx, v any, what string) ([]byte, error) {
	if !media.IsSet(v) {
		return nil, fmt.Errorf("no %s given: connect or set it", what)
	}
	return l.Sources.Read(ctx, v)
}

// videoOut is the node's video result, with its duration and format.
func videoOut(ctx *engine.Ctx, b []byte, j *job) (map[string]any, error) {
	if err := ctx.CheckSize(int64(len(b))); err != nil {
		return nil, err
	}
	r := media.Ref(media.Video, b)
	r.Set("format", "mp4")
	if f, err := j.dir.Put("result.mp4", b); err == nil {
		if in, err := j.probe(ctx, f); err == nil {
			r.Set("duration", in.Duration)
		}
	}
	return engine.Single(r), nil
}

// withVideo runs f on the "video" input's bytes.
func (l *lib) withVideo(ctx *engine.Ctx, in *engine.Inputs, prop string, f func(j *job, b []byte) ([]byte, error)) (map[string]any, error) {
	b, err := l.read(ctx, in.Get(prop), "video")
	if err != nil {
		return nil, err
	}
	j, err := l.job(ctx)
	if err != nil {
		return nil, err
	}
	defer j.close()
	res, err := f(j, b)
	if err != nil {
		return nil, err
	}
	return videoOut(ctx, res, j)
}

func (l *lib) filter(f func(in *engine.Inputs) (string, error)) engine.ProcessFunc {
	return func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
		vf, err := f(in)
		if err != nil {
			return nil, err
		}
		return l.withVideo(ctx, in, "video", func(j *job, b []byte) ([]byte, error) { return j.filterVideo(ctx, b, vf) })
	}
}

// colorValue reads a ColorRef's "value" ("#RRGGBB").
func colorValue(v any) string {
	if d, ok := v.(*pyval.Dict); ok {
		return d.Str("value")
	}
	s, _ := v.(string)
	return s
}

func (l *lib) reverse(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	return l.withVideo(ctx, in, "video", func(j *job, b []byte) ([]byte, error) { return j.reverse(ctx, b) })
}

func (l *lib) setSpeed(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	s := in.Float("speed_factor")
	return l.withVideo(ctx, in, "video", func(j *job, b []byte) ([]byte, error) { return j.setSpeed(ctx, b, s) })
}

func (l *lib) trim(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	s, e := in.Float("start_time"), in.Float("end_time")
	return l.withVideo(ctx, in, "video", func(j *job, b []byte) ([]byte, error) { return j.trim(ctx, b, s, e) })
}

func (l *lib) two(ctx *engine.Ctx, in *engine.Inputs, a, b string, f func(j *job, x, y []byte) ([]byte, error)) (map[string]any, error) {
	x, err := l.read(ctx, in.Get(a), a)
	if err != nil {
		return nil, err
	}
	y, err := l.read(ctx, in.Get(b), b)
	if err != nil {
		return nil, err
	}
	j, err := l.job(ctx)
	if err != nil {
		return nil, err
	}
	defer j.close()
	res, err := f(j, x, y)
	if err != nil {
		return nil, err
	}
	return videoOut(ctx, res, j)
}

func (l *lib) concat(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	return l.two(ctx, in, "video_a", "video_b", func(j *job, a, b []byte) ([]byte, error) { return j.concat(ctx, a, b) })
}

func (l *lib) transition(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	kind, secs := in.Str("transition_type"), in.Float("duration")
	return l.two(ctx, in, "video_a", "video_b", func(j *job, a, b []byte) ([]byte, error) { return j.transition(ctx, a, b, kind, secs) })
}

func (l *lib) overlay(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	x, y, s, v := in.Int("x"), in.Int("y"), in.Float("scale"), in.Float("overlay_audio_volume")
	return l.two(ctx, in, "main_video", "overlay_video", func(j *job, a, b []byte) ([]byte, error) { return j.overlay(ctx, a, b, x, y, s, v) })
}

func (l *lib) addAudio(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	vol, mix := in.Float("volume"), in.Bool("mix")
	if vol < 0 || math.IsNaN(vol) || vol > 10 {
		return nil, fmt.Errorf("volume %v: give 0 to 10", vol)
	}
	return l.two(ctx, in, "video", "audio", func(j *job, v, a []byte) ([]byte, error) { return j.addAudio(ctx, v, a, vol, mix) })
}

func (l *lib) addSubtitles(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	var subs []subtitle
	for _, c := range in.List("chunks") {
		if err := ctx.Tick(); err != nil {
			return nil, err
		}
		s, e, text, ok := speech.ChunkParts(c)
		if ok && strings.TrimSpace(text) != "" {
			subs = append(subs, subtitle{Start: s, End: e, Text: strings.TrimSpace(text)})
		}
	}
	font := ""
	switch f := in.Get("font").(type) {
	case *pyval.Dict:
		font = f.Str("name")
	case string: // older files name the font file
		font = f
	}
	font = strings.TrimSuffix(strings.TrimSuffix(font, ".ttf"), ".otf")
	size := in.Int("font_size")
	if size < 1 || size > 1000 {
		return nil, fmt.Errorf("font_size %d: give 1 to 1000", size)
	}
	color, align := colorValue(in.Get("font_color")), in.Str("align")
	return l.withVideo(ctx, in, "video", func(j *job, b []byte) ([]byte, error) {
		return j.addSubtitles(ctx, b, subs, font, int(size), color, align)
	})
}

func (l *lib) probe(ctx *engine.Ctx, in *engine.Inputs) (info, error) {
	b, err := l.read(ctx, in.Get("video"), "video")
	if err != nil {
		return info{}, err
	}
	j, err := l.job(ctx)
	if err != nil {
		return info{}, err
	}
	defer j.close()
	_, i, err := j.inputInfo(ctx, "in.mp4", b)
	return i, err
}

func (l *lib) fps(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	i, err := l.probe(ctx, in)
	if err != nil {
		return nil, err
	}
	if i.FPS == 0 {
		return nil, errors.New("Could not determine FPS")
	}
	return engine.Single(i.FPS), nil
}

func (l *lib) info(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	i, err := l.probe(ctx, in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"duration": i.Duration, "width": int64(i.Width), "height": int64(i.Height), "fps": i.FPS,
		"frame_count": i.Frames, "codec": i.Codec, "has_audio": i.HasAudio}, nil
}

func (l *lib) extractAudio(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	b, err := l.read(ctx, in.Get("video"), "video")
	if err != nil {
		return nil, err
	}
	j, err := l.job(ctx)
	if err != nil {
		return nil, err
	}
	defer j.close()
	a, err := j.extractAudio(ctx, b)
	if err != nil {
		return nil, err
	}
	return engine.Single(media.Ref(media.Audio, a)), nil
}

func (l *lib) extractFrame(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	t := in.Float("time")
	b, err := l.read(ctx, in.Get("video"), "video")
	if err != nil {
		return nil, err
	}
	j, err := l.job(ctx)
	if err != nil {
		return nil, err
	}
	defer j.close()
	png, err := j.extractFrame(ctx, b, t)
	if err != nil {
		return nil, err
	}
	return engine.Single(media.ImageRef(png)), nil
}

// frameIterator emits the frames start..end-1 (end -1: to the last) as
// PNG images, with their index and the video's fps.
func (l *lib) frameIterator(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
	start, end := in.Int("start"), in.Int("end")
	b, err := l.read(ctx, in.Get("video"), "video")
	if err != nil {
		return err
	}
	j, err := l.job(ctx)
	if err != nil {
		return err
	}
	defer j.close()
	_, i, err := j.inputInfo(ctx, "src.mp4", b)
	if err != nil {
		return err
	}
	return j.frames(ctx, b, start, end, func(k int64, png []byte) error {
		if err := emit("frame", media.ImageRef(png)); err != nil {
			return err
		}
		if err := emit("index", k); err != nil {
			return err
		}
		return emit("fps", i.FPS)
	})
}

// maxFrameBytes bounds the frames FrameToVideo gathers, as a multiple of
// max-value: they are compressed images, and the video is smaller still.
const maxFrameBytes = 16

// frameToVideo gathers the frames that reach it and, when its input
// ends, encodes them at fps.
func (l *lib) frameToVideo(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
	j, err := l.job(ctx)
	if err != nil {
		return err
	}
	defer j.close()
	fps := in.Float("fps")
	var frames [][]byte
	var total int64
	w, h := 0, 0
	add := func(v any) error {
		if !media.IsSet(v) {
			return nil
		}
		b, err := l.Sources.Read(ctx, v)
		if err != nil {
			return err
		}
		cfg, format, err := media.DecodeConfig(b)
		if err != nil {
			return fmt.Errorf("frame %d: %w", len(frames), err)
		}
		if err := media.CheckPixels(ctx, cfg.Width, cfg.Height, 4); err != nil {
			return err
		}
		if w == 0 {
			w, h = cfg.Width, cfg.Height
		}
		if format != "png" {
			img, _, err := media.DecodeImage(ctx, b)
			if err != nil {
				return err
			}
			if b, err = media.EncodePNG(ctx, img); err != nil {
				return err
			}
		}
		if total += int64(len(b)); total > maxFrameBytes*ctx.MaxValue() {
			return ctx.LimitError(engine.LimitValue, fmt.Sprintf("the frames are over %d times the %s limit of %s", maxFrameBytes, engine.LimitValue, engine.FormatBytes(ctx.MaxValue())))
		}
		if _, err := j.put(fmt.Sprintf("frame_%06d.png", len(frames)), b); err != nil {
			return err
		}
		frames = append(frames, nil) // the bytes are on disk
		return nil
	}
	if !inbox.Connected("frame") {
		if err := add(in.Get("frame")); err != nil {
			return err
		}
	}
	for {
		handle, v, ok, err := inbox.Next(ctx)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch handle {
		case "frame":
			if err := add(v); err != nil {
				return err
			}
		case "fps":
			if f, ok := v.(float64); ok {
				fps = f
			} else if n, ok := v.(int64); ok {
				fps = float64(n)
			}
		}
	}
	if len(frames) == 0 {
		return errors.New("no frames reached the node")
	}
	out, err := j.encodeFrames(ctx, len(frames), evenSize(w), evenSize(h), fps)
	if err != nil {
		return err
	}
	res, err := videoOut(ctx, out, j)
	if err != nil {
		return err
	}
	return emit("output", res["output"])
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
	r := media.Ref(media.Video, b)
	r.Set("uri", p)
	return engine.Single(r), nil
}

// save passes the video on as the node's result, which the editor stores
// among the job's assets.
func (l *lib) save(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	b, err := l.read(ctx, in.Get("video"), "video")
	if err != nil {
		return nil, err
	}
	r := media.Ref(media.Video, b)
	r.Set("uri", timestamped(in.Str("name"), time.Now()))
	return engine.Single(r), nil
}

// saveFile writes the video into the run's workspace.
func (l *lib) saveFile(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	folder, name := in.Str("folder"), in.Str("filename")
	if folder == "" {
		return nil, errors.New("folder cannot be empty")
	}
	if name == "" {
		return nil, errors.New("filename cannot be empty")
	}
	b, err := l.read(ctx, in.Get("video"), "video")
	if err != nil {
		return nil, err
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
	p := path.Join(folder, timestamped(name, time.Now()))
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
	r := media.Ref(media.Video, b)
	r.Set("uri", p)
	return engine.Single(r), nil
}

// timestamped expands %Y %m %d %H %M %S in name.
func timestamped(name string, t time.Time) string {
	return strings.NewReplacer("%Y", t.Format("2006"), "%m", t.Format("01"), "%d", t.Format("02"),
		"%H", t.Format("15"), "%M", t.Format("04"), "%S", t.Format("05")).Replace(name)
}

// generate is TextToVideo (image false) and ImageToVideo: the model's
// provider makes the video; the fake's recipe is rendered with ffmpeg.
func (l *lib) generate(image bool) engine.ProcessFunc {
	return func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
		provider, id := speech.ModelRef(in.Get("model"))
		g, m, err := speech.Route[providers.VideoGenerator](l.Models, provider, id, "make videos")
		if err != nil {
			return nil, fmt.Errorf("%s cannot use its model: %w", ctx.Title(), err)
		}
		req := &providers.VideoRequest{Model: m, Prompt: in.Str("prompt"), NegativePrompt: in.Str("negative_prompt"),
			AspectRatio: in.Str("aspect_ratio"), Resolution: in.Str("resolution"), Seed: in.Int("seed")}
		if image {
			if req.Image, err = l.read(ctx, in.Get("image"), "image"); err != nil {
				return nil, err
			}
		}
		if t := in.Int("timeout_seconds"); t > 0 {
			ctx2, cancel := context.WithTimeout(ctx, time.Duration(t)*time.Second)
			defer cancel()
			v, err := g.GenerateVideo(ctx2, req)
			return l.videoResult(ctx, v, err)
		}
		v, err := g.GenerateVideo(ctx, req)
		return l.videoResult(ctx, v, err)
	}
}

func (l *lib) videoResult(ctx *engine.Ctx, v *providers.Video, err error) (map[string]any, error) {
	if err != nil {
		return nil, err
	}
	j, err := l.job(ctx)
	if err != nil {
		return nil, err
	}
	defer j.close()
	data := v.Data
	if s := v.Synthetic; s != nil {
		if len(s.Image) > 0 {
			_, format, err := media.DecodeConfig(s.Image)
			if err != nil {
				return nil, err
			}
			ext := map[string]string{"png": "png", "jpeg": "jpg", "gif": "gif", "webp": "webp"}[format]
			data, err = j.stillToVideo(ctx, s.Image, ext, s.Seconds)
			if err != nil {
				return nil, err
			}
		} else if data, err = j.fakeClip(ctx, s.Seed, s.Width, s.Height, s.Seconds); err != nil {
			return nil, err
		}
	}
	return videoOut(ctx, data, j)
}
