package editor

import (
	"errors"
	"net/http"

	"nodetool/httpapi"
	"nodetool/jobs"
	"nodetool/store"
)

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	limit, ok := s.limitParam(w, r, "limit", 100)
	if !ok {
		return
	}
	q := r.URL.Query()
	recs, next := s.d.Jobs.List(user(r), q.Get("workflow_id"), limit, q.Get("start_key"))
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"jobs": recs, "next_start_key": next})
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	rec, err := s.d.Jobs.Stored(user(r), r.PathValue("job_id"))
	if err != nil {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Job not found"))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, rec)
}

// backgroundJob is NodeTool's BackgroundJobResponse.
type backgroundJob struct {
	JobID       string `json:"job_id"`
	Status      string `json:"status"`
	WorkflowID  string `json:"workflow_id"`
	CreatedAt   string `json:"created_at"`
	IsRunning   bool   `json:"is_running"`
	IsCompleted bool   `json:"is_completed"`
}

func (s *Server) runningJobs(w http.ResponseWriter, r *http.Request) {
	out := []backgroundJob{}
	for _, j := range s.d.Jobs.InMemory(user(r)) {
		st := j.Status()
		out = append(out, backgroundJob{JobID: j.ID, Status: st, WorkflowID: j.WorkflowID,
			CreatedAt: store.Timestamp(j.Created), IsRunning: st == "running", IsCompleted: st != "running"})
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("job_id")
	rec, err := s.d.Jobs.Stored(user(r), id)
	if err != nil {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Job not found"))
		return
	}
	cancelled := false
	if j, err := s.d.Jobs.Get(user(r), id); err == nil {
		cancelled = j.Cancel()
	} else if !errors.Is(err, jobs.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	status := "cancelled"
	if !cancelled {
		status = "not_found_or_completed"
	}
	httpapi.WriteJSON(w, http.StatusOK, backgroundJob{JobID: id, Status: status, WorkflowID: rec.WorkflowID,
		CreatedAt: rec.StartedAt, IsRunning: false, IsCompleted: !cancelled})
}
