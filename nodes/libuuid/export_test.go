package libuuid

// Names the external tests use.
var MustUUID = mustUUID
var Uuid1 = uuid1
