package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/countersign/countersign"
)

// SlackConfig configures the Slack approval channel; it is off without a
// bot token.
type SlackConfig struct {
	BotToken      string `yaml:"bot_token"`
	SigningSecret string `yaml:"signing_secret"`
	// AppToken (xapp-) turns on Socket Mode, for gateways with no public URL.
	AppToken string `yaml:"app_token"`
	// AllowUnlisted lets a Slack user whose verified email is not in people
	// review, as a human with no groups.
	AllowUnlisted bool `yaml:"allow_unlisted"`
	// APIURL points the client at another Slack Web API (tests).
	APIURL string `yaml:"api_url"`
}

// WebhookConfig is one signed webhook integration.
type WebhookConfig struct {
	Name      string   `yaml:"name"`
	URL       string   `yaml:"url"`
	Secret    string   `yaml:"secret"`
	SubmitFor []string `yaml:"submit_for"`
}

// Config is the server's configuration. Values come, lowest precedence
// first, from defaults, the YAML file (--config), COUNTERSIGN_* environment
// variables, and flags.
type Config struct {
	Listen           string `yaml:"listen"`
	Data             string `yaml:"data"`
	Store            string `yaml:"store"`
	Policy           string `yaml:"policy"`
	PublicURL        string `yaml:"public_url"`
	BootstrapKeyFile string `yaml:"bootstrap_key_file"`
	LogLevel         string `yaml:"log_level"`
	LogFormat        string `yaml:"log_format"`
	// EvidenceKeyFile holds the checkpoint signing key; default DATA/evidence.key.
	EvidenceKeyFile string `yaml:"evidence_key_file"`
	// EvidenceOrigin names a new evidence log (the key's name); default
	// countersign/<hostname>.
	EvidenceOrigin string `yaml:"evidence_origin"`

	// People maps reviewers' channel identities to human principals.
	People countersign.People `yaml:"people"`
	// Approval channels.
	Slack    SlackConfig     `yaml:"slack"`
	Webhooks []WebhookConfig `yaml:"webhooks"`
}

// DefaultConfig is the configuration with no file, flag or variable.
func DefaultConfig() Config {
	return Config{Listen: "127.0.0.1:8480", Data: "./countersign-data", LogLevel: "info", LogFormat: "text"}
}

// configKeys maps each setting to its environment variable.
var configKeys = []struct {
	env string
	set func(*Config, string)
}{
	{"COUNTERSIGN_LISTEN", func(c *Config, v string) { c.Listen = v }},
	{"COUNTERSIGN_DATA", func(c *Config, v string) { c.Data = v }},
	{"COUNTERSIGN_STORE", func(c *Config, v string) { c.Store = v }},
	{"COUNTERSIGN_POLICY", func(c *Config, v string) { c.Policy = v }},
	{"COUNTERSIGN_PUBLIC_URL", func(c *Config, v string) { c.PublicURL = v }},
	{"COUNTERSIGN_BOOTSTRAP_KEY_FILE", func(c *Config, v string) { c.BootstrapKeyFile = v }},
	{"COUNTERSIGN_LOG_LEVEL", func(c *Config, v string) { c.LogLevel = v }},
	{"COUNTERSIGN_LOG_FORMAT", func(c *Config, v string) { c.LogFormat = v }},
	{"COUNTERSIGN_EVIDENCE_KEY_FILE", func(c *Config, v string) { c.EvidenceKeyFile = v }},
	{"COUNTERSIGN_EVIDENCE_ORIGIN", func(c *Config, v string) { c.EvidenceOrigin = v }},
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// LoadConfigFile reads a YAML config file onto c, expanding ${VAR} references
// from the environment inside string values (after parsing, so a value with
// YAML syntax in it stays one value). Unknown keys and unset variables are
// errors.
func LoadConfigFile(c *Config, path string, getenv func(string) (string, bool)) error {
	_, err := decodeYAMLFile(path, getenv, c)
	return err
}

// decodeYAMLFile decodes the YAML file at path into v strictly (unknown keys
// are errors), after replacing ${VAR} in its string values from getenv (an
// unset variable is an error). It reports false, leaving v alone, when the
// file holds no document.
func decodeYAMLFile(path string, getenv func(string) (string, bool), v any) (bool, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("read config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return false, fmt.Errorf("config %s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return false, nil
	}
	var missing []string
	var expand func(n *yaml.Node)
	expand = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			n.Value = envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
				name := envRef.FindStringSubmatch(m)[1]
				val, ok := getenv(name)
				if !ok {
					missing = append(missing, name)
				}
				return val
			})
		}
		for _, c := range n.Content {
			expand(c)
		}
	}
	expand(&doc)
	if len(missing) > 0 {
		return false, fmt.Errorf("config %s: environment variables not set: %s", path, strings.Join(missing, ", "))
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return false, fmt.Errorf("config %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(out))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return false, fmt.Errorf("config %s: %w", path, err)
	}
	return true, nil
}

// ApplyEnv sets every value given by a COUNTERSIGN_* variable.
func ApplyEnv(c *Config, getenv func(string) (string, bool)) {
	for _, k := range configKeys {
		if v, ok := getenv(k.env); ok && v != "" {
			k.set(c, v)
		}
	}
}

// evidenceKeyPath is where the checkpoint signing key lives.
func (c Config) evidenceKeyPath() string {
	if c.EvidenceKeyFile != "" {
		return c.EvidenceKeyFile
	}
	return filepath.Join(c.Data, "evidence.key")
}

// evidenceOrigin is the name of a new evidence log.
func (c Config) evidenceOrigin() string {
	if c.EvidenceOrigin != "" {
		return c.EvidenceOrigin
	}
	return defaultOrigin()
}
