package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/ledger"
)

// verifierFrom reads a note verifier key given whole or as a file holding it.
func verifierFrom(arg string) (note.Verifier, string, error) {
	vkey := strings.TrimSpace(arg)
	if b, err := os.ReadFile(arg); err == nil {
		vkey = strings.TrimSpace(string(b))
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, "", usageError{fmt.Errorf("--key is not a verifier key (origin+hash+key) nor a file holding one: %v", err)}
	}
	return v, vkey, nil
}

// readInput reads a file, or standard input for "-".
func readInput(cmd *cobra.Command, path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(cmd.InOrStdin())
	}
	return os.ReadFile(path)
}

func newReceiptCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "receipt ID",
		Short: "Print a request's receipt: proofs that each of its events is in the signed log",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			b, err := c.Receipt(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	}
}

func newVerifyReceiptCmd() *cobra.Command {
	var key, id string
	cmd := &cobra.Command{
		Use:   "verify-receipt FILE|- --key VKEY --request ID",
		Short: "Check a request's receipt offline with the log's verifier key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, _, err := verifierFrom(key)
			if err != nil {
				return err
			}
			b, err := readInput(cmd, args[0])
			if err != nil {
				return err
			}
			cp, entries, err := ledger.VerifyRequestReceipt(b, id, v)
			if err != nil {
				return &exitError{code: 1, msg: "receipt does not verify: " + err.Error()}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "receipt verified: request %s; these %d events are in log %s of size %d (a receipt proves inclusion, not that nothing else happened: verify a bundle for that)\n", id, len(entries), cp.Origin, cp.Size)
			for _, e := range entries {
				fmt.Fprintf(out, "  %7d  %s  %-18s %s\n", e.Index, e.Event.Time.Format(time.RFC3339), e.Event.Type, e.Event.Actor)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "the log's verifier key, or a file holding it (countersign evidence key)")
	cmd.Flags().StringVar(&id, "request", "", "the request the receipt must be for")
	_ = cmd.MarkFlagRequired("key")
	_ = cmd.MarkFlagRequired("request")
	return cmd
}

func newExportCmd() *cobra.Command {
	var since, until, after, out string
	cmd := &cobra.Command{
		Use:   "export -o DIR|FILE.tar.gz [--since T] [--until T] [--after EARLIER]",
		Short: "Write an evidence bundle that `countersign evidence verify` checks offline",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			b, err := exportBundle(cmd.Context(), c, since, until, after)
			if err != nil {
				return err
			}
			if err := ledger.WriteBundle(out, b); err != nil {
				return err
			}
			m := b.Manifest
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s: %d events (log entries %d to %d) of %s\n", out, m.Counts.Events, m.FirstSize, m.LastSize, m.Origin)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "out", "o", "", "the bundle: a new directory, or a file ending .tar.gz")
	f.StringVar(&since, "since", "", "first time covered (RFC 3339); default the log's start")
	f.StringVar(&until, "until", "", "last time covered (RFC 3339); default now")
	f.StringVar(&after, "after", "", "an earlier bundle (or its checkpoints/last): prove this one extends it")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func newVerifyCmd() *cobra.Command {
	var key, after string
	cmd := &cobra.Command{
		Use:   "verify BUNDLE --key VKEY [--after EARLIER]",
		Short: "Check an evidence bundle offline, with nothing but the log's verifier key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, _, err := verifierFrom(key)
			if err != nil {
				return err
			}
			b, err := ledger.ReadBundle(args[0])
			if err != nil {
				return &exitError{code: 1, msg: "bundle is unreadable: " + err.Error()}
			}
			if after != "" {
				earlier, err := checkpointOf(after)
				if err != nil {
					return err
				}
				if string(b.After) != string(earlier) {
					return &exitError{code: 1, msg: "the bundle does not extend " + after + ": its checkpoints/after is not that bundle's last checkpoint"}
				}
			}
			sum, err := ledger.VerifyBundle(b, v)
			if err != nil {
				return &exitError{code: 1, msg: "bundle does not verify: " + err.Error()}
			}
			return sum.WriteText(cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "the log's verifier key, or a file holding it")
	cmd.Flags().StringVar(&after, "after", "", "an earlier bundle this one must extend")
	_ = cmd.MarkFlagRequired("key")
	return cmd
}

// checkpointOf returns the last checkpoint of a bundle, or the content of a
// checkpoint file.
func checkpointOf(path string) ([]byte, error) {
	if b, err := ledger.ReadBundle(path); err == nil {
		return b.Last, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read earlier checkpoint: %w", err)
	}
	return b, nil
}

// exportBundle collects a bundle from the server: the entries between two
// stored checkpoints (the latest at or before the first event of --since, the
// earliest at or after the first event past --until; the log's start and its
// newest checkpoint by default), with the prefix and consistency proofs.
func exportBundle(ctx context.Context, c *client.Client, since, until, after string) (*ledger.Bundle, error) {
	// near returns a stored checkpoint and its size.
	near := func(size uint64, below bool) ([]byte, uint64, error) {
		signed, err := c.CheckpointNear(ctx, size, below)
		if err != nil {
			return nil, 0, err
		}
		cp, err := ledger.Unverified(signed)
		return signed, cp.Size, err
	}
	// indexAt parses an RFC 3339 flag and returns the first leaf at or after it.
	indexAt := func(flag, value string) (*time.Time, uint64, error) {
		t, err := time.Parse(time.RFC3339Nano, value)
		if err != nil {
			return nil, 0, usageError{fmt.Errorf("--%s: %v", flag, err)}
		}
		idx, err := c.IndexAt(ctx, value)
		return &t, idx, err
	}
	var sinceT, untilT *time.Time
	var firstIdx uint64 // the empty tree's checkpoint is stored before anything else
	if since != "" {
		var err error
		if sinceT, firstIdx, err = indexAt("since", since); err != nil {
			return nil, err
		}
	}
	first, firstSize, err := near(firstIdx, true)
	if err != nil {
		return nil, err
	}
	last, err := c.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	lastCP, err := ledger.Unverified(last)
	if err != nil {
		return nil, err
	}
	lastSize := lastCP.Size
	if until != "" {
		t, idx, err := indexAt("until", until)
		if err != nil {
			return nil, err
		}
		untilT = t
		if idx < lastSize {
			if last, lastSize, err = near(idx, false); err != nil {
				return nil, err
			}
		}
	}
	if firstSize > lastSize {
		return nil, fmt.Errorf("export: the period is empty")
	}
	var leaves [][]byte
	for start := firstSize; start < lastSize; {
		end := min(start+5000, lastSize)
		page, err := c.Entries(ctx, start, end)
		if err != nil {
			return nil, err
		}
		if len(page) != int(end-start) {
			return nil, fmt.Errorf("export: the server gave %d entries for %d..%d", len(page), start, end)
		}
		leaves = append(leaves, page...)
		start = end
	}
	prefix, err := c.Prefix(ctx, firstSize)
	if err != nil {
		return nil, err
	}
	consistency, err := c.ConsistencyProof(ctx, firstSize, lastSize)
	if err != nil {
		return nil, err
	}
	vkey, err := c.VerifierKey(ctx)
	if err != nil {
		return nil, err
	}
	b, err := ledger.BuildBundle(lastCP.Origin, vkey, sinceT, untilT, leaves, first, last, prefix, consistency)
	if err != nil {
		return nil, err
	}
	if after != "" {
		earlier, err := checkpointOf(after)
		if err != nil {
			return nil, err
		}
		ecp, err := ledger.Unverified(earlier)
		if err != nil {
			return nil, err
		}
		if b.AfterProof, err = c.ConsistencyProof(ctx, ecp.Size, lastSize); err != nil {
			return nil, err
		}
		b.After = earlier
	}
	return b, nil
}
