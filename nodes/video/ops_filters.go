package video

import (
	"context"
	"fmt"
	"math"
	"strings"

	"nodetool/ffmpeg"
)

// The filters of the single-input video nodes, as the original builds
// them with ffmpeg-python.

func blurFilter(strength float64) string {
	r := max(0, strength)
	return "boxblur=luma_radius=" + num(r) + ":luma_power=1"
}

func saturationFilter(s float64) string { return "eq=saturation=" + num(max(0, min(3, s))) }

func colorBalanceFilter(r, g, b float64) string {
	return fmt.Sprintf("colorchannelmixer=rr=%s:gg=%s:bb=%s", num(r), num(g), num(b))
}

func denoiseFilter(strength float64) string { return "nlmeans=s=" + num(max(1, min(30, strength))) }

func sharpenFilter(luma, chroma float64) string {
	return fmt.Sprintf("unsharp=luma_msize_x=5:luma_msize_y=5:luma_amount=%s:chroma_msize_x=5:chroma_msize_y=5:chroma_amount=%s",
		num(max(-1.5, min(1.5, luma))), num(max(-1.5, min(1.5, chroma))))
}

func stabilizeFilter(smoothing float64, crop bool) string {
	// deshake's rx/ry search range stands in for the original's smooth
	// parameter, which deshake does not have.
	// deshake refuses some search ranges on small frames: multiples of
	// 16 from 16 to 64 work.
	rx := int(max(16, min(64, math.Round(smoothing/16)*16)))
	f := fmt.Sprintf("deshake=rx=%d:ry=%d", rx, rx)
	if crop {
		f += ":edge=mirror"
	}
	return f
}

func rotateFilter(deg float64) string {
	return fmt.Sprintf("rotate=%s", num(deg*math.Pi/180))
}

func resizeFilter(w, h int64) string {
	fw, fh := "-2", "-2"
	if w > 0 {
		fw = fmt.Sprint(evenSize(int(min(w, 16384))))
	}
	if h > 0 {
		fh = fmt.Sprint(evenSize(int(min(h, 16384))))
	}
	if w <= 0 && h <= 0 {
		return "scale=iw:ih"
	}
	return "scale=" + fw + ":" + fh
}

func chromaKeyFilter(color string, similarity, blend float64) string {
	c := strings.TrimPrefix(strings.TrimSpace(color), "#")
	if len(c) != 6 || strings.Trim(strings.ToUpper(c), "0123456789ABCDEF") != "" {
		c = "00FF00"
	}
	return fmt.Sprintf("chromakey=color=0x%s:similarity=%s:blend=%s", strings.ToUpper(c),
		num(max(0.00001, min(1, similarity))), num(max(0, min(1, blend))))
}

// reverse plays the video (and its sound) backwards. ffmpeg's reverse
// filter holds every frame in memory: the frame count is checked first.
func (j *job) reverse(ctx context.Context, data []byte) ([]byte, error) {
	f, in, err := j.inputInfo(ctx, "in.mp4", data)
	if err != nil {
		return nil, err
	}
	if err := checkPixels(in, j.max); err != nil {
		return nil, err
	}
	if in.Frames*int64(in.Width)*int64(in.Height)*3/2 > 4*j.max {
		return nil, fmt.Errorf("reversing %d frames of %dx%d needs more memory than the value size limit allows", in.Frames, in.Width, in.Height)
	}
	args := []ffmpeg.Arg{ffmpeg.Flag("-i"), f, ffmpeg.Flag("-vf"), ffmpeg.MustValue("reverse")}
	if in.HasAudio {
		args = append(args, ffmpeg.Flag("-af"), ffmpeg.MustValue("areverse"))
	}
	args = append(args, h264()...)
	return j.run(ctx, "out.mp4", args...)
}

// setSpeed plays the video speed times as fast, its sound with atempo
// (chained within its 0.5 to 2 range).
func (j *job) setSpeed(ctx context.Context, data []byte, speed float64) ([]byte, error) {
	if speed <= 0 || math.IsNaN(speed) || speed > 100 {
		return nil, fmt.Errorf("speed factor %v: give a number over 0, at most 100", speed)
	}
	f, in, err := j.inputInfo(ctx, "in.mp4", data)
	if err != nil {
		return nil, err
	}
	if in.Duration/speed > 24*3600 {
		return nil, fmt.Errorf("a speed factor of %v makes the video over a day long", speed)
	}
	args := []ffmpeg.Arg{ffmpeg.Flag("-i"), f, ffmpeg.Flag("-vf"), ffmpeg.MustValue("setpts=PTS/" + num(speed))}
	if in.HasAudio {
		var tempo []string
		s := speed
		for s > 2 {
			tempo, s = append(tempo, "atempo=2"), s/2
		}
		for s < 0.5 {
			tempo, s = append(tempo, "atempo=0.5"), s/0.5
		}
		tempo = append(tempo, "atempo="+num(s))
		args = append(args, ffmpeg.Flag("-af"), ffmpeg.MustValue(strings.Join(tempo, ",")))
	}
	args = append(args, h264()...)
	return j.run(ctx, "out.mp4", args...)
}

// trim keeps start..end seconds (end < 0: to the end).
func (j *job) trim(ctx context.Context, data []byte, start, end float64) ([]byte, error) {
	f, in, err := j.inputInfo(ctx, "in.mp4", data)
	if err != nil {
		return nil, err
	}
	start = max(0, start)
	if end < 0 || end > in.Duration {
		end = in.Duration
	}
	if end <= start {
		return nil, fmt.Errorf("nothing to keep: end %v is not after start %v", end, start)
	}
	args := []ffmpeg.Arg{ffmpeg.Flag("-ss"), ffmpeg.Num(start), ffmpeg.Flag("-i"), f, ffmpeg.Flag("-t"), ffmpeg.Num(end - start),
		ffmpeg.Flag("-map"), ffmpeg.MustValue("0:v:0"), ffmpeg.Flag("-map"), ffmpeg.MustValue("0:a?")}
	args = append(args, h264()...)
	return j.run(ctx, "out.mp4", args...)
}

// concat plays b after a, b scaled to a's size.
func (j *job) concat(ctx context.Context, a, b []byte) ([]byte, error) {
	fa, ia, err := j.inputInfo(ctx, "a.mp4", a)
	if err != nil {
		return nil, err
	}
	fb, ib, err := j.inputInfo(ctx, "b.mp4", b)
	if err != nil {
		return nil, err
	}
	w, h := evenSize(ia.Width), evenSize(ia.Height)
	fps := ia.FPS
	if fps <= 0 {
		fps = 30
	}
	g := fmt.Sprintf("[0:v]scale=%d:%d,setsar=1,fps=%s,format=yuv420p[v0];[1:v]scale=%d:%d,setsar=1,fps=%s,format=yuv420p[v1];", w, h, num(fps), w, h, num(fps))
	audio := ia.HasAudio && ib.HasAudio
	if audio {
		g += "[0:a]aresample=44100[a0];[1:a]aresample=44100[a1];[v0][a0][v1][a1]concat=n=2:v=1:a=1[v][a]"
	} else {
		g += "[v0][v1]concat=n=2:v=1:a=0[v]"
	}
	args := []ffmpeg.Arg{ffmpeg.Flag("-i"), fa, ffmpeg.Flag("-i"), fb, ffmpeg.Flag("-filter_complex"), ffmpeg.MustValue(g), ffmpeg.Flag("-map"), ffmpeg.MustValue("[v]")}
	if audio {
		args = append(args, ffmpeg.Flag("-map"), ffmpeg.MustValue("[a]"))
	}
	args = append(args, h264()...)
	return j.run(ctx, "out.mp4", args...)
}

// overlay puts the overlay video, scaled, at x, y over the main one,
// mixing its sound in at overlayVolume.
func (j *job) overlay(ctx context.Context, main, over []byte, x, y int64, scale, overlayVolume float64) ([]byte, error) {
	fm, im, err := j.inputInfo(ctx, "main.mp4", main)
	if err != nil {
		return nil, err
	}
	fo, io, err := j.inputInfo(ctx, "over.mp4", over)
	if err != nil {
		return nil, err
	}
	scale = max(0.01, min(10, scale))
	g := fmt.Sprintf("[1:v]scale=trunc(iw*%s/2)*2:trunc(ih*%s/2)*2[ov];[0:v][ov]overlay=x=%d:y=%d:eof_action=pass[v]", num(scale), num(scale), x, y)
	audio := ""
	switch {
	case im.HasAudio && io.HasAudio:
		g += fmt.Sprintf(";[1:a]volume=%s[oa];[0:a][oa]amix=inputs=2:duration=first[a]", num(max(0, overlayVolume)))
		audio = "[a]"
	case im.HasAudio:
		audio = "0:a"
	}
	args := []ffmpeg.Arg{ffmpeg.Flag("-i"), fm, ffmpeg.Flag("-i"), fo, ffmpeg.Flag("-filter_complex"), ffmpeg.MustValue(g), ffmpeg.Flag("-map"), ffmpeg.MustValue("[v]")}
	if audio != "" {
		args = append(args, ffmpeg.Flag("-map"), ffmpeg.MustValue(audio))
	}
	args = append(args, h264()...)
	return j.run(ctx, "out.mp4", args...)
}

// transitionTypes are the xfade transitions the node offers.
var transitionTypes = map[string]bool{}

func init() {
	for _, t := range strings.Split("fade,wipeleft,wiperight,wipeup,wipedown,slideleft,slideright,slideup,slidedown,circlecrop,rectcrop,distance,fadeblack,fadewhite,radial,smoothleft,smoothright,smoothup,smoothdown,circleopen,circleclose,vertopen,vertclose,horzopen,horzclose,dissolve,pixelize,diagtl,diagtr,diagbl,diagbr,hlslice,hrslice,vuslice,vdslice,hblur,fadegrays,wipetl,wipetr,wipebl,wipebr,squeezeh,squeezev,zoomin", ",") {
		transitionTypes[t] = true
	}
}

// transition crossfades a into b over seconds with xfade.
func (j *job) transition(ctx context.Context, a, b []byte, kind string, seconds float64) ([]byte, error) {
	if !transitionTypes[kind] {
		return nil, fmt.Errorf("unknown transition type %q", kind)
	}
	fa, ia, err := j.inputInfo(ctx, "a.mp4", a)
	if err != nil {
		return nil, err
	}
	fb, ib, err := j.inputInfo(ctx, "b.mp4", b)
	if err != nil {
		return nil, err
	}
	seconds = max(0.01, min(seconds, ia.Duration, ib.Duration))
	offset := max(0, ia.Duration-seconds)
	w, h := evenSize(ia.Width), evenSize(ia.Height)
	fps := ia.FPS
	if fps <= 0 {
		fps = 30
	}
	g := fmt.Sprintf("[0:v]scale=%d:%d,setsar=1,fps=%s,format=yuv420p[v0];[1:v]scale=%d:%d,setsar=1,fps=%s,format=yuv420p[v1];[v0][v1]xfade=transition=%s:duration=%s:offset=%s[v]",
		w, h, num(fps), w, h, num(fps), kind, num(seconds), num(offset))
	audio := ia.HasAudio && ib.HasAudio
	if audio {
		g += fmt.Sprintf(";[0:a][1:a]acrossfade=d=%s[a]", num(seconds))
	}
	args := []ffmpeg.Arg{ffmpeg.Flag("-i"), fa, ffmpeg.Flag("-i"), fb, ffmpeg.Flag("-filter_complex"), ffmpeg.MustValue(g), ffmpeg.Flag("-map"), ffmpeg.MustValue("[v]")}
	if audio {
		args = append(args, ffmpeg.Flag("-map"), ffmpeg.MustValue("[a]"))
	}
	args = append(args, h264()...)
	return j.run(ctx, "out.mp4", args...)
}

// fakeClip is the fake provider's video: seconds of a test pattern at
// width x height whose hue comes from seed, with a tone.
func (j *job) fakeClip(ctx context.Context, seed uint32, width, height int, seconds float64) ([]byte, error) {
	w, h := evenSize(width), evenSize(height)
	hue := seed % 360
	src := fmt.Sprintf("testsrc2=size=%dx%d:rate=12:duration=%s,hue=h=%d", w, h, num(seconds), hue)
	tone := fmt.Sprintf("sine=frequency=%d:sample_rate=22050:duration=%s", 220+seed%440, num(seconds))
	args := []ffmpeg.Arg{ffmpeg.Flag("-f"), ffmpeg.MustValue("lavfi"), ffmpeg.Flag("-i"), ffmpeg.MustValue(src),
		ffmpeg.Flag("-f"), ffmpeg.MustValue("lavfi"), ffmpeg.Flag("-i"), ffmpeg.MustValue(tone), ffmpeg.Flag("-shortest")}
	args = append(args, h264()...)
	return j.run(ctx, "out.mp4", args...)
}

// stillToVideo is the fake provider's image-to-video: the image, slowly
// zoomed, for seconds.
func (j *job) stillToVideo(ctx context.Context, img []byte, ext string, seconds float64) ([]byte, error) {
	f, err := j.put("still."+ext, img)
	if err != nil {
		return nil, err
	}
	frames := int(seconds * 12)
	vf := fmt.Sprintf("scale=trunc(iw/2)*2:trunc(ih/2)*2,zoompan=z=min(zoom+0.002\\,1.2):d=%d:s=320x240:fps=12,scale=trunc(iw/2)*2:trunc(ih/2)*2", frames)
	args := []ffmpeg.Arg{ffmpeg.Flag("-i"), f, ffmpeg.Flag("-vf"), ffmpeg.MustValue(vf), ffmpeg.Flag("-frames:v"), ffmpeg.Int(int64(frames))}
	args = append(args, h264()...)
	return j.run(ctx, "out.mp4", args...)
}
