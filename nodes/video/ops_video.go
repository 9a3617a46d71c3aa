package video

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"nodetool/ffmpeg"
)

// The ffmpeg work of each video node, on bytes. Each function takes the
// job (programs, private directory, size limit) and returns the new
// file's bytes. Filter graphs are built from numbers and constants only.

func (j *job) inputInfo(ctx context.Context, name string, data []byte) (ffmpeg.Arg, info, error) {
	f, err := j.put(name, data)
	if err != nil {
		return f, info{}, err
	}
	in, err := j.probe(ctx, f)
	return f, in, err
}

// checkPixels refuses frames whose decoded RGBA pixels would be over max.
func checkPixels(in info, max int64) error {
	if in.Width <= 0 || in.Height <= 0 {
		return errors.New("the video has no frame size")
	}
	if int64(in.Width)*int64(in.Height)*4 > max {
		return fmt.Errorf("a %dx%d frame is over the value size limit (%d bytes)", in.Width, in.Height, max)
	}
	return nil
}

// extractFrame is the frame at t seconds, as PNG.
func (j *job) extractFrame(ctx context.Context, data []byte, t float64) ([]byte, error) {
	f, in, err := j.inputInfo(ctx, "in.mp4", data)
	if err != nil {
		return nil, err
	}
	if err := checkPixels(in, j.max); err != nil {
		return nil, err
	}
	t = max(0, min(t, max(0, in.Duration-0.5/max(in.FPS, 1))))
	return j.run(ctx, "frame.png", ffmpeg.Flag("-ss"), ffmpeg.Num(t), ffmpeg.Flag("-i"), f,
		ffmpeg.Flag("-frames:v"), ffmpeg.Int(1), ffmpeg.Flag("-f"), ffmpeg.MustValue("image2"))
}

// extractAudio is the video's sound as 16-bit WAV.
func (j *job) extractAudio(ctx context.Context, data []byte) ([]byte, error) {
	f, in, err := j.inputInfo(ctx, "in.mp4", data)
	if err != nil {
		return nil, err
	}
	if !in.HasAudio {
		return nil, errors.New("the video has no audio stream")
	}
	return j.run(ctx, "audio.wav", ffmpeg.Flag("-i"), f, ffmpeg.Flag("-vn"), ffmpeg.Flag("-c:a"), ffmpeg.MustValue("pcm_s16le"))
}

// addAudio puts audio under the video: replacing its sound, or mixed
// with it (mix), the new audio scaled by volume.
func (j *job) addAudio(ctx context.Context, video, audio []byte, volume float64, mix bool) ([]byte, error) {
	v, in, err := j.inputInfo(ctx, "in.mp4", video)
	if err != nil {
		return nil, err
	}
	a, err := j.put("audio.bin", audio)
	if err != nil {
		return nil, err
	}
	graph := fmt.Sprintf("[1:a]volume=%s[na]", num(volume))
	out := "[na]"
	if mix && in.HasAudio {
		graph += ";[0:a][na]amix=inputs=2:duration=first[ma]"
		out = "[ma]"
	}
	args := []ffmpeg.Arg{ffmpeg.Flag("-i"), v, ffmpeg.Flag("-i"), a, ffmpeg.Flag("-filter_complex"), ffmpeg.MustValue(graph),
		ffmpeg.Flag("-map"), ffmpeg.MustValue("0:v:0"), ffmpeg.Flag("-map"), ffmpeg.MustValue(out),
		ffmpeg.Flag("-c:v"), ffmpeg.MustValue("copy"), ffmpeg.Flag("-c:a"), ffmpeg.MustValue("aac"),
		ffmpeg.Flag("-shortest"), ffmpeg.Flag("-movflags"), ffmpeg.MustValue("+faststart")}
	return j.run(ctx, "out.mp4", args...)
}

// framesToVideo encodes frames (image files of one extension ext, such
// as "png") at fps frames per second.
func (j *job) framesToVideo(ctx context.Context, frames [][]byte, ext string, fps float64) ([]byte, error) {
	if len(frames) == 0 {
		return nil, errors.New("no frames to make a video of")
	}
	for i, b := range frames {
		if _, err := j.put(fmt.Sprintf("frame_%06d.%s", i, ext), b); err != nil {
			return nil, err
		}
		if i&63 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	return j.encode(ctx, ext, "scale=trunc(iw/2)*2:trunc(ih/2)*2", fps)
}

// encodeFrames encodes the n PNG files frame_000000.png... of the
// directory at fps, each scaled to w x h.
func (j *job) encodeFrames(ctx context.Context, n, w, h int, fps float64) ([]byte, error) {
	if n == 0 {
		return nil, errors.New("no frames to make a video of")
	}
	return j.encode(ctx, "png", fmt.Sprintf("scale=%d:%d", w, h), fps)
}

func (j *job) encode(ctx context.Context, ext, vf string, fps float64) ([]byte, error) {
	if fps <= 0 || math.IsNaN(fps) || fps > 1000 {
		return nil, fmt.Errorf("fps %v: give a number from 0 to 1000", fps)
	}
	pattern, err := j.dir.File("frame_%06d." + ext)
	if err != nil {
		return nil, err
	}
	v, err := ffmpeg.Value(vf)
	if err != nil {
		return nil, err
	}
	args := []ffmpeg.Arg{ffmpeg.Flag("-framerate"), ffmpeg.Num(fps), ffmpeg.Flag("-f"), ffmpeg.MustValue("image2"),
		ffmpeg.Flag("-i"), pattern, ffmpeg.Flag("-vf"), v}
	args = append(args, h264()...)
	return j.run(ctx, "out.mp4", args...)
}

// frames extracts frames start..end-1 (end < 0: to the last) as PNG
// files and calls each with them in order.
func (j *job) frames(ctx context.Context, data []byte, start, end int64, each func(i int64, png []byte) error) error {
	f, in, err := j.inputInfo(ctx, "in.mp4", data)
	if err != nil {
		return err
	}
	if err := checkPixels(in, j.max); err != nil {
		return err
	}
	start = max(0, start)
	if end < 0 || (in.Frames > 0 && end > in.Frames) {
		end = in.Frames
	}
	if end <= start {
		return nil
	}
	const batch = 64
	for lo := start; lo < end; lo += batch {
		hi := min(end, lo+batch)
		sel := fmt.Sprintf("select=between(n\\,%d\\,%d)", lo, hi-1)
		pattern, _ := j.dir.File("f_%06d.png")
		err := j.t.Run(ctx, j.max, ffmpeg.Flag("-i"), f, ffmpeg.Flag("-vf"), ffmpeg.MustValue(sel),
			ffmpeg.Flag("-fps_mode"), ffmpeg.MustValue("passthrough"), ffmpeg.Flag("-frames:v"), ffmpeg.Int(hi-lo),
			ffmpeg.Flag("-start_number"), ffmpeg.Int(0), pattern)
		if err != nil {
			return err
		}
		for k := range hi - lo {
			name := fmt.Sprintf("f_%06d.png", k)
			b, err := j.dir.Read(name, j.max)
			if err != nil {
				if errors.Is(err, ffmpeg.ErrTooLarge) {
					return err
				}
				return nil // the video ended before its count said
			}
			if err := each(lo+k, b); err != nil {
				return err
			}
		}
		if err := j.dir.Clear("f_"); err != nil {
			return err
		}
	}
	return nil
}

// subtitle is one timed line.
type subtitle struct {
	Start, End float64
	Text       string
}

// addSubtitles burns the lines into the video with libass: font (a
// family name), size in pixels, color "#RRGGBB", align top, center or
// bottom.
func (j *job) addSubtitles(ctx context.Context, data []byte, subs []subtitle, font string, size int, color, align string) ([]byte, error) {
	f, in, err := j.inputInfo(ctx, "in.mp4", data)
	if err != nil {
		return nil, err
	}
	doc := assDocument(in.Width, in.Height, subs, font, size, color, align)
	if int64(len(doc)) > j.max {
		return nil, fmt.Errorf("the subtitles are over the value size limit (%d bytes)", j.max)
	}
	sf, err := j.put("subs.ass", []byte(doc))
	if err != nil {
		return nil, err
	}
	v, err := ffmpeg.Value("ass=filename=" + sf.String())
	if err != nil {
		return nil, err
	}
	args := []ffmpeg.Arg{ffmpeg.Flag("-i"), f, ffmpeg.Flag("-vf"), v, ffmpeg.Flag("-map"), ffmpeg.MustValue("0:v:0"),
		ffmpeg.Flag("-map"), ffmpeg.MustValue("0:a?")}
	args = append(args, h264()...)
	return j.run(ctx, "out.mp4", args...)
}

// assDocument writes the subtitles as an ASS script. The text is escaped
// so it cannot hold override tags; the font name keeps letters, digits,
// spaces and dashes.
func assDocument(w, h int, subs []subtitle, font string, size int, color, align string) string {
	font = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == ' ', r == '-':
			return r
		}
		return -1
	}, font)
	if font == "" {
		font = "DejaVu Sans"
	}
	an := 2 // bottom center
	switch align {
	case "top":
		an = 8
	case "center":
		an = 5
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[Script Info]\nScriptType: v4.00+\nPlayResX: %d\nPlayResY: %d\nWrapStyle: 0\n\n", max(w, 1), max(h, 1))
	b.WriteString("[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, OutlineColour, BackColour, Bold, Italic, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV\n")
	fmt.Fprintf(&b, "Style: Default,%s,%d,%s,&H00000000,&H80000000,0,0,1,2,0,%d,10,10,10\n\n", font, max(1, size), assColor(color), an)
	b.WriteString("[Events]\nFormat: Layer, Start, End, Style, Text\n")
	for _, s := range subs {
		fmt.Fprintf(&b, "Dialogue: 0,%s,%s,Default,%s\n", assTime(s.Start), assTime(s.End), assText(s.Text))
	}
	return b.String()
}

func assTime(t float64) string {
	if t < 0 || math.IsNaN(t) {
		t = 0
	}
	t = min(t, 359999)
	cs := int64(math.Round(t * 100))
	return fmt.Sprintf("%d:%02d:%02d.%02d", cs/360000, cs/6000%60, cs/100%60, cs%100)
}

// assColor turns "#RRGGBB" into ASS's &H00BBGGRR; anything else is white.
func assColor(c string) string {
	c = strings.TrimPrefix(strings.TrimSpace(c), "#")
	if len(c) != 6 || strings.Trim(strings.ToUpper(c), "0123456789ABCDEF") != "" {
		return "&H00FFFFFF"
	}
	c = strings.ToUpper(c)
	return "&H00" + c[4:6] + c[2:4] + c[0:2]
}

func assText(s string) string {
	s = strings.NewReplacer("\\", "\u29f5", "{", "(", "}", ")", "\r\n", "\\N", "\n", "\\N", "\r", "\\N").Replace(s)
	return strings.Map(func(r rune) rune {
		if r < 0x20 {
			return ' '
		}
		return r
	}, s)
}
