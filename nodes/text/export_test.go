package text

// Names the external tests use.
var ConvertSingleBraces = convertSingleBraces
var LowercaseHeads = lowercaseHeads
