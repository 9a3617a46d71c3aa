package libhttp

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"

	"nodetool/egress"
	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
)

// Batch nodes fetch several URLs at once, at most max_concurrent at a
// time (1 to maxConcurrency). A URL that fails (an error status, a
// network error, a URL that is not http or https) is listed as failed, as
// in NodeTool; a URL the egress policy refuses fails the node, naming the
// host and the flag that would allow it.
const maxConcurrency = 32

// DownloadFiles writes at most this many times max-value in all.
const downloadBudgetFactor = 8

func registerDownloads(r *engine.Registry, c *egress.Client) {
	r.Add(&engine.NodeDef{
		Type: "lib.http.ImageDownloader", Title: "Image Downloader", ExposeAsTool: true,
		BasicFields: []string{"images", "base_url", "max_concurrent_downloads"},
		Description: "Downloads images from a list of URLs (relative ones resolved against base_url) and returns them as image references holding their bytes, in the order given, with the URLs that failed. All the images together must fit max-value.",
		Props: []engine.Prop{
			engine.P("images", "list[str]", `[]`, "The image URLs."),
			engine.P("base_url", "str", `""`, "The URL relative image URLs are resolved against."),
			engine.P("max_concurrent_downloads", "int", `10`, "How many images are downloaded at once."),
		},
		Outputs: engine.Out("images", "list[image]", "failed_urls", "list[str]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			urls, err := strList(ctx, in.List("images"), "images")
			if err != nil {
				return nil, err
			}
			base := in.Str("base_url")
			for i, u := range urls {
				urls[i] = URLJoin(base, u)
			}
			p := newPool(ctx.MaxValue())
			results, err := batch(ctx, urls, in.Int("max_concurrent_downloads"), func(u string) (any, error) {
				resp, err := c.Open(ctx, egress.Request{URL: u})
				if err != nil {
					return nil, err
				}
				defer resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					return nil, fmt.Errorf("status %d", resp.StatusCode)
				}
				var buf bytes.Buffer
				if err := p.read(resp.Body, egress.SafeURL(resp.Request.URL), 0, func(b []byte) error { buf.Write(b); return nil }); err != nil {
					return nil, err
				}
				return Ref("image", buf.Bytes()), nil
			})
			if err != nil {
				return nil, err
			}
			images, failed := []any{}, []any{}
			for i, res := range results {
				if res.err != nil {
					failed = append(failed, urls[i])
					continue
				}
				images = append(images, res.v)
			}
			return map[string]any{"images": images, "failed_urls": failed}, nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.http.FilterValidURLs", Title: "Filter Valid URLs", BasicFields: []string{"url"},
		Description: "Keeps the URLs of a list that answer a HEAD request (redirects followed) with a status from 200 to 399, in the order given.",
		Props: []engine.Prop{
			urlProp(),
			engine.P("urls", "list[str]", `[]`, "The URLs to check."),
			engine.P("max_concurrent_requests", "int", `10`, "How many URLs are checked at once."),
		},
		Outputs: engine.Out("output", "list[str]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			urls, err := strList(ctx, in.List("urls"), "urls")
			if err != nil {
				return nil, err
			}
			results, err := batch(ctx, urls, in.Int("max_concurrent_requests"), func(u string) (any, error) {
				resp, err := c.Fetch(ctx, egress.Request{Method: http.MethodHead, URL: u, NoRetry: true}, 0)
				if err != nil {
					return nil, err
				}
				if resp.StatusCode < 200 || resp.StatusCode >= 400 {
					return nil, fmt.Errorf("status %d", resp.StatusCode)
				}
				return true, nil
			})
			if err != nil {
				return nil, err
			}
			out := []any{}
			for i, res := range results {
				if res.err == nil {
					out = append(out, urls[i])
				}
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.http.DownloadFiles", Title: "Download Files", ExposeAsTool: true,
		BasicFields: []string{"urls", "output_folder", "max_concurrent_downloads"},
		Description: "Downloads files from a list of URLs into a folder of the run's workspace and returns the paths written (relative to the workspace) and the URLs that failed. The file name comes from the Content-Disposition header or the URL's last path segment. Each file must fit max-value, and all of them eight times that.",
		Props: []engine.Prop{
			engine.P("urls", "list[str]", `[]`, "The URLs to download."),
			engine.P("output_folder", "str", `"downloads"`, "The folder, inside the run's workspace, the files are written to."),
			engine.P("max_concurrent_downloads", "int", `5`, "How many files are downloaded at once."),
		},
		Outputs: engine.Out("success", "list[str]", "failed", "list[str]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return downloadFiles(ctx, c, in)
		},
	})
}

// strList reads a list of strings, sized for the lists the node builds
// from it.
func strList(ctx *engine.Ctx, l []any, name string) ([]string, error) {
	if err := ctx.CheckItems(int64(len(l))); err != nil {
		return nil, err
	}
	out := make([]string, len(l))
	for i, v := range l {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: item %d is %s, not a URL string", name, i, pyval.TypeName(v))
		}
		out[i] = s
	}
	return out, nil
}

type result struct {
	v   any
	err error
}

// batch runs f on every URL, at most n at a time, and returns the results
// in order. A refusal of the egress policy, a broken budget or the end of
// the node's time fails the batch; other errors are the URL's result.
func batch(ctx *engine.Ctx, urls []string, n int64, f func(string) (any, error)) ([]result, error) {
	n = max(1, min(n, maxConcurrency))
	results := make([]result, len(urls))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, u := range urls {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			v, err := f(u)
			results[i] = result{v, err}
		}()
	}
	wg.Wait()
	if err := ctx.Check(); err != nil {
		return nil, err
	}
	for _, res := range results {
		var tl *egress.TooLargeError
		switch {
		case egress.IsPolicy(res.err):
			return nil, res.err
		case errors.As(res.err, &tl):
			return nil, NodeError(ctx, res.err)
		}
	}
	return results, nil
}

// downloadFiles writes each URL's body to a file in the workspace folder.
func downloadFiles(ctx *engine.Ctx, c *egress.Client, in *engine.Inputs) (map[string]any, error) {
	urls, err := strList(ctx, in.List("urls"), "urls")
	if err != nil {
		return nil, err
	}
	folder, err := workspaceFolder(in.Str("output_folder"))
	if err != nil {
		return nil, err
	}
	root, err := ctx.Workspace()
	if err != nil {
		return nil, fmt.Errorf("Download Files writes into the run's workspace folder: %w", err)
	}
	defer root.Close()
	if folder != "." {
		if err := root.MkdirAll(folder, 0o700); err != nil {
			return nil, fmt.Errorf("output folder %q: %v", folder, errors.Unwrap(err))
		}
	}
	total := bounded.MulSize(ctx.MaxValue(), downloadBudgetFactor)
	if total < 0 {
		total = ctx.MaxValue()
	}
	p := newPool(total)
	var done int
	var mu sync.Mutex
	results, err := batch(ctx, urls, in.Int("max_concurrent_downloads"), func(u string) (any, error) {
		name, err := download(ctx, c, root, folder, u, p)
		mu.Lock()
		done++
		ctx.Progress(int64(done), int64(len(urls)), "")
		mu.Unlock()
		return name, err
	})
	if err != nil {
		return nil, err
	}
	success, failed := []any{}, []any{}
	for i, res := range results {
		if res.err != nil {
			failed = append(failed, urls[i])
			continue
		}
		success = append(success, res.v)
	}
	return map[string]any{"success": success, "failed": failed}, nil
}

// workspaceFolder checks the output folder: a relative path inside the
// workspace ("~/" is dropped, as the workspace stands for the home of
// NodeTool's runs).
func workspaceFolder(f string) (string, error) {
	f = strings.TrimSpace(f)
	f = strings.TrimPrefix(strings.TrimPrefix(f, "~/"), "~")
	if f == "" {
		return "", errors.New("output_folder cannot be empty")
	}
	clean := path.Clean(strings.ReplaceAll(f, "\\", "/"))
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("output_folder %q must be a folder inside the run's workspace (a relative path, not leaving it)", clip(f, 200))
	}
	return clean, nil
}

// download writes u's body to folder/<name> and returns that path.
func download(ctx *engine.Ctx, c *egress.Client, root *os.Root, folder, u string, p *pool) (string, error) {
	resp, err := c.Open(ctx, egress.Request{URL: u})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	name := path.Join(folder, fileName(resp.Header.Get("Content-Disposition"), resp.Request.URL))
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return "", err
	}
	err = p.read(resp.Body, egress.SafeURL(resp.Request.URL), ctx.MaxValue(), func(b []byte) error {
		_, werr := f.Write(b)
		return werr
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		root.Remove(name)
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return "", pe.Err
		}
		return "", err
	}
	return name, nil
}

// fileName picks the name a download is saved under: the Content-
// Disposition filename, else the URL's last path segment, else
// "unnamed_file"; only its last path element is kept, so it cannot leave
// the folder.
func fileName(disposition string, u *url.URL) string {
	name := ""
	if _, params, err := mime.ParseMediaType(disposition); err == nil {
		name = params["filename"]
	} else if i := strings.LastIndex(disposition, "filename="); i >= 0 {
		name = strings.Trim(disposition[i+len("filename="):], "\"' ;")
	}
	if name == "" {
		name = u.Path[strings.LastIndexByte(u.Path, '/')+1:]
	}
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if len(name) > 200 {
		name = name[:200]
	}
	if name == "" || name == "." || name == ".." {
		return "unnamed_file"
	}
	return name
}
