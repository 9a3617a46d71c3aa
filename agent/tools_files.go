package agent

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"nodetool/lang/pyval"
)

// The file tools of Claude's agent (Read, Write, Edit, Glob, Grep) and of
// NodeTool's agents (read_file, write_file, list_directory), all confined
// to a Workspace.

// ReadTool is Claude's Read: a file's lines, numbered.
func ReadTool(w *Workspace) Tool {
	return NewTool("Read", "Reads a file of the workspace ("+workspaceName+"). Returns up to 2000 lines, numbered from 1 (cat -n), "+
		"lines longer than 2000 characters cut; offset and limit pick other lines. Paths are relative to the workspace.",
		`{"type":"object","properties":{"file_path":{"type":"string","description":"The file to read, relative to the workspace"},`+
			`"offset":{"type":"number","description":"The line to start at (1 is the first)"},`+
			`"limit":{"type":"number","description":"How many lines to read"}},"required":["file_path"],"additionalProperties":false}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			root, err := w.root()
			if err != nil {
				return failure("%v", err), nil
			}
			defer root.Close()
			rel, err := w.rel(root, argStr(args, "file_path"))
			if err != nil {
				return failure("%v", err), nil
			}
			f, err := root.Open(rel)
			if err != nil {
				return failure("%s: %v", rel, clean(err)), nil
			}
			defer f.Close()
			if fi, err := f.Stat(); err != nil || fi.IsDir() {
				return failure("%s is a folder: use Glob to list it", rel), nil
			}
			offset, limit := argInt(args, "offset", 1), argInt(args, "limit", readLines)
			if offset < 1 {
				offset = 1
			}
			if limit < 1 || limit > readLines*10 {
				limit = readLines
			}
			var out strings.Builder
			r := bufio.NewReaderSize(f, 64<<10)
			line := int64(0)
			for line < offset-1+limit && out.Len() <= maxToolOutput {
				if err := b.Tick(); err != nil {
					return "", err
				}
				text, err := readLine(r)
				if err == io.EOF {
					break
				}
				if err != nil {
					return failure("%s: %v", rel, clean(err)), nil
				}
				line++
				if line < offset {
					continue
				}
				if utf8Len := len([]rune(text)); utf8Len > readLineLength {
					text = string([]rune(text)[:readLineLength])
				}
				fmt.Fprintf(&out, "%6d\t%s\n", line, text)
			}
			if out.Len() == 0 {
				if line == 0 {
					return "(the file is empty)", nil
				}
				return failure("%s has %d lines: offset %d is past its end", rel, line, offset), nil
			}
			return capText(out.String()), nil
		})
}

// readLine reads one line without its end, keeping at most 64 KiB of it
// (the rest of a longer line is skipped).
func readLine(r *bufio.Reader) (string, error) {
	chunk, err := r.ReadSlice('\n')
	if len(chunk) == 0 && err != nil {
		return "", err
	}
	text := string(chunk)
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = r.ReadSlice('\n')
	}
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return "", err
	}
	return textOf([]byte(strings.TrimRight(text, "\r\n"))), nil
}

// WriteTool is Claude's Write: a file's whole content.
func WriteTool(w *Workspace) Tool {
	return NewTool("Write", "Writes a file of the workspace ("+workspaceName+"), replacing it if it exists; its folders are made. "+
		"Paths are relative to the workspace.",
		`{"type":"object","properties":{"file_path":{"type":"string","description":"The file to write, relative to the workspace"},`+
			`"content":{"type":"string","description":"The content to write"}},"required":["file_path","content"],"additionalProperties":false}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			root, err := w.root()
			if err != nil {
				return failure("%v", err), nil
			}
			defer root.Close()
			rel, err := w.rel(root, argStr(args, "file_path"))
			if err != nil {
				return failure("%v", err), nil
			}
			content := argStr(args, "content")
			created, err := writeFile(root, rel, []byte(content), false)
			if err != nil {
				return failure("%s: %v", rel, err), nil
			}
			if created {
				return fmt.Sprintf("File created successfully at: %s", rel), nil
			}
			return fmt.Sprintf("The file %s has been updated (%d bytes).", rel, len(content)), nil
		})
}

// EditTool is Claude's Edit: an exact replacement in a file.
func EditTool(w *Workspace) Tool {
	return NewTool("Edit", "Replaces old_string with new_string in a file of the workspace. old_string must occur exactly once "+
		"unless replace_all is true.",
		`{"type":"object","properties":{"file_path":{"type":"string","description":"The file to edit, relative to the workspace"},`+
			`"old_string":{"type":"string","description":"The text to replace"},`+
			`"new_string":{"type":"string","description":"The text to replace it with"},`+
			`"replace_all":{"type":"boolean","description":"Replace every occurrence","default":false}},`+
			`"required":["file_path","old_string","new_string"],"additionalProperties":false}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			root, err := w.root()
			if err != nil {
				return failure("%v", err), nil
			}
			defer root.Close()
			rel, err := w.rel(root, argStr(args, "file_path"))
			if err != nil {
				return failure("%v", err), nil
			}
			old, repl := argStr(args, "old_string"), argStr(args, "new_string")
			if old == "" {
				return failure("old_string is empty: to write a whole file use Write"), nil
			}
			if old == repl {
				return failure("old_string and new_string are the same"), nil
			}
			data, err := readFile(b, root, rel)
			if err != nil {
				return failure("%s: %v", rel, err), nil
			}
			text := string(data)
			n := strings.Count(text, old)
			switch {
			case n == 0:
				return failure("%s: old_string was not found", rel), nil
			case n > 1 && !argBool(args, "replace_all"):
				return failure("%s: old_string occurs %d times: give more context to make it unique, or set replace_all", rel, n), nil
			}
			size := int64(len(text)) + int64(n)*(int64(len(repl))-int64(len(old)))
			if size > b.MaxValue() {
				return failure("%s: the edited file would be %d bytes, over the %d-byte limit of one value", rel, size, b.MaxValue()), nil
			}
			if _, err := writeFile(root, rel, []byte(strings.ReplaceAll(text, old, repl)), false); err != nil {
				return failure("%s: %v", rel, err), nil
			}
			return fmt.Sprintf("The file %s has been updated: %d replacement(s).", rel, n), nil
		})
}

// GlobTool is Claude's Glob: files whose path matches a pattern.
func GlobTool(w *Workspace) Tool {
	return NewTool("Glob", "Lists the files of the workspace whose path matches a glob pattern (\"**/*.md\", \"notes/*.txt\"), newest first.",
		`{"type":"object","properties":{"pattern":{"type":"string","description":"The glob pattern; ** matches any number of folders"},`+
			`"path":{"type":"string","description":"The folder to search in (default: the workspace)"}},"required":["pattern"],"additionalProperties":false}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			root, err := w.root()
			if err != nil {
				return failure("%v", err), nil
			}
			defer root.Close()
			pattern := strings.TrimPrefix(strings.TrimSpace(argStr(args, "pattern")), "./")
			if pattern == "" || len(pattern) > maxPattern {
				return failure("give a pattern of at most %d bytes", maxPattern), nil
			}
			if _, err := path.Match(strings.ReplaceAll(pattern, "**", "*"), ""); err != nil {
				return failure("the pattern %q is malformed", pattern), nil
			}
			base := "."
			if p := argStr(args, "path"); p != "" {
				if base, err = w.rel(root, p); err != nil {
					return failure("%v", err), nil
				}
			}
			var found []fileEntry
			err = walk(b, root, base, func(p string, d fs.DirEntry) error {
				if !d.Type().IsRegular() || len(found) >= maxMatches {
					return nil // folders, links and devices are not listed
				}
				sub := p
				if base != "." {
					sub = strings.TrimPrefix(p, filepath.ToSlash(base)+"/")
				}
				if matchGlob(pattern, sub) {
					e := fileEntry{path: p}
					if fi, err := d.Info(); err == nil {
						e.mod = fi.ModTime()
					}
					found = append(found, e)
				}
				return nil
			})
			if err != nil {
				return "", err
			}
			if len(found) == 0 {
				return "No files found", nil
			}
			sortNewest(found)
			var out strings.Builder
			for _, f := range found {
				out.WriteString(f.path)
				out.WriteByte('\n')
			}
			return capText(out.String()), nil
		})
}

// grepFileLimit bounds a file Grep reads.
const grepFileLimit = 8 << 20

// GrepTool is Claude's Grep: a regular expression over files.
func GrepTool(w *Workspace) Tool {
	return NewTool("Grep", "Searches the files of the workspace for a regular expression (RE2 syntax). output_mode: files_with_matches "+
		"(default: the matching files), content (the matching lines), count (matches per file).",
		`{"type":"object","properties":{"pattern":{"type":"string","description":"The regular expression"},`+
			`"path":{"type":"string","description":"A file or folder to search (default: the workspace)"},`+
			`"glob":{"type":"string","description":"Only files whose path matches this glob"},`+
			`"output_mode":{"type":"string","enum":["content","files_with_matches","count"]},`+
			`"-i":{"type":"boolean","description":"Ignore case"},"-n":{"type":"boolean","description":"Show line numbers (content)"},`+
			`"head_limit":{"type":"number","description":"Return at most this many lines"}},"required":["pattern"],"additionalProperties":false}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			root, err := w.root()
			if err != nil {
				return failure("%v", err), nil
			}
			defer root.Close()
			pattern := argStr(args, "pattern")
			if pattern == "" || len(pattern) > maxPattern {
				return failure("give a pattern of at most %d bytes", maxPattern), nil
			}
			if argBool(args, "-i") {
				pattern = "(?i)" + pattern
			}
			re, err := regexp.Compile(pattern)
			if err != nil {
				return failure("the pattern does not compile: %v", err), nil
			}
			base := "."
			if p := argStr(args, "path"); p != "" {
				if base, err = w.rel(root, p); err != nil {
					return failure("%v", err), nil
				}
			}
			glob := strings.TrimPrefix(argStr(args, "glob"), "./")
			mode := argStr(args, "output_mode")
			if mode == "" {
				mode = "files_with_matches"
			}
			limit := int(argInt(args, "head_limit", maxMatches))
			if limit < 1 || limit > maxMatches {
				limit = maxMatches
			}
			numbers := argBool(args, "-n")
			var lines []string
			err = walk(b, root, base, func(p string, d fs.DirEntry) error {
				if d.IsDir() || !d.Type().IsRegular() || len(lines) >= limit {
					return nil
				}
				if glob != "" && !matchGlob(glob, p) && !matchGlob(glob, path.Base(p)) {
					return nil
				}
				fi, err := d.Info()
				if err != nil || fi.Size() > min(grepFileLimit, b.MaxValue()) {
					return nil
				}
				data, err := readFile(b, root, filepath.FromSlash(p))
				if err != nil || bytes.IndexByte(data, 0) >= 0 { // unreadable or binary
					return nil
				}
				count := 0
				for i, line := range strings.Split(textOf(data), "\n") {
					if err := b.Tick(); err != nil {
						return err
					}
					if !re.MatchString(line) {
						continue
					}
					count++
					if mode == "content" && len(lines) < limit {
						if numbers {
							lines = append(lines, fmt.Sprintf("%s:%d:%s", p, i+1, line))
						} else {
							lines = append(lines, p+":"+line)
						}
					}
				}
				switch {
				case count == 0:
				case mode == "count":
					lines = append(lines, fmt.Sprintf("%s:%d", p, count))
				case mode != "content":
					lines = append(lines, p)
				}
				return nil
			})
			if err != nil {
				return "", err
			}
			if len(lines) == 0 {
				return "No matches found", nil
			}
			return capText(strings.Join(lines, "\n")), nil
		})
}

// ReadFileTool is NodeTool's read_file.
func ReadFileTool(w *Workspace) Tool {
	return NewTool("read_file", "Read the contents of a text file within the agent workspace. Supports reading specific line ranges. Cannot read binary files.",
		`{"type":"object","properties":{"path":{"type":"string","description":"Path to the file to read, relative to the workspace directory"},`+
			`"start_line":{"type":"integer","description":"The line number to start reading from (1-based index, optional)."},`+
			`"end_line":{"type":"integer","description":"The line number to end reading at (1-based index, inclusive, optional)."}},"required":["path"]}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			root, err := w.root()
			if err != nil {
				return failure("%v", err), nil
			}
			defer root.Close()
			p := argStr(args, "path")
			rel, err := w.rel(root, p)
			if err != nil {
				return jsonText(map[string]any{"success": false, "error": err.Error()}), nil
			}
			data, err := readFile(b, root, rel)
			if err != nil {
				return jsonText(map[string]any{"success": false, "path": p, "error": fmt.Sprintf("Path %s: %v", p, err)}), nil
			}
			if bytes.IndexByte(data, 0) >= 0 {
				return jsonText(map[string]any{"success": false, "path": p, "is_binary": true,
					"error": fmt.Sprintf("The file %s contains binary data that cannot be processed", p)}), nil
			}
			text := textOf(data)
			all := strings.SplitAfter(text, "\n")
			if len(all) > 0 && all[len(all)-1] == "" {
				all = all[:len(all)-1]
			}
			info := map[string]any{"total_lines": len(all)}
			if args.Has("start_line") || args.Has("end_line") {
				start := int(argInt(args, "start_line", 1)) - 1
				end := int(argInt(args, "end_line", int64(len(all))))
				start, end = max(start, 0), min(end, len(all))
				if start >= len(all) || start > end {
					return jsonText(map[string]any{"success": false, "path": p,
						"error": fmt.Sprintf("Invalid line range: start_line=%d, end_line=%d, total lines=%d", start+1, end, len(all))}), nil
				}
				text = strings.Join(all[start:end], "")
				info = map[string]any{"start_line": start + 1, "end_line": end, "total_lines": len(all)}
			}
			truncated := len(text) > maxToolOutput
			return jsonText(map[string]any{"success": true, "is_directory": false, "path": p, "content": capText(text),
				"truncated": truncated, "is_binary": false, "line_info": info}), nil
		})
}

// WriteFileTool is NodeTool's write_file.
func WriteFileTool(w *Workspace) Tool {
	return NewTool("write_file", "Write content to a file in the agent workspace, creating it if it doesn't exist",
		`{"type":"object","properties":{"path":{"type":"string","description":"Path to the file to write, relative to the workspace directory"},`+
			`"content":{"type":"string","description":"Content to write to the file"},`+
			`"append":{"type":"boolean","description":"Whether to append to the file instead of overwriting","default":false}},"required":["path","content"]}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			root, err := w.root()
			if err != nil {
				return failure("%v", err), nil
			}
			defer root.Close()
			p := argStr(args, "path")
			rel, err := w.rel(root, p)
			if err != nil {
				return jsonText(map[string]any{"success": false, "error": err.Error()}), nil
			}
			appendTo := argBool(args, "append")
			if appendTo {
				if fi, err := root.Stat(rel); err == nil && fi.Size()+int64(len(argStr(args, "content"))) > b.MaxValue() {
					return jsonText(map[string]any{"success": false, "error": fmt.Sprintf("%s would grow over the %d-byte limit of one value", p, b.MaxValue())}), nil
				}
			}
			created, err := writeFile(root, rel, []byte(argStr(args, "content")), appendTo)
			if err != nil {
				return jsonText(map[string]any{"success": false, "error": fmt.Sprintf("%s: %v", p, err)}), nil
			}
			return jsonText(map[string]any{"success": true, "path": p, "append": appendTo, "created": created}), nil
		})
}

// ListDirectoryTool is NodeTool's list_directory.
func ListDirectoryTool(w *Workspace) Tool {
	return NewTool("list_directory", "List the contents (files and subdirectories) of a directory within the agent workspace.",
		`{"type":"object","properties":{"path":{"type":"string","description":"Path to the directory to list, relative to the workspace directory"},`+
			`"recursive":{"type":"boolean","description":"Whether to list contents recursively (optional).","default":false}},"required":["path"]}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			root, err := w.root()
			if err != nil {
				return failure("%v", err), nil
			}
			defer root.Close()
			p := argStr(args, "path")
			if strings.TrimSpace(p) == "" {
				p = "."
			}
			rel, err := w.rel(root, p)
			if err != nil {
				return jsonText(map[string]any{"success": false, "error": err.Error()}), nil
			}
			if fi, err := root.Stat(rel); err != nil || !fi.IsDir() {
				return jsonText(map[string]any{"success": false, "error": fmt.Sprintf("Path %s is not a directory", p)}), nil
			}
			recursive := argBool(args, "recursive")
			files, dirs := []string{}, []string{}
			truncated := false
			err = walk(b, root, rel, func(q string, d fs.DirEntry) error {
				if q == filepath.ToSlash(rel) {
					return nil
				}
				if len(files)+len(dirs) >= maxMatches {
					truncated = true
					return fs.SkipAll
				}
				if d.IsDir() {
					dirs = append(dirs, q)
					if !recursive {
						return fs.SkipDir
					}
				} else if d.Type().IsRegular() {
					files = append(files, q)
				}
				return nil
			})
			if err != nil {
				return "", err
			}
			out := map[string]any{"success": true, "path": p, "recursive": recursive,
				"contents": map[string]any{"files": files, "directories": dirs}}
			if truncated {
				out["truncated"] = fmt.Sprintf("only the first %d entries are listed", maxMatches)
			}
			return jsonText(out), nil
		})
}
