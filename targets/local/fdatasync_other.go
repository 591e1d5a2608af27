//go:build !linux

package local

import "os"

func fdatasync(f *os.File) error { return f.Sync() }
