package images

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/media"
	"nodetool/providers"
	"nodetool/providers/vendors"
)

// kieSpec is how a kie.image node calls kie.ai, as the original node
// does: its model, its polling (first interval and attempts, whose product
// is its default wait) and the input of its task.
type kieSpec struct {
	model    string
	poll     time.Duration
	attempts int
	input    func(b *kieInput) (map[string]any, error)
}

// wait is the node's default wait (timeout_seconds 0).
func (s kieSpec) wait() time.Duration { return s.poll * time.Duration(s.attempts) }

const (
	fast        = 1500 * time.Millisecond
	slow        = 2 * time.Second
	recraftPoll = time.Second
)

// kieImageSpecs are the kie.image nodes' tasks, by class name.
var kieImageSpecs = map[string]kieSpec{
	"Flux2ProTextToImage":     {"flux-2/pro-text-to-image", fast, 200, promptAnd("aspect_ratio", "resolution")},
	"Flux2ProImageToImage":    {"flux-2/pro-image-to-image", fast, 200, promptImages("images", "input_urls", "aspect_ratio", "resolution")},
	"Flux2FlexTextToImage":    {"flux-2/flex-text-to-image", fast, 200, promptAnd("aspect_ratio", "resolution")},
	"Flux2FlexImageToImage":   {"flux-2/flex-image-to-image", fast, 200, promptImages("images", "input_urls", "aspect_ratio", "resolution")},
	"Seedream45TextToImage":   {"seedream/4.5-text-to-image", fast, 200, promptAnd("aspect_ratio", "quality")},
	"Seedream45Edit":          {"seedream/4.5-edit", fast, 200, promptImages("image_input", "image_urls", "aspect_ratio", "quality")},
	"Seedream40TextToImage":   {"seedream/4.0-text-to-image", fast, 200, promptAnd("aspect_ratio", "quality")},
	"Seedream40ImageToImage":  {"seedream/4.0-edit", fast, 200, promptImage("image", "image_url", "aspect_ratio", "quality")},
	"ZImage":                  {"z-image", fast, 200, promptAnd("aspect_ratio")},
	"FluxKontext":             {"flux-kontext", fast, 200, promptAnd("aspect_ratio", "mode")},
	"GrokImagineTextToImage":  {"grok-imagine/text-to-image", fast, 200, promptAnd("aspect_ratio")},
	"QwenTextToImage":         {"qwen/text-to-image", fast, 200, promptAnd("aspect_ratio")},
	"QwenImageToImage":        {"qwen/image-to-image", fast, 200, promptImage("image", "image_url", "aspect_ratio")},
	"GPTImage15TextToImage":   {"gpt-image/1.5-text-to-image", slow, 200, promptAnd("aspect_ratio", "quality")},
	"GPTImage15ImageToImage":  {"gpt-image/1.5-image-to-image", slow, 200, promptImages("images", "input_urls", "aspect_ratio", "quality")},
	"TopazImageUpscale":       {"topaz/image-upscale", fast, 200, imageAnd("image_url", "upscale_factor")},
	"RecraftRemoveBackground": {"recraft/remove-background", recraftPoll, 30, imageAnd("image")},
	"RecraftCrispUpscale":     {"recraft/crisp-upscale", recraftPoll, 30, imageAnd("image")},
	"NanoBanana": {"google/nano-banana", fast, 200, func(b *kieInput) (map[string]any, error) {
		p, err := b.prompt()
		if err != nil {
			return nil, err
		}
		return map[string]any{"prompt": p, "output_format": "png", "image_size": b.str("image_size")}, nil
	}},
	"NanoBananaEdit": {"google/nano-banana-edit", fast, 200, func(b *kieInput) (map[string]any, error) {
		p, err := b.prompt()
		if err != nil {
			return nil, err
		}
		urls, err := b.urls("image_input")
		if err != nil {
			return nil, err
		}
		return map[string]any{"prompt": p, "image_urls": urls, "output_format": "png", "image_size": b.str("image_size")}, nil
	}},
	"NanoBananaPro": {"nano-banana-pro", fast, 200, func(b *kieInput) (map[string]any, error) {
		p, err := b.prompt()
		if err != nil {
			return nil, err
		}
		urls, err := b.urls("image_input")
		if err != nil {
			return nil, err
		}
		return map[string]any{"prompt": p, "image_input": urls, "aspect_ratio": b.str("aspect_ratio"), "resolution": b.str("resolution"), "output_format": "png"}, nil
	}},
	"GrokImagineUpscale": {"grok-imagine/upscale", fast, 200, func(b *kieInput) (map[string]any, error) {
		img := b.in.Get("image")
		if !media.IsSet(img) {
			return nil, errors.New("image is required")
		}
		var id string
		if d, ok := img.(*pyval.Dict); ok {
			if md, _ := d.Get("metadata"); md != nil {
				if m, ok := md.(*pyval.Dict); ok {
					id = m.Str("task_id")
				}
			}
		}
		if id == "" {
			return nil, errors.New("the image's metadata holds no task_id: the image must be made by a kie.ai node to be upscaled")
		}
		return map[string]any{"task_id": id}, nil
	}},
	"Imagen4Fast": {"google/imagen4-fast", fast, 200, func(b *kieInput) (map[string]any, error) {
		p, err := b.prompt()
		if err != nil {
			return nil, err
		}
		return map[string]any{"prompt": p, "negative_prompt": b.str("negative_prompt"), "aspect_ratio": b.str("aspect_ratio"), "num_images": "1"}, nil
	}},
	"Imagen4Ultra": {"google/imagen4-ultra", slow, 200, func(b *kieInput) (map[string]any, error) {
		p, err := b.prompt()
		if err != nil {
			return nil, err
		}
		return map[string]any{"prompt": p, "negative_prompt": b.str("negative_prompt"), "aspect_ratio": b.str("aspect_ratio"), "seed": b.in.Int("seed")}, nil
	}},
	"Imagen4": {"google/imagen4", slow, 200, func(b *kieInput) (map[string]any, error) {
		p, err := b.prompt()
		if err != nil {
			return nil, err
		}
		return map[string]any{"prompt": p, "negative_prompt": b.str("negative_prompt"), "aspect_ratio": b.str("aspect_ratio"), "num_images": "1", "seed": b.in.Int("seed")}, nil
	}},
	"GPTImage4oTextToImage": {"4o-image-api", slow, 200, func(b *kieInput) (map[string]any, error) {
		p, err := b.prompt()
		if err != nil {
			return nil, err
		}
		return map[string]any{"prompt": p, "size": b.str("size"), "nVariants": b.in.Int("n_variants"), "isEnhance": b.in.Bool("is_enhance")}, nil
	}},
	"GPTImage4oImageToImage": {"4o-image-api", slow, 200, func(b *kieInput) (map[string]any, error) {
		m, err := promptImages("images", "filesUrl", "size")(b)
		if err != nil {
			return nil, err
		}
		m["nVariants"] = b.in.Int("n_variants")
		return m, nil
	}},
	"IdeogramCharacter": {"ideogram/character", slow, 200, func(b *kieInput) (map[string]any, error) {
		if len(b.in.List("reference_images")) == 0 {
			return nil, errors.New("at least one reference image is required")
		}
		refs, err := b.urls("reference_images")
		if err != nil {
			return nil, err
		}
		m := b.fields("rendering_speed", "style", "image_size", "negative_prompt")
		m["prompt"], m["reference_image_urls"], m["expand_prompt"], m["num_images"], m["seed"] = b.str("prompt"), refs, b.in.Bool("expand_prompt"), "1", b.seedOrNone()
		return m, nil
	}},
	"IdeogramCharacterEdit": {"ideogram/character-edit", slow, 200, func(b *kieInput) (map[string]any, error) {
		switch {
		case !media.IsSet(b.in.Get("image")):
			return nil, errors.New("base image is required")
		case !media.IsSet(b.in.Get("mask")):
			return nil, errors.New("mask image is required")
		case len(b.in.List("reference_images")) == 0:
			return nil, errors.New("at least one reference image is required")
		}
		img, err := b.url("image")
		if err != nil {
			return nil, err
		}
		mask, err := b.url("mask")
		if err != nil {
			return nil, err
		}
		refs, err := b.urls("reference_images")
		if err != nil {
			return nil, err
		}
		m := b.fields("rendering_speed", "style")
		m["prompt"], m["image_url"], m["mask_url"], m["reference_image_urls"] = b.str("prompt"), img, mask, refs
		m["expand_prompt"], m["num_images"], m["seed"] = b.in.Bool("expand_prompt"), "1", b.seedOrNone()
		return m, nil
	}},
	"IdeogramCharacterRemix": {"ideogram/character-remix", slow, 200, func(b *kieInput) (map[string]any, error) {
		if !media.IsSet(b.in.Get("image")) {
			return nil, errors.New("base image is required")
		}
		img, err := b.url("image")
		if err != nil {
			return nil, err
		}
		refs, err := b.urls("reference_images")
		if err != nil {
			return nil, err
		}
		more, err := b.urls("additional_images")
		if err != nil {
			return nil, err
		}
		m := b.fields("rendering_speed", "style", "image_size", "negative_prompt", "reference_mask_urls")
		m["prompt"], m["image_url"], m["reference_image_urls"], m["image_urls"] = b.str("prompt"), img, refs, more
		m["expand_prompt"], m["num_images"], m["strength"] = b.in.Bool("expand_prompt"), "1", b.in.Float("strength")
		return m, nil
	}},
	"IdeogramV3Reframe": {"ideogram/v3-reframe", slow, 200, func(b *kieInput) (map[string]any, error) {
		m, err := imageAnd("image_url", "image_size", "rendering_speed", "style")(b)
		if err != nil {
			return nil, err
		}
		m["num_images"], m["seed"] = "1", b.in.Int("seed")
		return m, nil
	}},
	"IdeogramV3TextToImage": {"ideogram/v3-text-to-image", slow, 200, func(b *kieInput) (map[string]any, error) {
		m, err := promptAnd("rendering_speed", "style", "image_size")(b)
		if err != nil {
			return nil, err
		}
		m["expand_prompt"] = b.in.Bool("expand_prompt")
		b.ideogramV3(m)
		return m, nil
	}},
	"IdeogramV3ImageToImage": {"ideogram/v3-image-to-image", slow, 200, func(b *kieInput) (map[string]any, error) {
		m, err := promptImage("image", "image_url", "rendering_speed", "style", "image_size")(b)
		if err != nil {
			return nil, err
		}
		m["strength"], m["expand_prompt"] = b.in.Float("strength"), b.in.Bool("expand_prompt")
		b.ideogramV3(m)
		return m, nil
	}},
}

// kieInput builds a task's input from a node's inputs; it uploads their
// images.
type kieInput struct {
	ctx   *engine.Ctx
	c     caller
	in    *engine.Inputs
	l     *vlib
	model string
}

// prompt is the node's prompt, which must not be empty.
func (b *kieInput) prompt() (string, error) {
	p := b.in.Str("prompt")
	if p == "" {
		return "", errors.New("prompt cannot be empty")
	}
	return p, nil
}

func (b *kieInput) str(name string) string { return b.in.Str(name) }

// fields are properties passed as they are (strings, enum values).
func (b *kieInput) fields(names ...string) map[string]any {
	m := make(map[string]any, len(names)+4)
	for _, n := range names {
		m[n] = b.in.Str(n)
	}
	return m
}

// seedOrNone is a seed above 0, else null (the Ideogram Character nodes).
func (b *kieInput) seedOrNone() any {
	if s := b.in.Int("seed"); s > 0 {
		return s
	}
	return nil
}

// ideogramV3 adds the optional fields of the Ideogram V3 nodes: the
// negative prompt when given, the seed when not negative.
func (b *kieInput) ideogramV3(m map[string]any) {
	if np := b.in.Str("negative_prompt"); np != "" {
		m["negative_prompt"] = np
	}
	if s := b.in.Int("seed"); s >= 0 {
		m["seed"] = s
	}
}

// url uploads the image of property name.
func (b *kieInput) url(name string) (string, error) {
	return b.upload(b.in.Get(name))
}

// urls uploads the images of list property name that are set (unset ones
// are skipped, as the original does).
func (b *kieInput) urls(name string) ([]string, error) {
	list := b.in.List(name)
	if err := b.ctx.CheckItems(int64(len(list))); err != nil {
		return nil, err
	}
	urls := make([]string, 0, len(list))
	for _, v := range list {
		if !media.IsSet(v) {
			continue
		}
		if err := b.ctx.Check(); err != nil {
			return nil, err
		}
		u, err := b.upload(v)
		if err != nil {
			return nil, err
		}
		urls = append(urls, u)
	}
	return urls, nil
}

// upload returns a URL kie.ai can read an image from, as the original's
// _upload_image: a public http(s) uri as it is, else the image's bytes
// (read within max-value) sent to kie.ai's upload service.
func (b *kieInput) upload(v any) (string, error) {
	d, _ := v.(*pyval.Dict)
	uri := ""
	if d != nil {
		uri = d.Str("uri")
		if publicURL(uri) {
			return uri, nil
		}
	}
	data, err := b.l.src.Read(b.ctx, v)
	if err != nil {
		return "", err
	}
	return b.l.kie.Upload(b.c, b.model, data, "images/user-uploads", uploadName(uri, data))
}

// publicURL reports whether uri is an http(s) URL kie.ai could fetch
// itself: not localhost, nor a loopback, private or link-local address
// (the original passes any http(s) uri without "localhost" or
// "127.0.0.1").
func publicURL(uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified())
	}
	return true
}

// uploadName is the file name an upload gets: the uri's base name, else
// "nodetool-<random hex>", with the extension of the content's type when
// it has none (".png" when unknown), as the original names them.
func uploadName(uri string, data []byte) string {
	name := ""
	if u, err := url.Parse(uri); err == nil && uri != "" {
		name = path.Base(u.Path)
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x80 && (r == '.' || r == '-' || r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return r
		}
		return -1
	}, name)
	if len(name) > 100 {
		name = name[len(name)-100:]
	}
	if strings.Trim(name, ".") == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		name = "nodetool-" + hex.EncodeToString(b[:])
	}
	if path.Ext(name) == "" {
		ext := ".png"
		if kind, mime := media.Sniff(data); kind == media.Image {
			ext = media.Ext(mime)
		}
		name += ext
	}
	return name
}

// promptAnd is a text-to-image input: the prompt and fields as they are.
func promptAnd(fields ...string) func(*kieInput) (map[string]any, error) {
	return func(b *kieInput) (map[string]any, error) {
		p, err := b.prompt()
		if err != nil {
			return nil, err
		}
		m := b.fields(fields...)
		m["prompt"] = p
		return m, nil
	}
}

// promptImages is an input of the prompt, at least one image of list
// property list (uploaded, as key) and fields.
func promptImages(list, key string, fields ...string) func(*kieInput) (map[string]any, error) {
	return func(b *kieInput) (map[string]any, error) {
		p, err := b.prompt()
		if err != nil {
			return nil, err
		}
		if len(b.in.List(list)) == 0 {
			return nil, errors.New("at least one image is required")
		}
		urls, err := b.urls(list)
		if err != nil {
			return nil, err
		}
		if len(urls) == 0 {
			return nil, errors.New("at least one valid image is required")
		}
		m := b.fields(fields...)
		m["prompt"], m[key] = p, urls
		return m, nil
	}
}

// promptImage is an input of the prompt, the image of property prop
// (uploaded, as key) and fields.
func promptImage(prop, key string, fields ...string) func(*kieInput) (map[string]any, error) {
	return func(b *kieInput) (map[string]any, error) {
		p, err := b.prompt()
		if err != nil {
			return nil, err
		}
		m, err := imageAnd(key, fields...)(b)
		if err != nil {
			return nil, err
		}
		m["prompt"] = p
		return m, nil
	}
}

// imageAnd is an input of the node's image (uploaded, as key) and fields.
func imageAnd(key string, fields ...string) func(*kieInput) (map[string]any, error) {
	return func(b *kieInput) (map[string]any, error) {
		if !media.IsSet(b.in.Get("image")) {
			return nil, errors.New("image is required")
		}
		u, err := b.url("image")
		if err != nil {
			return nil, err
		}
		m := b.fields(fields...)
		m[key] = u
		return m, nil
	}
}

// registerKie adds the kie.image nodes of the catalog.
func (l *vlib) registerKie(r *engine.Registry) {
	v := l.kieVendor()
	for _, def := range kieImageCatalog() {
		class := def.Type[strings.LastIndexByte(def.Type, '.')+1:]
		spec, ok := kieImageSpecs[class]
		if !ok {
			panic("images: no kie.ai task for " + def.Type)
		}
		def.Check = l.check(v, spec.model)
		def.Process = l.kieProcess(def, spec, v)
		r.Add(def)
	}
}

// kieProcess runs a kie.image node: on kie.ai when the run has a key and
// no map rule names kie, else on the image provider the map gives it.
func (l *vlib) kieProcess(def *engine.NodeDef, spec kieSpec, v vendor) engine.ProcessFunc {
	return func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
		use, err := l.useService(ctx, v, spec.model)
		if err != nil {
			return nil, err
		}
		if !use {
			req, err := l.standIn(ctx, def, in)
			if err != nil {
				return nil, err
			}
			return l.stand(ctx, v, spec.model, req, in.Int("timeout_seconds"))
		}
		c, wait, cancel := bounded(ctx, in.Int("timeout_seconds"), spec.wait())
		defer cancel()
		input, err := spec.input(&kieInput{ctx: ctx, c: c, in: in, l: l, model: spec.model})
		if err != nil {
			var le *engine.LimitError
			if errors.As(err, &le) {
				return nil, err
			}
			return nil, serviceError(ctx, c, wait, spec.model, err)
		}
		res, err := l.kie.Run(c, vendors.KieTask{Model: spec.model, Input: input, Poll: spec.poll}, ctx.MaxValue())
		if err != nil {
			return nil, serviceErrorHint(ctx, c, wait, spec.model, err, " (timeout_seconds; 0 is the node's default)")
		}
		return resultImage(ctx, spec.model, res.Data, res.TaskID)
	}
}

// ideogramSizes are the sizes of Ideogram's image_size presets (fal's).
var ideogramSizes = map[string][2]int{
	"square": {512, 512}, "square_hd": {1024, 1024}, "portrait_4_3": {768, 1024}, "portrait_16_9": {576, 1024},
	"landscape_4_3": {1024, 768}, "landscape_16_9": {1024, 576},
}

// standIn is the image request a kie.image node makes of the provider the
// model map gives it: its prompt, negative prompt and seed; its first
// input image (for an edit); its size from its aspect ratio (or Ideogram
// size preset) with the long side of its resolution (1K, 2K, 4K; else
// 1024), or else its input image's size (times upscale_factor).
func (l *vlib) standIn(ctx *engine.Ctx, def *engine.NodeDef, in *engine.Inputs) (*providers.ImageRequest, error) {
	req := &providers.ImageRequest{Prompt: in.Str("prompt"), NegativePrompt: in.Str("negative_prompt"), Seed: -1}
	if s := in.Int("seed"); s > 0 {
		req.Seed = s
	}
	for _, p := range def.Props {
		var first any
		switch {
		case p.Type.Type == "image":
			first = in.Get(p.Name)
		case p.Type.Type == "list" && len(p.Type.TypeArgs) == 1 && p.Type.TypeArgs[0].Type == "image":
			for _, item := range in.List(p.Name) {
				if media.IsSet(item) {
					first = item
					break
				}
			}
		}
		if media.IsSet(first) && req.Image == nil {
			img, err := l.src.Read(ctx, first)
			if err != nil {
				return nil, err
			}
			req.Image = img
		}
	}
	long := map[string]int{"1K": 1024, "2K": 2048, "4K": 4096}[in.Str("resolution")]
	if long == 0 {
		long = 1024
	}
	inW, inH := 0, 0
	if req.Image != nil {
		if cfg, _, err := media.DecodeConfig(req.Image); err == nil {
			inW, inH = cfg.Width, cfg.Height
		}
	}
	ratio := ""
	for _, name := range []string{"aspect_ratio", "image_size", "size"} {
		if _, ok := def.Prop(name); ok {
			ratio = in.Str(name)
			break
		}
	}
	switch sz, preset := ideogramSizes[ratio]; {
	case preset:
		req.Width, req.Height = sz[0], sz[1]
	case ratio == "auto" && inW > 0 && inH > 0:
		req.Width, req.Height = aspectSize(fmt.Sprintf("%d:%d", inW, inH), long)
	case ratio != "":
		req.Width, req.Height = aspectSize(ratio, long)
	case inW > 0 && inH > 0:
		f, err := strconv.Atoi(in.Str("upscale_factor"))
		if err != nil || f < 1 {
			f = 1
		}
		req.Width, req.Height = min(inW*f, MaxSide), min(inH*f, MaxSide)
	}
	return req, nil
}
