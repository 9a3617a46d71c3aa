package base

// Names the external tests use.
const DefImgModel = defImgModel
const DefVidModel = defVidModel
const DefTTSModel = defTTSModel
const DefASRModel = defASRModel
const DefEmbModel = defEmbModel
const DefHFModel = defHFModel
const DefMessage = defMessage
const DefDocument = defDocument
const DefVideo = defVideo
const DefModel3D = defModel3D
const DefFolder = defFolder
