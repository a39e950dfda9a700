package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
)

// BenchmarkAllowPathHTTP submits allowed actions over loopback HTTP to the
// real server wiring on SQLite; every decision is recorded. It reports
// throughput and the p50/p99 latency seen by the clients.
func BenchmarkAllowPathHTTP(b *testing.B) {
	url, admin := benchServer(b, "allow-policy.yaml")
	k, err := client.New(url, admin).CreateKey(context.Background(),
		countersign.KeyInput{Kind: "agent", Name: "bench-bot", Owner: "owner@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"kind":"sql","environment":"staging","payload":{"sql":"select id from orders where id = 42"}}`)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			req, _ := http.NewRequest("POST", url+"/v1/actions", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+k.Secret)
			t0 := time.Now()
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mine = append(mine, time.Since(t0))
			if resp.StatusCode != 201 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "actions/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}

// BenchmarkReviewToWaitHTTP measures how long after a review arrives the
// agent's long-poll returns, over loopback HTTP to the real server on
// SQLite: per iteration an agent submits, parks GET ?wait=30s, and a human
// approves; the latency is from sending the review to the long-poll's
// answer. It reports p50 and p99.
func BenchmarkReviewToWaitHTTP(b *testing.B) {
	url, admin := benchServer(b, "review-policy.yaml")
	ctx := context.Background()
	ac := client.New(url, admin)
	ak, err := ac.CreateKey(ctx, countersign.KeyInput{Kind: "agent", Name: "bench-bot", Owner: "owner@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	hk, err := ac.CreateKey(ctx, countersign.KeyInput{Kind: "human", Name: "dana@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	agent, human := client.New(url, ak.Secret), client.New(url, hk.Secret)
	in := countersign.SubmitInput{Kind: "sql", Environment: "production", Payload: []byte(`{"sql":"delete from sessions"}`)}
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		res, err := agent.Submit(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		id := res.ID
		done := make(chan time.Time, 1)
		go func() {
			v, err := agent.Wait(ctx, id, 30*time.Second)
			if err != nil || v.State != countersign.StateApproved {
				b.Errorf("wait: %v %v", v, err)
			}
			done <- time.Now()
		}()
		time.Sleep(3 * time.Millisecond) // let the long-poll park
		t0 := time.Now()
		if _, err := human.Review(ctx, id, countersign.ReviewInput{Verdict: countersign.VerdictApprove}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, (<-done).Sub(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// benchServer starts the real server wiring on SQLite with the policy
// bench/NAME, stopped when b ends, and returns its URL and admin key.
func benchServer(b *testing.B, policyName string) (url, admin string) {
	b.Helper()
	dir := b.TempDir()
	cfg := DefaultConfig()
	cfg.Listen, cfg.Data = "127.0.0.1:0", filepath.Join(dir, "data")
	cfg.Policy = filepath.Join("..", "..", "bench", policyName)
	cfg.BootstrapKeyFile = filepath.Join(dir, "admin.key")
	m := NewMain()
	m.Config = cfg
	m.Out = io.Discard
	if err := m.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	key, err := os.ReadFile(cfg.BootstrapKeyFile)
	if err != nil {
		b.Fatal(err)
	}
	return "http://" + m.Addr, strings.TrimSpace(string(key))
}
