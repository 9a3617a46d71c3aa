package s3

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// DefaultPartSize is the size of the parts of a multipart upload, and the
// largest body Upload sends in a single PUT. S3 wants parts of at least
// 5 MiB (but the last); 8 MiB parts reach the 10,000-part limit at 78 GiB.
const DefaultPartSize = 8 << 20

var partPool = sync.Pool{New: func() any { b := make([]byte, DefaultPartSize); return &b }}

// Upload stores what r yields under key without holding it whole in
// memory: a body of at most partSize bytes (0: DefaultPartSize) goes in
// one signed PUT, a longer one in a multipart upload of partSize parts,
// each signed, that is completed only once r has ended without error.
// On any error (r's own, such as a size limit or a cancelled context, or
// the service's) a multipart upload is aborted, so no partial object is
// ever visible and the previous object, if any, is untouched. One part
// is held in memory at a time.
func (c *Client) Upload(ctx context.Context, key string, r io.Reader, partSize int, header http.Header) (ObjectInfo, error) {
	var buf []byte
	if partSize <= 0 || partSize == DefaultPartSize {
		p := partPool.Get().(*[]byte)
		defer partPool.Put(p)
		buf = *p
	} else {
		buf = make([]byte, partSize)
	}
	n, err := io.ReadFull(r, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if err := ctx.Err(); err != nil {
			return ObjectInfo{}, err
		}
		return c.PutObject(ctx, key, buf[:n], header)
	}
	if err != nil {
		return ObjectInfo{}, err
	}
	id, err := c.createMultipart(ctx, key, header)
	if err != nil {
		return ObjectInfo{}, err
	}
	oi, err := c.uploadParts(ctx, key, id, r, buf)
	if err != nil {
		// The caller's context may be what ended the upload: abort anyway.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		c.abortMultipart(actx, key, id)
		return ObjectInfo{}, err
	}
	return oi, nil
}

type completedPart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
}

// uploadParts sends buf (full) as part 1, then the rest of r, and
// completes the upload.
func (c *Client) uploadParts(ctx context.Context, key, id string, r io.Reader, buf []byte) (ObjectInfo, error) {
	var parts []completedPart
	var size int64
	n := len(buf)
	for num := 1; ; num++ {
		if num > 10000 {
			return ObjectInfo{}, &Error{Op: "UploadPart", Key: key, Code: "TooManyParts", Message: "over 10,000 parts", Status: http.StatusBadRequest}
		}
		etag, err := c.uploadPart(ctx, key, id, num, buf[:n])
		if err != nil {
			return ObjectInfo{}, err
		}
		parts = append(parts, completedPart{num, etag})
		size += int64(n)
		var rerr error
		n, rerr = io.ReadFull(r, buf)
		if rerr == io.EOF {
			break
		}
		if rerr != nil && rerr != io.ErrUnexpectedEOF {
			return ObjectInfo{}, rerr
		}
		if rerr == io.ErrUnexpectedEOF {
			num++
			etag, err := c.uploadPart(ctx, key, id, num, buf[:n])
			if err != nil {
				return ObjectInfo{}, err
			}
			parts = append(parts, completedPart{num, etag})
			size += int64(n)
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return ObjectInfo{}, err
	}
	oi, err := c.completeMultipart(ctx, key, id, parts)
	oi.Size = size
	return oi, err
}

func (c *Client) createMultipart(ctx context.Context, key string, header http.Header) (string, error) {
	resp, err := c.do(ctx, request{op: "CreateMultipartUpload", method: http.MethodPost, key: key, query: url.Values{"uploads": {""}}, header: header, body: []byte{}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var res struct {
		UploadID string `xml:"UploadId"`
	}
	if err := decodeXML(resp, &res); err != nil || res.UploadID == "" {
		return "", &Error{Op: "CreateMultipartUpload", Key: key, Status: resp.StatusCode, Code: "MalformedXML", Message: "no UploadId", Err: err}
	}
	return res.UploadID, nil
}

func (c *Client) uploadPart(ctx context.Context, key, id string, num int, data []byte) (string, error) {
	q := url.Values{"partNumber": {strconv.Itoa(num)}, "uploadId": {id}}
	resp, err := c.do(ctx, request{op: "UploadPart", method: http.MethodPut, key: key, query: q, body: data})
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if etag == "" {
		return "", &Error{Op: "UploadPart", Key: key, Status: resp.StatusCode, Code: "NoETag", Message: "the answer has no ETag"}
	}
	return etag, nil
}

// completeMultipart completes the upload. S3 may answer 200 and still
// fail, with an error document in the body: that is an error here too.
func (c *Client) completeMultipart(ctx context.Context, key, id string, parts []completedPart) (ObjectInfo, error) {
	body, err := xml.Marshal(struct {
		XMLName xml.Name        `xml:"CompleteMultipartUpload"`
		Parts   []completedPart `xml:"Part"`
	}{Parts: parts})
	if err != nil {
		return ObjectInfo{}, err
	}
	resp, err := c.do(ctx, request{op: "CompleteMultipartUpload", method: http.MethodPost, key: key, query: url.Values{"uploadId": {id}}, body: body,
		header: http.Header{"Content-Type": {"application/xml"}}})
	if err != nil {
		return ObjectInfo{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil {
		return ObjectInfo{}, &Error{Op: "CompleteMultipartUpload", Key: key, Status: resp.StatusCode, Code: "IncompleteBody", Err: err}
	}
	var e errorDoc
	if xml.Unmarshal(data, &e) == nil && e.Code != "" {
		return ObjectInfo{}, &Error{Op: "CompleteMultipartUpload", Key: key, Status: resp.StatusCode, Code: e.Code, Message: e.Message}
	}
	var res struct {
		ETag string `xml:"ETag"`
	}
	if err := xml.Unmarshal(data, &res); err != nil || res.ETag == "" {
		return ObjectInfo{}, &Error{Op: "CompleteMultipartUpload", Key: key, Status: resp.StatusCode, Code: "MalformedXML", Message: "no ETag", Err: err}
	}
	return ObjectInfo{Key: key, ETag: res.ETag, LastModified: c.serverTime(resp)}, nil
}

func (c *Client) abortMultipart(ctx context.Context, key, id string) error {
	resp, err := c.do(ctx, request{op: "AbortMultipartUpload", method: http.MethodDelete, key: key, query: url.Values{"uploadId": {id}}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// decodeXML reads a small XML answer into v.
func decodeXML(resp *http.Response, v any) error {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil {
		return err
	}
	return xml.Unmarshal(data, v)
}

// ListMultipartUploads returns the keys of the multipart uploads under
// prefix that were started and neither completed nor aborted (at most
// 1000). Tests use it to check that failed uploads leave nothing.
func (c *Client) ListMultipartUploads(ctx context.Context, prefix string) ([]string, error) {
	resp, err := c.do(ctx, request{op: "ListMultipartUploads", method: http.MethodGet, query: url.Values{"uploads": {""}, "prefix": {prefix}}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var res struct {
		Uploads []struct {
			Key string `xml:"Key"`
		} `xml:"Upload"`
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxListBody))
	if err == nil {
		err = xml.Unmarshal(data, &res)
	}
	if err != nil {
		return nil, &Error{Op: "ListMultipartUploads", Status: resp.StatusCode, Code: "MalformedXML", Err: err}
	}
	keys := make([]string, len(res.Uploads))
	for i, u := range res.Uploads {
		keys[i] = u.Key
	}
	return keys, nil
}
