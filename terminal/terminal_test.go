package terminal

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWithDefaults(t *testing.T) {
	dir := t.TempDir()
	shell := filepath.Join(dir, "myshell")
	if err := os.WriteFile(shell, []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	fallback := "/bin/sh"
	if isFile("/bin/bash") {
		fallback = "/bin/bash"
	}
	tests := []struct {
		name string
		in   Options
		want Options
	}{
		{
			name: "zero",
			in:   Options{},
			want: Options{Shell: fallback, Args: []string{"-l"}, Env: []string{"TERM=xterm-256color"}, Dir: "/", Cols: 80, Rows: 24},
		},
		{
			name: "shell and home from env",
			in:   Options{Env: []string{"SHELL=" + shell, "HOME=" + dir}},
			want: Options{Shell: shell, Args: []string{"-l"}, Env: []string{"SHELL=" + shell, "HOME=" + dir, "TERM=xterm-256color"}, Dir: dir, Cols: 80, Rows: 24},
		},
		{
			name: "missing shell and home in env",
			in:   Options{Env: []string{"SHELL=" + dir + "/nope", "HOME=" + dir + "/nope", "TERM=dumb"}},
			want: Options{Shell: fallback, Args: []string{"-l"}, Env: []string{"SHELL=" + dir + "/nope", "HOME=" + dir + "/nope", "TERM=dumb"}, Dir: "/", Cols: 80, Rows: 24},
		},
		{
			name: "last entry wins",
			in:   Options{Env: []string{"HOME=/", "HOME=" + dir}},
			want: Options{Shell: fallback, Args: []string{"-l"}, Env: []string{"HOME=/", "HOME=" + dir, "TERM=xterm-256color"}, Dir: dir, Cols: 80, Rows: 24},
		},
		{
			name: "explicit values kept",
			in:   Options{Shell: "/x/sh", Args: []string{}, Env: []string{"TERM="}, Dir: dir, Cols: 132, Rows: 50},
			want: Options{Shell: "/x/sh", Args: []string{}, Env: []string{"TERM="}, Dir: dir, Cols: 132, Rows: 50},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.withDefaults()
			if got.Shell != tt.want.Shell || !slices.Equal(got.Args, tt.want.Args) || (got.Args == nil) != (tt.want.Args == nil) ||
				!slices.Equal(got.Env, tt.want.Env) || got.Dir != tt.want.Dir || got.Cols != tt.want.Cols || got.Rows != tt.want.Rows {
				t.Errorf("withDefaults(%+v) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestWithDefaultsDoesNotAliasEnv(t *testing.T) {
	env := make([]string, 1, 4)
	env[0] = "A=1"
	Options{Env: env}.withDefaults()
	if got := env[:2][1]; got != "" {
		t.Errorf("withDefaults wrote %q into the caller's Env backing array", got)
	}
}
