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
	dir := b.TempDir()
	cfg := DefaultConfig()
	cfg.Listen, cfg.Data = "127.0.0.1:0", filepath.Join(dir, "data")
	cfg.Policy = filepath.Join("..", "..", "bench", "allow-policy.yaml")
	cfg.BootstrapKeyFile = filepath.Join(dir, "admin.key")
	m := NewMain()
	m.Config = cfg
	m.Out = io.Discard
	if err := m.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	admin, _ := os.ReadFile(cfg.BootstrapKeyFile)
	url := "http://" + m.Addr
	k, err := client.New(url, strings.TrimSpace(string(admin))).CreateKey(context.Background(),
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
