package images

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
	"nodetool/nodes/base"
	"nodetool/nodes/media"
	"nodetool/nodes/runfiles"
)

// RegisterAssets adds Load Image Assets, which lists the images of an
// asset folder of the run's user through a (nil: this process has no
// asset store, and the node fails saying so).
func RegisterAssets(r *engine.Registry, a runfiles.Assets) {
	r.Add(&engine.NodeDef{
		Type:  "nodetool.image.LoadImageAssets",
		Title: "Load Image Assets",
		Description: "Load images from an asset folder.\n    load, image, file, import" +
			"\n\n    Each image is a reference naming its asset; the nodes that use it read it from the asset store (nodetool serve only).",
		Props:           []engine.Prop{engine.P("folder", "folder", `{"type": "folder", "uri": "", "asset_id": null, "data": null, "metadata": null}`, "The asset folder to load the images from.")},
		Outputs:         engine.Out("image", "image", "name", "str"),
		BasicFields:     []string{"folder"},
		StreamingOutput: true,
		Gen: func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
			return media.LoadAssets(ctx, a, in.Get("folder"), media.Image, emit)
		},
	})
}

// registerFiles adds the nodes that read and write image files of the
// run's workspace, and Images To List.
func registerFiles(r *engine.Registry, src media.Sources) {
	r.Add(&engine.NodeDef{
		Type:  "nodetool.image.LoadImageFile",
		Title: "Load Image File",
		Description: "Read an image file from disk.\n    image, input, load, file" +
			"\n\n    Here the file is in the run's workspace (no other host path is read).",
		Props:       []engine.Prop{engine.P("path", "str", `""`, "Path to the image file to read")},
		Outputs:     engine.Out("output", "image"),
		BasicFields: []string{"path"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			p := in.Str("path")
			if p == "" {
				return nil, errors.New("path cannot be empty")
			}
			name, err := runfiles.Clean(p)
			if err != nil {
				return nil, err
			}
			data, err := runfiles.Read(ctx, "Load Image File reads", name)
			if err != nil {
				return nil, err
			}
			cfg, _, err := media.DecodeConfig(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if err := media.CheckPixels(ctx, cfg.Width, cfg.Height, 4); err != nil {
				return nil, err
			}
			ref := media.ImageRef(data)
			ref.Set("uri", name)
			return engine.Single(ref), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:  "nodetool.image.SaveImageFile",
		Title: "Save Image File",
		Description: "Write an image to disk.\n    image, output, save, file" +
			"\n\n    Here the file is written in the run's workspace, in the format its extension names (PNG, JPEG, GIF, BMP, TIFF).",
		Props: []engine.Prop{
			engine.P("image", "image", base.DefImage, "The image to save"),
			engine.P("folder", "str", `""`, "Folder where the file will be saved"),
			engine.P("filename", "str", `""`, "\n        The name of the image file.\n        You can use time and date variables to create unique names:\n        %Y - Year\n        %m - Month\n        %d - Day\n        %H - Hour\n        %M - Minute\n        %S - Second\n        "),
			engine.P("overwrite", "bool", "false", "Overwrite the file if it already exists, otherwise file will be renamed"),
		},
		Outputs:     engine.Out("output", "image"),
		BasicFields: []string{"image", "folder", "filename", "overwrite"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			folder, filename := in.Str("folder"), in.Str("filename")
			if folder == "" {
				return nil, errors.New("folder cannot be empty")
			}
			if filename == "" {
				return nil, errors.New("filename cannot be empty")
			}
			name := runfiles.Name(filename, time.Now())
			format, ok := saveFormats[strings.ToLower(path.Ext(name))]
			if !ok {
				return nil, fmt.Errorf("cannot save %s: the extension must name PNG (.png), JPEG (.jpg, .jpeg), GIF (.gif), BMP (.bmp) or TIFF (.tif, .tiff)", pystr.ClipQuote(name))
			}
			data, err := src.Read(ctx, in.Get("image"))
			if err != nil {
				return nil, err
			}
			if data, err = encodeAs(ctx, data, format); err != nil {
				return nil, err
			}
			if err := makeParent(ctx, folder, name); err != nil {
				return nil, err
			}
			var p string
			if in.Bool("overwrite") {
				p, err = runfiles.Write(ctx, "Save Image File writes", folder, name, data)
			} else {
				p, err = runfiles.WriteNew(ctx, "Save Image File writes", folder, name, data)
			}
			if err != nil {
				return nil, err
			}
			ref := media.ImageRef(data)
			ref.Set("uri", p)
			return engine.Single(ref), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.image.ImagesToList",
		Title:       "Images To List",
		Description: "Convert all dynamic properties to a list of image references.\n    list, images, processing",
		Outputs:     engine.Out("output", "list[image]"),
		Dynamic:     true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			dyn := in.Dynamic()
			out := make([]any, 0, dyn.Len())
			var err error
			dyn.Range(func(k string, v any) bool {
				switch t := v.(type) {
				case *pyval.Dict:
					if media.IsRef(t, media.Image) {
						out = append(out, t)
						return true
					}
					err = fmt.Errorf("input %s is %s, not an image", pystr.ClipQuote(k), pyval.TypeName(v))
					return false
				}
				// Other values are an image's content, as the original's
				// ImageRef(data=...).
				ref := media.ImageRef(nil)
				ref.Set("data", v)
				out = append(out, ref)
				return true
			})
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
}

// saveFormats maps file extensions to the format written.
var saveFormats = map[string]string{".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".bmp": "bmp", ".tif": "tiff", ".tiff": "tiff"}

// encodeAs returns image content in format: the content itself when it
// already is (no re-encoding), else the decoded image encoded anew (JPEG
// at Pillow's default quality 75, its alpha dropped).
func encodeAs(ctx *engine.Ctx, data []byte, format string) ([]byte, error) {
	cfg, have, err := media.DecodeConfig(data)
	if err != nil {
		return nil, fmt.Errorf("the image %w", err)
	}
	if err := media.CheckPixels(ctx, cfg.Width, cfg.Height, 4); err != nil {
		return nil, err
	}
	if have == format {
		return data, nil
	}
	img, _, err := media.DecodeImage(ctx, data)
	if err != nil {
		return nil, err
	}
	switch format {
	case "png":
		return media.EncodePNG(ctx, img)
	case "jpeg":
		return media.EncodeJPEG(ctx, img, 75)
	case "gif":
		return media.EncodeGIF(ctx, img)
	}
	var buf bytes.Buffer
	var werr error
	if format == "bmp" {
		werr = bmp.Encode(&buf, img)
	} else {
		werr = tiff.Encode(&buf, img, &tiff.Options{Compression: tiff.Deflate})
	}
	if werr != nil {
		return nil, fmt.Errorf("encoding %s: %w", strings.ToUpper(format), werr)
	}
	return buf.Bytes(), ctx.CheckSize(int64(buf.Len()))
}

// makeParent makes the folders a file name holds ("shots/today.png")
// inside folder, which must exist, as the original makes the file's
// parent folder.
func makeParent(ctx *engine.Ctx, folder, name string) error {
	dir := path.Dir(strings.ReplaceAll(name, "\\", "/"))
	if dir == "." {
		return nil
	}
	base, err := runfiles.Clean(folder)
	if err != nil {
		return err
	}
	p, err := runfiles.Clean(path.Join(base, dir))
	if err != nil {
		return err
	}
	root, err := runfiles.Open(ctx, "Save Image File writes")
	if err != nil {
		return err
	}
	defer root.Close()
	if st, err := root.Stat(base); err != nil || !st.IsDir() {
		return fmt.Errorf("folder %s does not exist in the run's workspace", pystr.ClipQuote(folder))
	}
	return root.MkdirAll(p, 0o700)
}
