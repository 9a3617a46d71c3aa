// Command serpfake serves SerpAPI's GET /search.json from recorded answers
// (package nodetool/nodes/search/serpfake), for running workflows with
// search nodes offline: point SERPAPI_BASE_URL at the address it prints,
// with any SERPAPI_API_KEY.
//
//	go run ./testdata/serpfake [-addr 127.0.0.1:0] [-dir DIR]
//
// It prints "listening on http://ADDR" on stdout once it listens, answers
// each engine with its recorded answer (-dir: the ENGINE.json files of DIR
// instead of the built-in ones), and stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"nodetool/nodes/search/serpfake"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	dir := flag.String("dir", "", "serve the ENGINE.json files of this folder instead of the built-in recorded answers")
	flag.Parse()
	var answers fs.FS
	if *dir != "" {
		answers = os.DirFS(*dir)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "serpfake:", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: serpfake.New(answers), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	fmt.Printf("listening on http://%s\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "serpfake:", err)
		os.Exit(1)
	}
}
