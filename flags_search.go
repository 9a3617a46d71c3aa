package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"nodetool/nodes/search"
)

// searchFlags configure the SERP service of the search nodes (and the
// agents' web search): SerpAPI, or a service speaking its API.
type searchFlags struct {
	keyFile, baseURL *string
}

// envSearch are the environment variables of the search flags.
var envSearch = []string{"SERPAPI_API_KEY", "SERPAPI_BASE_URL"}

func addSearchFlags(fs *flag.FlagSet) *searchFlags {
	return &searchFlags{
		keyFile: fs.String("serpapi-api-key-file", "", "read the SerpAPI key of the search nodes from this file, mode 0600 (env SERPAPI_API_KEY holds it directly)"),
		baseURL: fs.String("serpapi-base-url", search.DefaultBaseURL, "the SERP service of the search nodes: SerpAPI, or a self-hosted or recorded one speaking its API (env SERPAPI_BASE_URL)"),
	}
}

// build returns the search client, or nil when no key is configured and
// users cannot bring their own (userKey nil): search nodes then fail
// validation saying how to configure one. userKey, when set, reads a
// user's own SERPAPI_API_KEY secret (serve).
func (f *searchFlags) build(st *settings, getenv func(string) string, userKey func(ctx context.Context, userID string) (string, error)) (*search.Client, error) {
	key := strings.TrimSpace(getenv("SERPAPI_API_KEY"))
	if *f.keyFile != "" {
		k, err := readKeyFile(*f.keyFile)
		if err != nil {
			return nil, fmt.Errorf("--serpapi-api-key-file: %v", err)
		}
		key = k
	}
	c, err := search.New(search.Config{BaseURL: st.str("serpapi-base-url", "SERPAPI_BASE_URL"), Key: key, UserKey: userKey})
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "search: ") + " (--serpapi-base-url)")
	}
	if key == "" && userKey == nil {
		return nil, nil
	}
	return c, nil
}

// readKeyFile reads an API key from a file as the house reads secret
// files: a regular file that group and others cannot read or write,
// holding the key and optional surrounding space.
func readKeyFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s is accessible by other users (mode %04o): run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return "", err
	}
	key := strings.TrimSpace(string(b))
	if key == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return key, nil
}

// withSearchLine adds the banner's line about the SERP service to lines,
// when one is configured.
func withSearchLine(lines []string, c *search.Client) []string {
	switch {
	case c == nil:
		return lines
	case c.HasKey():
		return append(lines, "search:    "+c.BaseURL())
	}
	return append(lines, "search:    "+c.BaseURL()+" with each user's own SERPAPI_API_KEY secret")
}
