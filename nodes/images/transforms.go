package images

import (
	"nodetool/engine"
	"nodetool/nodes/media"
)

// registerTransforms adds the nodetool.image nodes that need no model.
func registerTransforms(r *engine.Registry, src media.Sources) {}
