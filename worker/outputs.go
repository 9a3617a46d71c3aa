package worker

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"

	"nodetool/httpapi"
	"nodetool/store"
)

// TempOutputs keeps the media results of the worker's runs that are too
// large to send inline (nodes.Deps.Outputs, see media.Outputs) as objects
// of the temp bucket, under an unguessable key (32 random hex digits and
// the content's extension), and returns the path of GET
// /storage/temp/<key>, which the client joins to the URL it called (the
// worker does not know the address its clients reach it by, behind a
// proxy or a load balancer). They expire as every temp object does,
// --temp-ttl after they were written; with --private-storage, reading
// them needs the token.
type TempOutputs struct {
	DB *store.DB
	// Logger gets a failed backend call's cause (the run's error says
	// only what failed).
	Logger *slog.Logger
}

// StoreOutput implements media.OutputStore.
func (o *TempOutputs) StoreOutput(ctx context.Context, _, _, _, contentType string, data []byte) (string, string, error) {
	b, err := o.DB.Blobs("temp")
	if err != nil {
		return "", "", err
	}
	key := tempKey(contentType)
	if _, err := b.Put(ctx, key, bytes.NewReader(data), int64(len(data))); err != nil {
		return "", "", safeStoreError(o.Logger, err)
	}
	return "/storage/temp/" + key, "", nil
}

// RemoveOutput implements media.OutputStore.
func (o *TempOutputs) RemoveOutput(ctx context.Context, _, uri, _ string) error {
	_, key, ok := strings.Cut(uri, "/storage/temp/")
	if !ok {
		return nil
	}
	b, err := o.DB.Blobs("temp")
	if err != nil {
		return err
	}
	if err := b.DeleteContext(ctx, key); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// tempKey is a fresh unguessable key with the extension of contentType.
func tempKey(contentType string) string {
	var r [16]byte
	rand.Read(r[:])
	return hex.EncodeToString(r[:]) + "." + httpapi.Extension(contentType)
}

// safeStoreError is err in words a run's error may carry: a backend
// failure's safe detail (its cause goes to the log), or err itself.
func safeStoreError(log *slog.Logger, err error) error {
	var be *store.BackendError
	if errors.As(err, &be) {
		if log != nil {
			log.Warn("storing a run's media result", "err", err)
		}
		return errors.New(be.Detail())
	}
	return err
}
