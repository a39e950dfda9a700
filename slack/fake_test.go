package slack_test

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakeSlack is a local server that speaks Slack's Web API. Slack's cloud is
// unreachable from here, so the tests run the real slack-go client against
// this fake, which answers with the JSON shapes Slack's documentation gives
// for each method (ok, channel, ts, message, user, view, upload_url, ...)
// and records every call.
type fakeSlack struct {
	srv *httptest.Server

	mu       sync.Mutex
	calls    []call
	messages map[string]bool // "channel/ts" of every message posted
	users    map[string]map[string]any
	nextTS   int
	uploads  map[string]string // file id -> content
	// gate, when set, holds users.info until it is closed.
	gate chan struct{}
	// refuseUpload, when set, is the error files.completeUploadExternal
	// answers with.
	refuseUpload string
	// socket serves Socket Mode's WebSocket at /socket, when set.
	socket http.Handler
}

// call is one Web API call: its method and its arguments, from a form or
// a JSON body.
type call struct {
	Method string
	Form   url.Values
	JSON   map[string]any
}

// Blocks decodes the call's Block Kit blocks.
func (c call) Blocks(t *testing.T) []map[string]any {
	t.Helper()
	var b []map[string]any
	if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &b); err != nil {
		t.Fatalf("%s: blocks: %v", c.Method, err)
	}
	return b
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{messages: map[string]bool{}, users: map[string]map[string]any{}, uploads: map[string]string{}, nextTS: 100}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// addUser adds a workspace member as users.info returns them.
func (f *fakeSlack) addUser(id, email string, bot bool) {
	name := strings.Split(email, "@")[0]
	f.users[id] = map[string]any{
		"id": id, "team_id": "T0TEST", "name": name, "deleted": false, "color": "9f69e7", "real_name": name,
		"tz": "Europe/Paris", "tz_label": "Central European Time", "tz_offset": 3600,
		"profile": map[string]any{"avatar_hash": "ge3b51ca72de", "real_name": name, "display_name": name,
			"real_name_normalized": name, "display_name_normalized": name, "email": email, "team": "T0TEST"},
		"is_admin": false, "is_owner": false, "is_primary_owner": false, "is_restricted": false,
		"is_ultra_restricted": false, "is_bot": bot, "is_app_user": false, "updated": 1502138686,
		"is_email_confirmed": email != "",
	}
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/upload/") {
		f.upload(w, r)
		return
	}
	f.mu.Lock()
	socket := f.socket
	f.mu.Unlock()
	if r.URL.Path == "/socket" && socket != nil {
		socket.ServeHTTP(w, r)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, "/")
	c := call{Method: method}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &c.JSON)
	} else {
		_ = r.ParseForm()
		c.Form = r.Form
	}
	if method == "users.info" {
		f.mu.Lock()
		gate := f.gate
		f.mu.Unlock()
		if gate != nil {
			<-gate
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	w.Header().Set("Content-Type", "application/json")
	reply := func(v map[string]any) { _ = json.NewEncoder(w).Encode(v) }
	fail := func(code string) { reply(map[string]any{"ok": false, "error": code}) }
	switch method {
	case "chat.postMessage":
		ch := c.Form.Get("channel")
		switch {
		case strings.HasPrefix(ch, "#"):
			ch = "C" + strings.ToUpper(strings.ReplaceAll(ch[1:], "-", ""))
		case strings.HasPrefix(ch, "U"):
			ch = "D" + ch[1:]
		}
		f.nextTS++
		ts := fmt.Sprintf("1767323045.%06d", f.nextTS)
		f.messages[ch+"/"+ts] = true
		reply(map[string]any{"ok": true, "channel": ch, "ts": ts, "message": map[string]any{
			"type": "message", "subtype": "bot_message", "text": c.Form.Get("text"), "ts": ts,
			"username": "Countersign", "bot_id": "B0COUNTER"}})
	case "chat.update":
		ch, ts := c.Form.Get("channel"), c.Form.Get("ts")
		if !f.messages[ch+"/"+ts] {
			fail("message_not_found")
			return
		}
		reply(map[string]any{"ok": true, "channel": ch, "ts": ts, "text": c.Form.Get("text")})
	case "chat.postEphemeral":
		f.nextTS++
		reply(map[string]any{"ok": true, "message_ts": fmt.Sprintf("1767323045.%06d", f.nextTS)})
	case "views.open":
		view, _ := c.JSON["view"].(map[string]any)
		if c.JSON["trigger_id"] == "" || view == nil {
			fail("invalid_arguments")
			return
		}
		view["id"], view["team_id"], view["hash"] = "V0MODAL", "T0TEST", "156772938.1827394"
		reply(map[string]any{"ok": true, "view": view})
	case "users.info":
		u, ok := f.users[c.Form.Get("user")]
		if !ok {
			fail("user_not_found")
			return
		}
		reply(map[string]any{"ok": true, "user": u})
	case "auth.test":
		reply(map[string]any{"ok": true, "url": "https://example.slack.com/", "team": "Example", "user": "countersign",
			"team_id": "T0TEST", "user_id": "U0COUNTER", "bot_id": "B0COUNTER"})
	case "users.lookupByEmail":
		for _, u := range f.users {
			if p := u["profile"].(map[string]any); strings.EqualFold(p["email"].(string), c.Form.Get("email")) {
				reply(map[string]any{"ok": true, "user": u})
				return
			}
		}
		fail("users_not_found")
	case "files.getUploadURLExternal":
		id := fmt.Sprintf("F0FILE%d", len(f.uploads)+1)
		f.uploads[id] = ""
		reply(map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload/" + id, "file_id": id})
	case "apps.connections.open":
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer xapp-") {
			fail("not_allowed_token_type")
			return
		}
		reply(map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/socket"})
	case "files.completeUploadExternal":
		if f.refuseUpload != "" {
			fail(f.refuseUpload)
			return
		}
		var files []map[string]any
		_ = json.Unmarshal([]byte(c.Form.Get("files")), &files)
		reply(map[string]any{"ok": true, "files": files})
	default:
		fail("unknown_method")
	}
}

// upload receives a file's bytes at the URL files.getUploadURLExternal gave.
func (f *fakeSlack) upload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	mr := multipart.NewReader(r.Body, params["boundary"])
	var content []byte
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		if p.FormName() == "file" {
			content, _ = io.ReadAll(p)
		}
	}
	f.mu.Lock()
	f.uploads[id] = string(content)
	f.calls = append(f.calls, call{Method: "upload", Form: url.Values{"file_id": {id}}})
	f.mu.Unlock()
	fmt.Fprintf(w, "OK - %d", len(content))
}

// take returns the calls recorded since the last take, and forgets them.
func (f *fakeSlack) take() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// only returns the calls of one method.
func only(calls []call, method string) []call {
	var out []call
	for _, c := range calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}
