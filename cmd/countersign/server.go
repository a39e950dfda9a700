package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/httpapi"
	"github.com/countersign/countersign/policy"
	"github.com/countersign/countersign/postgres"
	"github.com/countersign/countersign/slack"
	"github.com/countersign/countersign/sqlite"
	"github.com/fsnotify/fsnotify"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Main is the running server: the wiring of `countersign serve`, used as is by
// end-to-end tests (listen on 127.0.0.1:0, a temp data dir, a fake clock).
type Main struct {
	Config Config
	Logger *slog.Logger
	Now    func() time.Time
	// Out receives the bootstrap key banner.
	Out io.Writer
	// SweepInterval overrides the expiry sweep period (tests).
	SweepInterval time.Duration

	Store   countersign.Store
	Service *gateway.Service
	// Integrator builds the evidence tree and signs its checkpoints.
	Integrator *gateway.Integrator
	// Deliverer delivers notifications to the approval channels.
	Deliverer *gateway.Deliverer

	slack *slack.Interactions // nil without Slack
	// Addr is the address actually listened on, once Run returns.
	Addr string

	srv      *http.Server
	ln       net.Listener
	cancel   context.CancelFunc
	bg       sync.WaitGroup
	closing  chan struct{}
	closeErr error
	once     sync.Once
	reloadMu sync.Mutex
	evidence evidenceKey
}

// integrateInterval is how often the evidence tree takes in new events;
// checkpoints stay at most this far behind the log.
const integrateInterval = 500 * time.Millisecond

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	return &Main{Config: DefaultConfig(), Logger: slog.New(slog.DiscardHandler), Now: time.Now, Out: os.Stdout}
}

// Run opens the store, loads the policy, creates the bootstrap key on an empty
// store, and starts serving. It returns once the listener is open.
func (m *Main) Run(ctx context.Context) (err error) {
	m.closing = make(chan struct{})
	log := m.Logger
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	m.Store = store
	defer func() {
		if err != nil {
			store.Close()
		}
	}()

	m.evidence, err = m.loadEvidenceKey()
	if err != nil {
		return err
	}

	pol := policy.Default()
	if m.Config.Policy != "" {
		if pol, err = policy.LoadRef(m.Config.Policy); err != nil {
			return fmt.Errorf("load policy: %w", err)
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	decisions := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "countersign_decisions_total", Help: "New requests by policy effect."}, []string{"effect"})
	reg.MustRegister(decisions)
	m.Service = gateway.New(gateway.Config{
		Store: store, Policy: pol, Now: m.Now, Logger: log.With("component", "gateway"),
		OnDecision:    func(e countersign.Effect) { decisions.WithLabelValues(string(e)).Inc() },
		SweepInterval: m.SweepInterval,
	})
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "countersign_requests_pending", Help: "Requests waiting for review."}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := store.CountRequests(ctx, countersign.StatePending)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
	if err := m.Service.SetPolicy(ctx, pol, "system"); err != nil {
		return err
	}
	if err := m.bootstrap(ctx); err != nil {
		return err
	}

	notifiers, channelRoutes, err := m.channels(store)
	if err != nil {
		return err
	}
	m.Deliverer = gateway.NewDeliverer(store, notifiers, log.With("component", "outbox"))
	m.Deliverer.Now = m.Now
	api := httpapi.New(httpapi.Config{Service: m.Service, Logger: log.With("component", "httpapi"), Registry: reg,
		Channels: channelRoutes,
		Evidence: countersign.EvidenceKeyView{Origin: m.evidence.Origin(), VerifierKey: m.evidence.verifier},
		Signer:   m.evidence.signer,
		Ready: func(ctx context.Context) error {
			select {
			case <-m.closing:
				return errors.New("shutting down")
			default:
			}
			return store.Ping(ctx)
		}})
	m.ln, err = net.Listen("tcp", m.Config.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Listen, err)
	}
	m.Addr = m.ln.Addr().String()
	m.srv = &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}

	bgctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.Integrator = gateway.NewIntegrator(store, m.evidence.signer, m.evidence.noteVerifier, log.With("component", "ledger"))
	in := m.Integrator
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "countersign_evidence_tree_size",
			Help: "Entries in the evidence log's signed tree."}, func() float64 { s, _, _ := in.Stats(); return float64(s) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "countersign_evidence_integrate_failures_total",
			Help: "Evidence integration passes that failed; alarm on any."}, func() float64 { _, f, _ := in.Stats(); return float64(f) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "countersign_evidence_last_integrated_timestamp_seconds",
			Help: "When the evidence log last integrated successfully."}, func() float64 {
			_, _, t := in.Stats()
			if t.IsZero() {
				return 0
			}
			return float64(t.UnixNano()) / 1e9
		}),
	)
	m.bg.Add(4)
	go func() {
		defer m.bg.Done()
		m.Integrator.Run(bgctx, integrateInterval)
	}()
	go func() {
		defer m.bg.Done()
		_ = m.Deliverer.Run(bgctx)
	}()
	if m.slack != nil && m.Config.Slack.AppToken != "" {
		m.bg.Add(1)
		go func() {
			defer m.bg.Done()
			if err := m.slack.RunSocketMode(bgctx, m.Config.Slack.AppToken); err != nil && bgctx.Err() == nil {
				log.Error("slack socket mode", "err", err)
			}
		}()
	}
	go func() {
		defer m.bg.Done()
		if err := m.srv.Serve(m.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("serve", "err", err)
		}
	}()
	go func() {
		defer m.bg.Done()
		_ = m.Service.Run(bgctx)
	}()
	if m.Config.Policy != "" && !strings.HasPrefix(m.Config.Policy, policy.PackPrefix) {
		if err := m.watchPolicy(bgctx); err != nil {
			log.Warn("policy file is not watched; reload with SIGHUP", "err", err)
		}
	}
	log.Info("countersign listening", "addr", m.Addr, "store", storeKind(m.Config.Store), "policy", pol.Name(), "policy_digest", pol.Digest())
	return nil
}

// loadEvidenceKey loads (or, on first start, creates) the checkpoint signing key.
func (m *Main) loadEvidenceKey() (evidenceKey, error) {
	if m.Config.Store != "" && m.Config.EvidenceKeyFile == "" {
		if v, ok := os.LookupEnv(EnvEvidenceKey); !ok || strings.TrimSpace(v) == "" {
			// Replicas that each made their own key would sign one log with
			// several keys, and no auditor could check it with one.
			return evidenceKey{}, fmt.Errorf("with a PostgreSQL store, give every replica the same evidence key: set %s or evidence_key_file\nhint: create one with `countersign evidence key --data DIR` and share DIR/evidence.key", EnvEvidenceKey)
		}
	}
	k, created, err := loadEvidenceKey(m.Config.evidenceKeyPath(), m.Config.evidenceOrigin(), os.LookupEnv)
	if err != nil {
		return k, err
	}
	if created {
		m.Logger.Info("created the evidence signing key", "file", m.Config.evidenceKeyPath(), "origin", k.Origin())
	}
	m.Logger.Info("evidence log", "origin", k.Origin(), "verifier_key", k.verifier)
	return k, nil
}

func storeKind(dsn string) string {
	if dsn == "" {
		return "sqlite"
	}
	return "postgres"
}

func (m *Main) openStore(ctx context.Context) (countersign.Store, error) {
	dsn := m.Config.Store
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres store: %w", err)
		}
		s.Logger = m.Logger.With("component", "postgres")
		return s, nil
	case dsn == "" || strings.HasPrefix(dsn, "sqlite://"):
		dir := m.Config.Data
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		path := filepath.Join(dir, "countersign.db")
		if p, ok := strings.CutPrefix(dsn, "sqlite://"); ok && p != "" {
			path = p
		}
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
		}
		return s, nil
	default:
		return nil, fmt.Errorf("unknown store %q: want postgres://... or sqlite://PATH", redactDSN(dsn))
	}
}

// redactDSN hides a password in a store URL so it never reaches a log.
func redactDSN(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.LastIndex(dsn, "@"); at > i {
			return dsn[:i+3] + "***" + dsn[at:]
		}
	}
	return dsn
}

// bootstrap prints a new admin key once, when the store has no key at all.
func (m *Main) bootstrap(ctx context.Context) error {
	secret, created, err := m.Service.Bootstrap(ctx)
	if err != nil {
		return fmt.Errorf("bootstrap admin key: %w", err)
	}
	if !created {
		return nil
	}
	// Printed first: if the file cannot be written, the key is not lost.
	fmt.Fprintf(m.Out, "\nbootstrap admin key (shown once, store it now):\n\n    %s\n\nexport COUNTERSIGN_KEY=%s\n\n", secret, secret)
	if f := m.Config.BootstrapKeyFile; f != "" {
		if err := os.WriteFile(f, []byte(secret+"\n"), 0o600); err != nil {
			return fmt.Errorf("write bootstrap key file (the key was printed above): %w", err)
		}
	}
	return nil
}

// ReloadPolicy loads the policy file again. A bad file is refused and the
// policy in force stays.
func (m *Main) ReloadPolicy(ctx context.Context) error {
	if m.Config.Policy == "" {
		return nil
	}
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	p, err := policy.LoadRef(m.Config.Policy)
	if err != nil {
		m.Logger.Error("new policy refused; the old one stays in force", "err", err)
		return err
	}
	if p.Digest() == m.Service.Policy().Digest() {
		return nil
	}
	return m.Service.SetPolicy(ctx, p, "system")
}

// watchPolicy reloads the policy when its file changes. It watches the
// directory so that editors that replace the file by renaming are seen.
func (m *Main) watchPolicy(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(m.Config.Policy)
	if err != nil {
		w.Close()
		return err
	}
	if err := w.Add(filepath.Dir(abs)); err != nil {
		w.Close()
		return err
	}
	m.bg.Add(1)
	go func() {
		defer m.bg.Done()
		defer w.Close()
		var debounce <-chan time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-w.Events:
				if filepath.Clean(ev.Name) == abs {
					debounce = time.After(100 * time.Millisecond)
				}
			case err := <-w.Errors:
				m.Logger.Warn("policy watcher", "err", err)
			case <-debounce:
				_ = m.ReloadPolicy(ctx)
			}
		}
	}()
	return nil
}

// Close stops taking work, answers waiting long-polls with the current state,
// waits for calls in flight, and closes the store. Pending requests are in
// the store and survive.
func (m *Main) Close() error {
	m.once.Do(func() {
		if m.closing != nil {
			close(m.closing)
		}
		if m.Service != nil {
			m.Service.Drain()
		}
		if m.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			if err := m.srv.Shutdown(ctx); err != nil {
				m.closeErr = errors.Join(m.closeErr, fmt.Errorf("shut down http: %w", err))
			}
			cancel()
		}
		if m.cancel != nil {
			m.cancel()
		}
		m.bg.Wait()
		if m.slack != nil {
			m.slack.Wait() // interactions still at work
		}
		if m.Integrator != nil {
			// A last checkpoint covering everything recorded before shutdown.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if _, err := m.Integrator.Integrate(ctx); err != nil {
				m.closeErr = errors.Join(m.closeErr, fmt.Errorf("integrate evidence: %w", err))
			}
			cancel()
		}
		if m.Store != nil {
			if err := m.Store.Close(); err != nil {
				m.closeErr = errors.Join(m.closeErr, fmt.Errorf("close store: %w", err))
			}
		}
	})
	return m.closeErr
}
