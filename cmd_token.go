package main

import (
	"fmt"
	"io"

	"nodetool/authn"
)

var tokenHelp = help{
	usage: "token [--show] [--rotate]",
	about: `Shows the worker's bearer token (masked) and where it comes from, creating one in the config dir
if there is none. --show prints the whole token alone on stdout, for a script or a shell variable:

  TOKEN=$(nodetool token --show)`,
	env: envToken,
}

// cmdToken shows, creates or replaces the worker token.
func cmdToken(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token")
	show := fs.Bool("show", false, "print the whole token, alone on its line (a note about a new token goes to stderr)")
	rotate := fs.Bool("rotate", false, "replace the token in the config dir with a new one, and print it whole")
	pos, err := parseArgs(fs, tokenHelp, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("token takes no arguments, got %q (see \"nodetool token -h\")", pos[0])
	}
	var tok authn.TokenInfo
	if *rotate {
		tok, err = authn.RotateToken(getenv)
	} else {
		tok, err = authn.ResolveToken(getenv)
	}
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	switch {
	case *show:
		fmt.Fprintln(stdout, tok.Token)
		if tok.Generated {
			fmt.Fprintf(stderr, "nodetool: new token, saved to %s\n", tok.Path)
		}
	case tok.Generated:
		fmt.Fprintf(stdout, "%s\n(new token, saved to %s)\n", tok.Token, tok.Path)
	default:
		fmt.Fprintf(stdout, "%s (from %s; nodetool token --show prints it whole)\n", authn.Mask(tok.Token), tokenSource(tok))
	}
	return nil
}

// tokenSource says where a token that was not just generated comes from.
func tokenSource(tok authn.TokenInfo) string {
	if tok.Path != "" {
		return tok.Path
	}
	return "WORKER_AUTH_TOKEN"
}
