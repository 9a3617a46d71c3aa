package libmath

// Names the external tests use.
var HpTrig = hpTrig
var HpAtanF = hpAtanF
var HpLogF = hpLogF
var HpPow = hpPow
var HpAsin = hpAsin
var HpAcos = hpAcos
