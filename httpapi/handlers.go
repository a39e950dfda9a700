package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/gateway"
)

func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	var in countersign.SubmitInput
	if err := decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	res, created, err := s.submitAs(r.Context(), principal(r), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	writeJSON(w, status, res)
}

// submitAs submits in as p (taking the grant at once when in.Execute asks)
// and returns the answer: POST /v1/actions, and the hooks served here.
func (s *Server) submitAs(ctx context.Context, p countersign.Principal, in countersign.SubmitInput) (*countersign.SubmitResult, bool, error) {
	var (
		req               *countersign.Request
		created, executed bool
		err               error
	)
	if in.Execute {
		req, created, executed, err = s.svc.SubmitExecute(ctx, p, in.Action())
	} else {
		req, created, err = s.svc.Submit(ctx, p, in.Action())
	}
	if err != nil {
		return nil, false, err
	}
	res := req.SubmitResult()
	res.Executed = executed
	return &res, created, nil
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var (
		req *countersign.Request
		err error
	)
	if ws := r.URL.Query().Get("wait"); ws != "" {
		d, perr := time.ParseDuration(ws)
		if perr != nil || d < 0 {
			s.fail(w, r, countersign.Errorf(countersign.EInvalid, "wait must be a duration such as 30s"))
			return
		}
		reviews := -1
		if rs := r.URL.Query().Get("reviews"); rs != "" {
			n, perr := strconv.Atoi(rs)
			if perr != nil || n < 0 {
				s.fail(w, r, countersign.Errorf(countersign.EInvalid, "reviews must be the number of reviews already seen"))
				return
			}
			reviews = n
		}
		req, err = s.svc.WaitChange(r.Context(), principal(r), id, min(d, MaxWait), reviews)
	} else {
		req, err = s.svc.Get(r.Context(), principal(r), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, req.View())
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := countersign.ListRequestsParams{State: countersign.State(q.Get("state")), Agent: q.Get("agent"), Cursor: q.Get("cursor")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			s.fail(w, r, countersign.Errorf(countersign.EInvalid, "limit must be between 1 and 500"))
			return
		}
		p.Limit = n
	}
	reqs, next, err := s.svc.List(r.Context(), principal(r), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := countersign.RequestList{Requests: make([]countersign.RequestView, 0, len(reqs)), NextCursor: next}
	for _, req := range reqs {
		out.Requests = append(out.Requests, req.View())
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) review(w http.ResponseWriter, r *http.Request) {
	var in countersign.ReviewInput
	if err := decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	switch in.Channel {
	case "":
		in.Channel = "api"
	case "api", "cli", "web":
	default:
		s.fail(w, r, countersign.Errorf(countersign.EInvalid, "channel must be api, cli or web"))
		return
	}
	s.answer(w, r)(s.svc.Review(r.Context(), principal(r), r.PathValue("id"),
		gateway.ReviewInput{Verdict: in.Verdict, Reason: in.Reason, Channel: in.Channel}))
}

func (s *Server) execute(w http.ResponseWriter, r *http.Request) {
	var in countersign.ExecuteInput
	if err := decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.Digest == "" {
		s.fail(w, r, countersign.Errorf(countersign.EInvalid, "digest is required"))
		return
	}
	s.answer(w, r)(s.svc.Execute(r.Context(), principal(r), r.PathValue("id"), in.Digest))
}

func (s *Server) result(w http.ResponseWriter, r *http.Request) {
	var in json.RawMessage
	if err := decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	s.answer(w, r)(s.svc.RecordResult(r.Context(), principal(r), r.PathValue("id"), in))
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request) {
	var in countersign.CancelInput
	if err := decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	s.answer(w, r)(s.svc.Cancel(r.Context(), principal(r), r.PathValue("id"), in.Reason))
}

// answer writes a request or an error.
func (s *Server) answer(w http.ResponseWriter, r *http.Request) func(*countersign.Request, error) {
	return func(req *countersign.Request, err error) {
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, req.View())
	}
}

func (s *Server) policyTest(w http.ResponseWriter, r *http.Request) {
	var in countersign.PolicyTestInput
	if err := decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.svc.TestPolicy(r.Context(), principal(r), in.Action, in.AgentOwner)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) createKey(w http.ResponseWriter, r *http.Request) {
	var in countersign.KeyInput
	if err := decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	secret, k, err := s.svc.CreateKey(r.Context(), principal(r), countersign.Principal(in))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, countersign.CreatedKey{Key: *k, Secret: secret})
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := s.svc.Keys(r.Context(), principal(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := countersign.KeyList{Keys: make([]countersign.Key, 0, len(keys))}
	for _, k := range keys {
		out.Keys = append(out.Keys, *k)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.RevokeKey(r.Context(), principal(r), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) freeze(frozen bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if err := s.svc.SetFrozen(r.Context(), principal(r), name, frozen); err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, countersign.AgentState{Agent: name, Frozen: frozen})
	}
}
