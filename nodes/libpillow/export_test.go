package libpillow

// SharpenKernel is ImageFilter.SHARPEN, for the tests.
var SharpenKernel = sharpen
