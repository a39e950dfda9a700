package httpapi

import (
	"bytes"
	"net/http"
	"strconv"

	countersign "github.com/countersign/countersign"
)

func (s *Server) routeEvidence() {
	s.route("GET /v1/evidence/checkpoint", s.auth(s.checkpoint))
	s.route("GET /v1/evidence/key", s.auth(s.evidenceKey))
	s.route("GET /v1/evidence/entries", s.auth(s.entries))
	s.route("GET /v1/evidence/index", s.auth(s.evidenceIndex))
	s.route("GET /v1/evidence/proof/inclusion", s.auth(s.inclusion))
	s.route("GET /v1/evidence/proof/consistency", s.auth(s.consistency))
	s.route("GET /v1/evidence/prefix", s.auth(s.prefix))
	s.route("GET /v1/actions/{id}/receipt", s.auth(s.receipt))
}

// uintParam reads a required (or, with def >= 0, optional) unsigned query
// parameter. Errors: EInvalid.
func uintParam(r *http.Request, name string, def int64) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" && def >= 0 {
		return uint64(def), nil
	}
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil {
		return 0, countersign.Errorf(countersign.EInvalid, "query parameter %s must be a whole number", name)
	}
	return n, nil
}

func writeText(w http.ResponseWriter, contentType string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func (s *Server) evidenceKey(w http.ResponseWriter, r *http.Request) {
	if s.evidence.VerifierKey == "" {
		s.fail(w, r, countersign.Errorf(countersign.ENotFound, "this server signs no evidence"))
		return
	}
	writeJSON(w, http.StatusOK, s.evidence)
}

func (s *Server) checkpoint(w http.ResponseWriter, r *http.Request) {
	var size *uint64
	if r.URL.Query().Has("size") {
		n, err := uintParam(r, "size", -1)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		size = &n
	}
	note, err := s.svc.Checkpoint(r.Context(), principal(r), size, r.URL.Query().Get("near") != "above")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeText(w, "text/plain; charset=utf-8", note)
}

func (s *Server) entries(w http.ResponseWriter, r *http.Request) {
	start, err1 := uintParam(r, "start", -1)
	end, err2 := uintParam(r, "end", -1)
	if err1 != nil || err2 != nil {
		s.fail(w, r, countersign.Errorf(countersign.EInvalid, "start and end must be whole numbers"))
		return
	}
	leaves, err := s.svc.Entries(r.Context(), principal(r), start, end)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	for _, l := range leaves {
		buf.Write(l)
		buf.WriteByte('\n')
	}
	writeText(w, "application/jsonl", buf.Bytes())
}

func (s *Server) evidenceIndex(w http.ResponseWriter, r *http.Request) {
	i, err := s.svc.IndexAt(r.Context(), principal(r), r.URL.Query().Get("time"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, countersign.IndexView{Index: i})
}

func (s *Server) inclusion(w http.ResponseWriter, r *http.Request) {
	index, err1 := uintParam(r, "index", -1)
	size, err2 := uintParam(r, "size", -1)
	if err1 != nil || err2 != nil {
		s.fail(w, r, countersign.Errorf(countersign.EInvalid, "index and size must be whole numbers"))
		return
	}
	hashes, err := s.svc.InclusionProof(r.Context(), principal(r), index, size)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, countersign.ProofView{Index: &index, Size: &size, Hashes: nonNil(hashes)})
}

func (s *Server) consistency(w http.ResponseWriter, r *http.Request) {
	old, err1 := uintParam(r, "old", -1)
	nw, err2 := uintParam(r, "new", -1)
	if err1 != nil || err2 != nil {
		s.fail(w, r, countersign.Errorf(countersign.EInvalid, "old and new must be whole numbers"))
		return
	}
	hashes, err := s.svc.ConsistencyProof(r.Context(), principal(r), old, nw)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, countersign.ProofView{Old: &old, New: &nw, Hashes: nonNil(hashes)})
}

func (s *Server) prefix(w http.ResponseWriter, r *http.Request) {
	size, err := uintParam(r, "size", -1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hashes, err := s.svc.Prefix(r.Context(), principal(r), size)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, countersign.ProofView{Size: &size, Hashes: nonNil(hashes)})
}

func (s *Server) receipt(w http.ResponseWriter, r *http.Request) {
	b, err := s.svc.Receipt(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeText(w, "text/plain; charset=utf-8", b)
}

func nonNil(h [][]byte) [][]byte {
	if h == nil {
		return [][]byte{}
	}
	return h
}
