package lists

// Names the external tests use.
var ListCheckNumbers = listCheckNumbers
var ListFold = listFold
