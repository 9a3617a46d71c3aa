package images

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/nodes/base"
	"nodetool/nodes/media"
)

// MaxFolderFiles bounds the files LoadImageFolder looks at.
const MaxFolderFiles = 100000

func registerFolder(r *engine.Registry, src media.Sources) {
	r.Add(&engine.NodeDef{
		Type:  "nodetool.image.LoadImageFolder",
		Title: "Load Image Folder",
		Description: "Load all images from a folder, optionally including subfolders.\n    image, load, folder, files" +
			"\n\n    Here the folder is inside the run's workspace (no other host path is read).",
		Props: []engine.Prop{
			engine.P("folder", "str", `""`, "Folder to scan for images"),
			engine.P("include_subdirectories", "bool", "false", "Include images in subfolders"),
			engine.P("extensions", "list[str]", `[".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tiff"]`, "Image file extensions to include"),
			engine.P("pattern", "str", `""`, "Pattern to match image files"),
		},
		Outputs:         engine.Out("image", "image", "path", "str"),
		BasicFields:     []string{"folder", "include_subdirectories", "extensions", "pattern"},
		StreamingOutput: true,
		Gen: func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
			folder := media.FolderName(in.Get("folder"))
			exts := map[string]bool{}
			for _, e := range in.List("extensions") {
				if s, ok := e.(string); ok {
					exts[strings.ToLower(s)] = true
				}
			}
			pattern := in.Str("pattern")
			if _, err := path.Match(pattern, ""); err != nil {
				return fmt.Errorf("pattern %q: %w", pattern, err)
			}
			names, err := imageFiles(ctx, folder, in.Bool("include_subdirectories"), exts, pattern)
			if err != nil {
				return err
			}
			for _, name := range names {
				data, err := media.ReadFile(ctx, name)
				if err != nil {
					return err
				}
				if kind, _ := media.Sniff(data); kind != media.Image {
					ctx.Log("warning", fmt.Sprintf("%s is not an image: skipped", name))
					continue
				}
				if err := emit("image", media.ImageRef(data)); err != nil {
					return err
				}
				if err := emit("path", name); err != nil {
					return err
				}
			}
			return nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:  "nodetool.image.SaveImage",
		Title: "Save Image Asset",
		Description: "Save an image to specified asset folder with customizable name format.\n    save, image, folder, naming" +
			"\n\n    Here the image is written in the run's workspace (in the folder named, created if needed).",
		Props: []engine.Prop{
			engine.P("image", "image", base.DefImage, "The image to save."),
			engine.P("folder", "folder", `{"type": "folder", "uri": "", "asset_id": null, "data": null, "metadata": null}`, "The asset folder to save the image in."),
			engine.P("name", "str", `"%Y-%m-%d_%H-%M-%S.png"`, "\n        Name of the output file.\n        You can use time and date variables to create unique names:\n        %Y - Year\n        %m - Month\n        %d - Day\n        %H - Hour\n        %M - Minute\n        %S - Second\n        "),
		},
		Outputs:     engine.Out("output", "image"),
		BasicFields: []string{"image", "folder", "name"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			data, err := src.Read(ctx, in.Get("image"))
			if err != nil {
				return nil, err
			}
			if kind, mime := media.Sniff(data); kind != media.Image {
				return nil, fmt.Errorf("the image is not an image (%s)", mime)
			}
			rel, err := media.WriteFile(ctx, media.FolderName(in.Get("folder")), media.TimeName(in.Str("name"), time.Now()), data)
			if err != nil {
				return nil, err
			}
			ref := media.ImageRef(data)
			ref.Set("uri", rel)
			return engine.Single(ref), nil
		},
	})
}

// imageFiles lists the workspace files under folder with one of exts
// whose name matches pattern, sorted, counting each entry seen.
func imageFiles(ctx *engine.Ctx, folder string, sub bool, exts map[string]bool, pattern string) ([]string, error) {
	root, err := ctx.Workspace()
	if err != nil {
		return nil, fmt.Errorf("Load Image Folder reads the run's workspace: %w", err)
	}
	defer root.Close()
	var names []string
	seen := 0
	err = fs.WalkDir(root.FS(), folder, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if seen++; seen > MaxFolderFiles {
			return fmt.Errorf("the folder holds more than %d entries", MaxFolderFiles)
		}
		if err := ctx.Tick(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != folder && !sub {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !exts[strings.ToLower(path.Ext(p))] {
			return nil
		}
		if ok, _ := path.Match(pattern, d.Name()); pattern != "" && !ok {
			return nil
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("folder %q: %w", folder, err)
	}
	return names, nil
}
