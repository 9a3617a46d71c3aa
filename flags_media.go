package main

import (
	"flag"
	"fmt"
	"strings"

	"nodetool/nodes/media"
)

// envMediaInline is the environment variable of --media-inline-max.
var envMediaInline = []string{"NODETOOL_MEDIA_INLINE_MAX"}

// sizeOrZero is a byteSize that may also be 0.
type sizeOrZero struct{ byteSize }

func (s *sizeOrZero) String() string {
	if s.byteSize == 0 {
		return "0"
	}
	return s.byteSize.String()
}

func (s *sizeOrZero) Set(v string) error {
	if strings.TrimSpace(v) == "0" {
		s.byteSize = 0
		return nil
	}
	return s.byteSize.Set(v)
}

// addMediaInlineFlag registers --media-inline-max; where says where the
// server keeps larger results.
func addMediaInlineFlag(fs *flag.FlagSet, where string) {
	v := &sizeOrZero{byteSize(media.DefaultInlineMax)}
	fs.Var(v, "media-inline-max", "media results (image, audio, video, document refs) up to this `size` are sent inline as data: URIs; "+
		"larger ones are stored ("+where+") and sent as URLs; 0 stores every one (env NODETOOL_MEDIA_INLINE_MAX)")
}

// mediaInlineMax resolves --media-inline-max, then NODETOOL_MEDIA_INLINE_MAX.
func mediaInlineMax(st *settings) (int64, error) {
	raw := st.str("media-inline-max", envMediaInline...)
	var v sizeOrZero
	if err := v.Set(raw); err != nil {
		source := "--media-inline-max"
		if !st.set["media-inline-max"] {
			source = envMediaInline[0]
		}
		return 0, fmt.Errorf("%s: %v", source, err)
	}
	return int64(v.byteSize), nil
}
