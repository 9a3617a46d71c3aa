//go:build !unix

package store

import "io/fs"

// fileID returns 0 where the platform gives no inode number; ETags then
// rest on size and modification time alone.
func fileID(fs.FileInfo) uint64 { return 0 }
