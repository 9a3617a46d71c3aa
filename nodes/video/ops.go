package video

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"nodetool/ffmpeg"
)

// info is what ffprobe says of a video.
type info struct {
	Duration float64
	Width    int
	Height   int
	FPS      float64
	Frames   int64
	Codec    string
	HasAudio bool
}

// parseProbe reads ffprobe's JSON (-show_format -show_streams).
func parseProbe(js []byte) (info, error) {
	var p struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
		Streams []struct {
			CodecType    string `json:"codec_type"`
			CodecName    string `json:"codec_name"`
			Width        int    `json:"width"`
			Height       int    `json:"height"`
			AvgFrameRate string `json:"avg_frame_rate"`
			RFrameRate   string `json:"r_frame_rate"`
			NbFrames     string `json:"nb_frames"`
			Duration     string `json:"duration"`
		} `json:"streams"`
	}
	var in info
	if err := json.Unmarshal(js, &p); err != nil {
		return in, fmt.Errorf("ffprobe answered something unreadable: %v", err)
	}
	in.Duration, _ = strconv.ParseFloat(p.Format.Duration, 64)
	video := false
	for _, s := range p.Streams {
		switch s.CodecType {
		case "audio":
			in.HasAudio = true
		case "video":
			if video {
				continue
			}
			video = true
			in.Width, in.Height, in.Codec = s.Width, s.Height, s.CodecName
			in.FPS = rate(s.AvgFrameRate)
			if in.FPS == 0 {
				in.FPS = rate(s.RFrameRate)
			}
			in.Frames, _ = strconv.ParseInt(s.NbFrames, 10, 64)
			if in.Duration == 0 {
				in.Duration, _ = strconv.ParseFloat(s.Duration, 64)
			}
		}
	}
	if !video {
		return in, errors.New("no video stream found")
	}
	if in.Frames == 0 && in.FPS > 0 {
		in.Frames = int64(math.Round(in.Duration * in.FPS))
	}
	return in, nil
}

// rate reads a frame rate written "30000/1001" or "25".
func rate(s string) float64 {
	num, den, ok := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0
	}
	if !ok {
		return n
	}
	d, err := strconv.ParseFloat(den, 64)
	if err != nil || d == 0 {
		return 0
	}
	return n / d
}

// job is one node's use of ffmpeg: the programs, a private directory, and
// the most bytes a result may take.
type job struct {
	t   *ffmpeg.Tools
	dir *ffmpeg.Dir
	max int64
}

func newJob(t *ffmpeg.Tools, max int64) (*job, error) {
	d, err := ffmpeg.NewDir()
	if err != nil {
		return nil, err
	}
	return &job{t: t, dir: d, max: max}, nil
}

func (j *job) close() { j.dir.Close() }

// put writes an input file.
func (j *job) put(name string, data []byte) (ffmpeg.Arg, error) { return j.dir.Put(name, data) }

// probe reads a video's facts.
func (j *job) probe(ctx context.Context, f ffmpeg.Arg) (info, error) {
	js, err := j.t.Probe(ctx, f)
	if err != nil {
		return info{}, err
	}
	return parseProbe(js)
}

// run runs ffmpeg writing out (a name in the directory) and reads it.
func (j *job) run(ctx context.Context, out string, args ...ffmpeg.Arg) ([]byte, error) {
	o, err := j.dir.File(out)
	if err != nil {
		return nil, err
	}
	if err := j.t.Run(ctx, j.max, append(args, o)...); err != nil {
		return nil, err
	}
	b, err := j.dir.Read(out, j.max)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, errors.New("ffmpeg wrote nothing")
	}
	return b, nil
}

// h264 are the output options of an encoded MP4 video: H.264 in yuv420p
// (what browsers play), AAC audio, the index at the front.
func h264() []ffmpeg.Arg {
	return []ffmpeg.Arg{
		ffmpeg.Flag("-c:v"), ffmpeg.MustValue("libx264"), ffmpeg.Flag("-preset"), ffmpeg.MustValue("veryfast"),
		ffmpeg.Flag("-pix_fmt"), ffmpeg.MustValue("yuv420p"), ffmpeg.Flag("-c:a"), ffmpeg.MustValue("aac"),
		ffmpeg.Flag("-movflags"), ffmpeg.MustValue("+faststart"),
	}
}

// filterVideo applies the video filter graph vf to the video, keeping its
// audio as it is.
func (j *job) filterVideo(ctx context.Context, in []byte, vf string) ([]byte, error) {
	f, err := j.put("in.mp4", in)
	if err != nil {
		return nil, err
	}
	v, err := ffmpeg.Value(vf)
	if err != nil {
		return nil, err
	}
	args := []ffmpeg.Arg{ffmpeg.Flag("-i"), f, ffmpeg.Flag("-vf"), v, ffmpeg.Flag("-map"), ffmpeg.MustValue("0:v:0"),
		ffmpeg.Flag("-map"), ffmpeg.MustValue("0:a?")}
	args = append(args, h264()...)
	return j.run(ctx, "out.mp4", args...)
}

// num formats a float for a filter graph.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// evenSize keeps a width or height usable by yuv420p.
func evenSize(n int) int { return max(2, n&^1) }
