package editor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/store"
)

// OutputAssets keeps the media results of the editor's runs that are too
// large to send inline (nodes.Deps.Outputs, see media.Outputs) as assets of
// the run's user, as the original's runner saves output assets: a file in
// the user's home folder (the original creates them with no parent, which
// is home), named after the output and the node ("image_3f2a9b1c.png"),
// with its content type and size, and the run's workflow. The ref sent
// carries the asset's id and its URL, the asset's get_url
// (PublicURL/api/storage/<id>.<ext>). They are ordinary assets: listed by
// /api/assets, readable only by their owner, deleted like any other, and
// bounded like an upload (MaxUpload).
type OutputAssets struct {
	DB *store.DB
	// PublicURL is the base of the URLs (Deps.PublicURL); set it before
	// the first run.
	PublicURL string
	// MaxUpload bounds one stored result as --max-upload bounds an upload
	// (0: no bound beyond the run's max-value, which every value passed).
	MaxUpload int64
	Now       func() time.Time
	// Logger gets a failed backend call's cause (the run's error says only
	// what failed).
	Logger *slog.Logger
}

// StoreOutput implements media.OutputStore: the blob first, then the
// record; when the record cannot be written the blob is removed, so a
// failure leaves nothing.
func (o *OutputAssets) StoreOutput(ctx context.Context, user, workflowID, name, contentType string, data []byte) (string, string, error) {
	if user == "" {
		return "", "", errors.New("the run has no user to own the asset")
	}
	if o.MaxUpload > 0 && int64(len(data)) > o.MaxUpload {
		return "", "", fmt.Errorf("it is %s, over the upload limit of %s (--max-upload)",
			engine.FormatBytes(int64(len(data))), engine.FormatBytes(o.MaxUpload))
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	size := int64(len(data))
	a := &asset{ID: store.NewID(), UserID: user, ParentID: user, Name: name, ContentType: contentType,
		Size: &size, CreatedAt: store.Timestamp(now())}
	if n, err := checkName(name); err == nil {
		a.Name = n
	} else {
		a.Name = "output"
	}
	if workflowID != "" && store.ValidateID(workflowID) == nil {
		a.WorkflowID = &workflowID
	}
	blobs, err := o.DB.Blobs("assets")
	if err != nil {
		return "", "", err
	}
	if _, err := blobs.Put(ctx, a.blobKey(), bytes.NewReader(data), size); err != nil {
		return "", "", o.safe(err)
	}
	if err := o.DB.Put(assetKind, a.ID, a); err != nil {
		if derr := blobs.DeleteContext(context.WithoutCancel(ctx), a.blobKey()); derr != nil && o.Logger != nil {
			o.Logger.Warn("could not delete the blob of an output asset not recorded", "key", a.blobKey(), "err", derr)
		}
		return "", "", o.safe(err)
	}
	return strings.TrimRight(o.PublicURL, "/") + "/api/storage/" + a.blobKey(), a.ID, nil
}

// RemoveOutput implements media.OutputStore: the user's asset id goes,
// record first, then its content (as deleteAsset).
func (o *OutputAssets) RemoveOutput(ctx context.Context, user, _, id string) error {
	data, ok := o.DB.Get(assetKind, id)
	if !ok {
		return nil
	}
	var a asset
	if err := json.Unmarshal(data, &a); err != nil || a.UserID != user || a.isFolder() {
		return nil
	}
	if _, err := o.DB.Delete(assetKind, id); err != nil {
		return err
	}
	blobs, err := o.DB.Blobs("assets")
	if err != nil {
		return err
	}
	if err := blobs.DeleteContext(ctx, a.blobKey()); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// safe is err in words a run's error may carry: a backend failure's safe
// detail (its cause goes to the log), or err itself.
func (o *OutputAssets) safe(err error) error {
	var be *store.BackendError
	if errors.As(err, &be) {
		if o.Logger != nil {
			o.Logger.Warn("storing a run's media result", "err", err)
		}
		return errors.New(be.Detail())
	}
	return err
}
