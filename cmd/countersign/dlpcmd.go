package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/countersign/countersign/dlp"
	"github.com/countersign/countersign/policy"
	"github.com/spf13/cobra"
)

// maxScanInput bounds what `dlp scan` reads into memory to list findings or
// mask JSON; masking text streams and has no bound.
const maxScanInput = 256 << 20

func newDLPCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "dlp", Short: "Find and mask secrets and personal data"}
	var (
		mask      bool
		asJSON    bool
		input     string
		policyRef string
		keyFile   string
	)
	scan := &cobra.Command{
		Use:   "scan [FILE|-]",
		Short: "List the secrets and personal data in a file, or mask them with --mask",
		Long: `List the secrets and personal data in FILE (or standard input), with a masked
preview of each: the value itself is never printed. Exit status 1 means
something was found, as with grep.

With --mask, write the text with every finding masked to standard output, and
the count per type to standard error. --input json masks the string values of a
JSON document and keeps it valid JSON.

--policy applies a policy's dlp section (strategies, custom detectors, disabled
detectors); the hash strategy reads its key from --hash-key-file or
COUNTERSIGN_DLP_KEY.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if input != "text" && input != "json" {
				return usageError{fmt.Errorf("--input must be text or json, not %q", input)}
			}
			m, err := scanMasker(policyRef, keyFile)
			if err != nil {
				return err
			}
			src, closeSrc, err := openInput(cmd, args)
			if err != nil {
				return err
			}
			defer closeSrc()
			out := cmd.OutOrStdout()
			if mask {
				counts, err := maskInput(cmd, m, src, input == "json")
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.ErrOrStderr(), "masked: "+formatCounts(counts))
				return nil
			}
			data, err := readBounded(src)
			if err != nil {
				return err
			}
			fs, err := m.Scan(cmd.Context(), data)
			if err != nil {
				return err
			}
			if asJSON {
				err = printFindingsJSON(out, data, fs)
			} else {
				printFindings(out, data, fs)
			}
			if err != nil {
				return err
			}
			if len(fs) > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	scan.Flags().BoolVar(&mask, "mask", false, "write the masked text to standard output")
	scan.Flags().BoolVar(&asJSON, "json", false, "list findings as JSON lines")
	scan.Flags().StringVar(&input, "input", "text", "text, or json to mask a JSON document's values and keep it valid")
	scan.Flags().StringVar(&policyRef, "policy", "", "a policy file or pack:NAME whose dlp section applies")
	scan.Flags().StringVar(&keyFile, "hash-key-file", "", "file holding the key of the hash strategy")
	cmd.AddCommand(scan)
	return cmd
}

// scanMasker builds the masker: the default profile, or a policy's.
func scanMasker(ref, keyFile string) (*dlp.Masker, error) {
	if ref == "" {
		return dlp.DefaultMasker(), nil
	}
	p, err := policy.LoadRef(ref)
	if err != nil {
		return nil, err
	}
	var key []byte
	switch {
	case keyFile != "":
		if key, err = os.ReadFile(keyFile); err != nil {
			return nil, fmt.Errorf("read hash key: %w", err)
		}
		key = bytes.TrimSpace(key)
	case os.Getenv("COUNTERSIGN_DLP_KEY") != "":
		key = []byte(os.Getenv("COUNTERSIGN_DLP_KEY"))
	}
	return p.DLP().Build(key)
}

func openInput(cmd *cobra.Command, args []string) (io.Reader, func(), error) {
	if len(args) == 0 || args[0] == "-" {
		return cmd.InOrStdin(), func() {}, nil
	}
	f, err := os.Open(args[0])
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func readBounded(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxScanInput+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxScanInput {
		return nil, fmt.Errorf("input is over %d MiB; use --mask, which streams", maxScanInput>>20)
	}
	return data, nil
}

// maskInput writes the masked input to the command's output. Text streams;
// JSON is read whole. On error the output stops at what was checked, with a
// notice that the rest was withheld.
func maskInput(cmd *cobra.Command, m *dlp.Masker, src io.Reader, isJSON bool) (dlp.Counts, error) {
	out := cmd.OutOrStdout()
	if isJSON {
		data, err := readBounded(src)
		if err != nil {
			return nil, err
		}
		masked, counts, err := m.MaskJSON(cmd.Context(), data)
		if err != nil {
			return nil, err
		}
		_, err = out.Write(masked)
		return counts, err
	}
	w := m.NewWriter(cmd.Context(), out)
	if _, err := io.Copy(w, src); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return w.Counts(), nil
}

func formatCounts(c dlp.Counts) string {
	if len(c) == 0 {
		return "nothing"
	}
	types := slices.Sorted(func(yield func(dlp.Type) bool) {
		for t := range c {
			if !yield(t) {
				return
			}
		}
	})
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("%s %d", t, c[t])
	}
	return strings.Join(parts, ", ")
}

// position returns the 1-based line and column (in bytes) of offset.
func position(data []byte, offset int) (line, col int) {
	line = 1 + bytes.Count(data[:offset], []byte("\n"))
	col = offset - bytes.LastIndexByte(data[:offset], '\n')
	return line, col
}

// preview returns the finding's line, cut to about 40 bytes either side,
// with every finding on it redacted: the value itself is never shown.
func preview(data []byte, f dlp.Finding, all []dlp.Finding) string {
	start := max(0, f.Start-40)
	if i := bytes.LastIndexByte(data[start:f.Start], '\n'); i >= 0 {
		start += i + 1
	}
	end := min(len(data), f.End+40)
	if i := bytes.IndexByte(data[f.End:end], '\n'); i >= 0 {
		end = f.End + i
	}
	var near []dlp.Finding
	for _, g := range all {
		if g.End > start && g.Start < end {
			g.Start, g.End = max(g.Start, start)-start, min(g.End, end)-start
			near = append(near, g)
		}
	}
	masked, _, err := dlp.Mask(data[start:end], near, dlp.DefaultPolicy())
	if err != nil {
		return "[preview withheld]"
	}
	s := printable(string(masked))
	if start > 0 && data[start-1] != '\n' {
		s = "…" + s
	}
	if end < len(data) && data[end] != '\n' {
		s += "…"
	}
	return s
}

func printFindings(w io.Writer, data []byte, fs []dlp.Finding) {
	counts := dlp.Counts{}
	for _, f := range fs {
		line, col := position(data, f.Start)
		fmt.Fprintf(w, "%d:%d\t%-18s %-24s %.2f  %s\n", line, col, f.Type, f.Detector, f.Confidence, preview(data, f, fs))
		counts[f.Type]++
	}
	fmt.Fprintf(w, "%d finding(s): %s\n", len(fs), formatCounts(counts))
}

type findingJSON struct {
	Type       dlp.Type `json:"type"`
	Detector   string   `json:"detector"`
	Start      int      `json:"start"`
	End        int      `json:"end"`
	Line       int      `json:"line"`
	Column     int      `json:"column"`
	Confidence float64  `json:"confidence"`
	Preview    string   `json:"preview"`
}

func printFindingsJSON(w io.Writer, data []byte, fs []dlp.Finding) error {
	enc := json.NewEncoder(w)
	for _, f := range fs {
		line, col := position(data, f.Start)
		if err := enc.Encode(findingJSON{f.Type, f.Detector, f.Start, f.End, line, col, f.Confidence, preview(data, f, fs)}); err != nil {
			return err
		}
	}
	return nil
}
