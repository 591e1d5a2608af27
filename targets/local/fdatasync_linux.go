package local

import (
	"errors"
	"os"
	"syscall"
)

// fdatasync makes f's data durable without its times, as bbolt does.
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
