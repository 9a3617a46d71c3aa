// Package video holds the nodetool.video nodes. They run the ffmpeg and
// ffprobe programs (package ffmpeg) on files of a private temporary
// directory; without them, validation refuses the nodes naming what to
// install. Video models (TextToVideo, ImageToVideo) go through the model
// providers; the fake provider's clip is made with ffmpeg.
package video
