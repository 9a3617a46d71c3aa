package text

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
	"nodetool/nodes/runfiles"
)

// registerHTMLAndFiles adds HtmlToText and the nodes that read and write
// text files of the run's workspace folder.
func registerHTMLAndFiles(r *engine.Registry) {
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.HtmlToText",
		Title:       "HTML to Text",
		Description: "Converts HTML to Markdown-like plain text as the html2text package does: paragraphs, headings (#), **bold**, _italic_, [links](url) resolved against the base URL, lists, quotes, code and tables; scripts and styles are dropped.",
		Props: []engine.Prop{
			engine.P("html", "str", `""`, "HTML content to convert").Titled("HTML"),
			engine.P("base_url", "str", `""`, "Base URL for resolving relative links").Titled("Base URL"),
			engine.P("body_width", "int", "1000", "Width for text wrapping"),
			engine.P("ignore_images", "bool", "true", "Whether to ignore image tags"),
			engine.P("ignore_mailto_links", "bool", "true", "Whether to ignore mailto links"),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s, err := htmlToText(ctx, in.Str("html"), in.Str("base_url"), int(max(min(in.Int("body_width"), 1<<30), 0)),
				in.Bool("ignore_images"), in.Bool("ignore_mailto_links"))
			if err != nil {
				return nil, err
			}
			return engine.Single(s), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.SaveTextFile",
		Description: "Writes the text as a UTF-8 file in a folder of the run's workspace, which must exist, and returns it as a text reference. The name may hold strftime codes (%Y, %m, %d, %H, %M, %S).",
		Props: []engine.Prop{
			engine.P("text", "str", `""`, "The text to save."),
			engine.P("folder", "str", `""`, "Path to the output folder."),
			engine.P("name", "str", `"%Y-%m-%d-%H-%M-%S.txt"`, "Name of the output file, with strftime codes (%Y, %m, %d, %H, %M, %S) for the date and time."),
		},
		Outputs: engine.Out("output", "text"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			if in.Str("folder") == "" {
				return nil, errors.New("folder cannot be empty")
			}
			text := in.Str("text")
			if _, err := runfiles.Write(ctx, "Save Text File writes", in.Str("folder"), runfiles.Name(in.Str("name"), time.Now()), []byte(text)); err != nil {
				return nil, err
			}
			return engine.Single(pyval.DictOf("type", "text", "uri", "", "asset_id", nil, "data", text, "metadata", nil)), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.LoadTextFolder",
		Description: "Streams the text files of a folder of the run's workspace (and of its subfolders, if asked), in name order, with their paths: only files with one of the extensions, and matching the pattern (fnmatch on the path) when one is given. Files that are not UTF-8 text are skipped with a warning.",
		Props: []engine.Prop{
			engine.P("folder", "str", `""`, "Folder to scan for text files"),
			engine.P("include_subdirectories", "bool", "false", "Include text files in subfolders"),
			engine.P("extensions", "list[str]", `[".txt", ".csv", ".json", ".xml", ".md", ".html", ".pdf"]`, "Text file extensions to include"),
			engine.P("pattern", "str", `""`, "Pattern to match text files"),
		},
		Outputs:         engine.Out("text", "str", "path", "str"),
		StreamingOutput: true,
		Gen:             loadTextFolder,
	})
}

func loadTextFolder(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
	folder := in.Str("folder")
	if folder == "" {
		return errors.New("folder cannot be empty")
	}
	dir, err := runfiles.Clean(folder)
	if err != nil {
		return err
	}
	exts := map[string]bool{}
	for _, e := range in.List("extensions") {
		if s, ok := e.(string); ok {
			exts[strings.ToLower(s)] = true
		}
	}
	var match *regexp.Regexp
	if p := in.Str("pattern"); p != "" {
		if match, err = fnmatchRegexp(p); err != nil {
			return err
		}
	}
	root, err := runfiles.Open(ctx, "Load Text Folder reads")
	if err != nil {
		return err
	}
	defer root.Close()
	if st, err := root.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("folder %s does not exist in the run's workspace", pystr.ClipQuote(folder))
	}
	var files []string
	walkErr := fs.WalkDir(root.FS(), dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Tick(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && !in.Bool("include_subdirectories") {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		shown := shownPath(folder, dir, p)
		if !exts[strings.ToLower(path.Ext(p))] || match != nil && !match.MatchString(shown) {
			return nil
		}
		files = append(files, p)
		return ctx.CheckItems(int64(len(files)))
	})
	if walkErr != nil {
		return walkErr
	}
	slices.Sort(files)
	for _, p := range files {
		data, err := runfiles.Read(ctx, "Load Text Folder reads", p)
		if err != nil {
			return err
		}
		shown := shownPath(folder, dir, p)
		if !utf8.Valid(data) {
			ctx.Log("warning", fmt.Sprintf("skipped %s: it is not UTF-8 text", pystr.ClipQuote(shown)))
			continue
		}
		if err := emit("text", string(data)); err != nil {
			return err
		}
		if err := emit("path", shown); err != nil {
			return err
		}
	}
	return nil
}

// shownPath is a file's path as the original gives it: the folder as the
// workflow wrote it, joined with the file's path inside it (p is the
// path from the workspace, dir the folder cleaned).
func shownPath(folder, dir, p string) string {
	if dir != "." {
		p = strings.TrimPrefix(p, dir+"/")
	}
	return path.Join(folder, p)
}

// fnmatchRegexp translates a shell pattern as Python's fnmatch does: *
// and ? match any characters (slashes included), [seq] and [!seq] a set.
func fnmatchRegexp(p string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for i := 0; i < len(p); {
		c, size := utf8.DecodeRuneInString(p[i:])
		i += size
		switch c {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		case '[':
			j := i
			if j < len(p) && p[j] == '!' {
				j++
			}
			if j < len(p) && p[j] == ']' {
				j++
			}
			for j < len(p) && p[j] != ']' {
				j++
			}
			if j >= len(p) {
				b.WriteString(`\[`)
				continue
			}
			set := p[i:j]
			i = j + 1
			set = strings.ReplaceAll(set, `\`, `\\`)
			if strings.HasPrefix(set, "!") {
				set = "^" + set[1:]
			} else if strings.HasPrefix(set, "^") {
				set = `\` + set
			}
			b.WriteString("[" + set + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("pattern %s: %v", pystr.ClipQuote(p), err)
	}
	return re, nil
}
