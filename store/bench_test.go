package store_test

import (
	"strconv"
	"testing"

	"nodetool/store"
)

// BenchmarkPutRaw is one durable record write (temp file, fsync, rename,
// directory fsync), the cost the editor pays per job record.
func BenchmarkPutRaw(b *testing.B) {
	db, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	data := []byte(`{"id":"x","status":"completed","user_id":"1","workflow_id":"w","job_type":"workflow"}`)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := db.PutRaw("jobs", "job-"+strconv.Itoa(i%1000), data); err != nil {
			b.Fatal(err)
		}
	}
}
