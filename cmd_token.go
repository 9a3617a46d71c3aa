package main

import (
	"flag"
	"fmt"
	"io"

	"nodetool/authn"
)

// cmdToken shows, creates or replaces the worker token.
func cmdToken(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("nodetool token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rotate := fs.Bool("rotate", false, "replace the token with a new one (prints it once)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: nodetool token [--rotate]\n\nShows the worker token (masked) and where it comes from; creates one if there is none.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return usageError("%v", err)
	}
	var tok authn.TokenInfo
	var err error
	if *rotate {
		tok, err = authn.RotateToken(getenv)
	} else {
		tok, err = authn.ResolveToken(getenv)
	}
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	switch {
	case tok.Generated:
		fmt.Fprintf(stdout, "%s\n(new token, saved to %s; it is shown only now)\n", tok.Token, tok.Path)
	case tok.Path != "":
		fmt.Fprintf(stdout, "%s (from %s)\n", authn.Mask(tok.Token), tok.Path)
	default:
		fmt.Fprintf(stdout, "%s (from WORKER_AUTH_TOKEN)\n", authn.Mask(tok.Token))
	}
	return nil
}
