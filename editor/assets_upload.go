package editor

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"

	"nodetool/httpapi"
	"nodetool/store"
)

// assetCreate is AssetCreateRequest, the "json" field of an upload.
type assetCreate struct {
	WorkflowID  *string         `json:"workflow_id"`
	ParentID    *string         `json:"parent_id"`
	Name        *string         `json:"name"`
	ContentType *string         `json:"content_type"`
	Metadata    json.RawMessage `json:"metadata"`
	Duration    *float64        `json:"duration"`
	Size        *int64          `json:"size"`
}

// newAsset checks req and returns the asset it describes for user, not yet
// stored: a fresh id, the parent (home when none), the workflow (which must
// not be another user's).
func (s *Server) newAsset(user string, data []byte) (*asset, error) {
	var req assetCreate
	if err := decodeJSON(data, &req); err != nil {
		return nil, err
	}
	if req.Name == nil {
		return nil, invalid(`field "name" is required`)
	}
	if req.ContentType == nil {
		return nil, invalid(`field "content_type" is required`)
	}
	name, err := checkName(*req.Name)
	if err != nil {
		return nil, err
	}
	if err := checkContentType(*req.ContentType); err != nil {
		return nil, err
	}
	if !isObjectOrNull(req.Metadata) {
		return nil, invalid(`field "metadata" must be an object or null`)
	}
	if req.Size != nil && *req.Size < 0 {
		return nil, invalid(`field "size" must not be negative`)
	}
	if req.Duration != nil && *req.Duration < 0 {
		return nil, invalid(`field "duration" must not be negative`)
	}
	a := &asset{ID: store.NewID(), UserID: user, ParentID: user, Name: name, ContentType: *req.ContentType,
		Size: req.Size, Duration: req.Duration, CreatedAt: store.Timestamp(s.d.Now())}
	if !isNull(req.Metadata) {
		a.Metadata = req.Metadata
	}
	if p := req.ParentID; p != nil && *p != "" {
		if err := s.checkParent(user, *p); err != nil {
			return nil, err
		}
		a.ParentID = *p
	}
	if wf := req.WorkflowID; wf != nil && *wf != "" {
		if store.ValidateID(*wf) != nil {
			return nil, invalid(`field "workflow_id" is not a valid id`)
		}
		// The user's own workflows and the read-only ones qualify.
		// NodeTool also accepted ids of no workflow; here they are 404
		// like another user's (public or private) workflows, since
		// accepting one and refusing the other would tell a private
		// workflow's id exists.
		if e, err := s.d.Workflows.Get(user, *wf); err != nil || (e.Owner != "" && e.Owner != user) {
			return nil, errWorkflowNotFound
		}
		a.WorkflowID = wf
	}
	return a, nil
}

// createAsset creates a file or folder from a multipart/form-data body:
// the field "json" (an AssetCreateRequest) and, optionally after it, the
// field "file", streamed into the blob store as it arrives (never held in
// memory) under the upload limit. On any failure nothing is left: no
// record, no blob.
//
// The json field must come before the file (browsers send FormData fields
// in the order they were appended, and NodeTool's client appends json
// first); a file before it is answered 400, as it could not be stored under
// a key that depends on the json's content type without a second copy.
func (s *Server) createAsset(w http.ResponseWriter, r *http.Request) {
	// The file is bounded by MaxUpload (413), the other fields by MaxBody
	// each; this bounds the whole body, including any fields ignored.
	if r.ContentLength > s.d.MaxUpload+2*s.d.MaxBody {
		s.fail(w, r, httpapi.UploadTooLarge(s.d.MaxUpload)) // at once, without reading the body
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.d.MaxUpload+2*s.d.MaxBody)
	mr, err := r.MultipartReader()
	if err != nil {
		s.fail(w, r, httpapi.Errorf(httpapi.Malformed, "the body must be multipart/form-data with a json field and, optionally, a file field"))
		return
	}
	u, blobs := user(r), s.assetBlobs()
	var a *asset
	stored := "" // the blob key, once the file is stored
	committed := false
	defer func() {
		if stored != "" && !committed {
			s.deleteBlob(blobs, stored)
		}
	}()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.fail(w, r, s.multipartError(err))
			return
		}
		switch part.FormName() {
		case "json":
			if a != nil {
				s.fail(w, r, httpapi.Errorf(httpapi.Malformed, "the json field was sent twice"))
				return
			}
			data, err := io.ReadAll(io.LimitReader(part, s.d.MaxBody+1))
			if err != nil {
				s.fail(w, r, s.multipartError(err))
				return
			}
			if int64(len(data)) > s.d.MaxBody {
				s.fail(w, r, httpapi.Errorf(httpapi.TooLarge, "the json field is too large: the limit is %d bytes", s.d.MaxBody))
				return
			}
			if a, err = s.newAsset(u, data); err != nil {
				s.fail(w, r, err)
				return
			}
		case "file":
			switch {
			case a == nil:
				s.fail(w, r, httpapi.Errorf(httpapi.Malformed, "Missing JSON body: send the json field before the file field"))
				return
			case stored != "":
				s.fail(w, r, httpapi.Errorf(httpapi.Malformed, "only one file may be uploaded"))
				return
			case a.isFolder():
				s.fail(w, r, httpapi.Errorf(httpapi.Invalid, "a folder has no content: do not send a file"))
				return
			}
			body := httpapi.NewIdleReader(w, part, s.d.BodyIdleTimeout)
			info, err := blobs.Put(r.Context(), a.blobKey(), body, s.d.MaxUpload)
			if err != nil {
				if body.Err() != nil {
					s.fail(w, r, s.multipartError(body.Err()))
					return
				}
				s.fail(w, r, httpapi.BlobPutError(r, err, a.blobKey(), s.d.MaxUpload, nil))
				return
			}
			stored = info.Key
			a.Size = &info.Size
		default:
			if err := drain(part); err != nil {
				s.fail(w, r, s.multipartError(err))
				return
			}
		}
		part.Close()
	}
	if a == nil {
		s.fail(w, r, httpapi.Errorf(httpapi.Malformed, "Missing JSON body"))
		return
	}
	s.assetsMu.Lock()
	defer s.assetsMu.Unlock()
	// The parent may have gone while the file arrived.
	if err := s.checkParent(u, a.ParentID); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.d.Store.Put(assetKind, a.ID, a); err != nil {
		s.fail(w, r, err)
		return
	}
	committed = true
	httpapi.WriteJSON(w, http.StatusOK, s.present(a, blobs))
}

// multipartError is the client error of a body that could not be read:
// over the request limit (TooLarge), stalled or too slow (Timeout), cut
// short or malformed (Malformed).
func (s *Server) multipartError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return httpapi.UploadTooLarge(s.d.MaxUpload)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return httpapi.ErrUploadStalled
	}
	return malformed("the multipart body could not be read; nothing was stored")
}
