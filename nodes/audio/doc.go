// Package audio holds the nodetool.audio nodes: WAV audio edited in pure
// Go (join, slice, trim, gain, fade, mix, normalize, silence removal,
// channels, resampling), other formats decoded and encoded through ffmpeg
// when it is installed, and text to speech through the model providers.
package audio
