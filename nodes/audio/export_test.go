package audio

// Internals the tests reach.
var (
	Silence       = silence
	Slice         = slice
	SetChannels   = setChannels
	Channel       = channel
	Resample      = resample
	Concat        = concat
	Overlay       = overlay
	Scale         = scale
	Normalize     = normalize
	Fade          = fade
	Reverse       = reverse
	Repeat        = repeat
	RemoveSilence = removeSilence
)
