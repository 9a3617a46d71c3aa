package main

import (
	"flag"
	"fmt"

	"nodetool/ffmpeg"
)

// envFFmpeg is the environment variable of --ffmpeg.
var envFFmpeg = []string{"NODETOOL_FFMPEG"}

func addFFmpegFlag(fs *flag.FlagSet) {
	fs.String("ffmpeg", "", "the ffmpeg program of the video and compressed-audio nodes (ffprobe is looked for beside it); default: ffmpeg and ffprobe on PATH (env NODETOOL_FFMPEG)")
}

// findFFmpeg locates ffmpeg and ffprobe. A program named with --ffmpeg
// or NODETOOL_FFMPEG must exist (a configuration error otherwise); when
// none is named and none is on PATH, tools is nil and missing says so:
// the nodes that need them are refused by validation with that message.
func findFFmpeg(st *settings) (tools *ffmpeg.Tools, missing error, err error) {
	path := st.str("ffmpeg", envFFmpeg...)
	t, ferr := ffmpeg.Find(path)
	switch {
	case ferr == nil:
		return t, nil, nil
	case path != "":
		return nil, nil, fmt.Errorf("--ffmpeg: %v", ferr)
	}
	return nil, ferr, nil
}
