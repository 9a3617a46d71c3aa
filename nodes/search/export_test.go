package search

// Names the external tests use.
var (
	Commas   = commas
	Divmod60 = divmod60
)
