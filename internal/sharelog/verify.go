package sharelog

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// Problem kinds reported by Verify.
const (
	ProblemMissing      = "missing"             // an entry is absent (a gap, a cut tail, or a prefix without anchor)
	ProblemAltered      = "altered"             // the stored hash does not match the entry's content
	ProblemContent      = "content_altered"     // a kept body no longer matches its digest
	ProblemCheckpoint   = "checkpoint_mismatch" // the entry's hash differs from a signed checkpoint: the chain was rewritten
	ProblemSignature    = "bad_signature"       // a checkpoint or anchor signature is invalid
	ProblemUntrustedKey = "untrusted_key"       // a checkpoint was signed by a key that is not trusted
	ProblemJournal      = "journal_damaged"     // a journal record that was acknowledged is damaged (VerifyJournal)
)

// Problem is the first broken or missing entry Verify found.
type Problem struct {
	Chain  string
	Seq    int64
	Kind   string
	Detail string
}

func (p *Problem) String() string {
	return fmt.Sprintf("chain %q seq %d: %s: %s", p.Chain, p.Seq, p.Kind, p.Detail)
}

// Report is the outcome of Verify.
type Report struct {
	Entries     int64 // entries whose hash was recomputed
	Chains      int
	Checkpoints int64 // checkpoints and anchors whose signature was verified
	// KeysPinned is false when no trusted keys were given and each
	// signature was checked against the key stored beside it: that proves
	// integrity against accidents and against anyone who cannot write the
	// database, not against someone who can (they could re-sign).
	KeysPinned bool
	// Keys lists the hex public keys that signed the verified checkpoints.
	Keys []string
	// Journaled counts the entries found only in the journal (not yet in
	// the database) and verified there; VerifyJournal only.
	Journaled int64
	Problem   *Problem // nil when the log verified
}

// OK reports whether the log verified.
func (r Report) OK() bool { return r.Problem == nil }

// Verify walks every chain in seq order: it recomputes each hash, checks seq
// continuity from genesis or from the purge anchor the chain starts after,
// checks that kept bodies match their digests, checks every checkpoint's
// signature and that the checkpointed hash is the entry's hash, and reports
// the first problem. trusted pins the signing keys; when empty, the key
// stored with each checkpoint is used (see Report.KeysPinned).
//
// Verify reads one consistent snapshot. It returns an error only when the
// database cannot be read; a broken log is a Report with a Problem.
func Verify(ctx context.Context, db *platform.DB, trusted []ed25519.PublicKey) (Report, error) {
	return verify(ctx, db, trusted, nil)
}

// VerifyJournal is Verify plus the entries that gateway nodes have
// journaled but not yet stored in the database (Options.JournalDir; nodes
// that share journalDir). It only reads the journal, so it may run beside
// a live Writer or after a crash, before the restart that indexes the
// journal: each node's journaled records must chain onto the database's
// last entry of its chain, and acknowledged records must be intact. The
// torn last write of a crashed (or still writing) node is ignored, as
// recovery ignores it.
func VerifyJournal(ctx context.Context, db *platform.DB, journalDir string, trusted []ed25519.PublicKey) (Report, error) {
	// The journal is read before the database snapshot is taken: a segment
	// is removed only after its entries are in the database, so whatever
	// the indexer moves meanwhile is in the snapshot.
	var chains []*journalChain
	var err error
	for attempt := 0; ; attempt++ {
		if chains, err = readJournal(journalDir); err != nil {
			return Report{}, err
		}
		// A writer appending, or recycling a segment, while it was read can
		// look like damage: read again before reporting it.
		if !slices.ContainsFunc(chains, func(c *journalChain) bool { return c.problem != nil }) || attempt == 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return verify(ctx, db, trusted, chains)
}

func verify(ctx context.Context, db *platform.DB, trusted []ed25519.PublicKey, journal []*journalChain) (Report, error) {
	catchUp(ctx, db)
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == platform.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.Read.BeginTx(ctx, opts)
	if err != nil {
		return Report{}, fmt.Errorf("verify sharing log: %w", err)
	}
	defer tx.Rollback()
	v := &verifier{ctx: ctx, q: tx, trusted: trusted, keys: map[string]bool{}, heads: map[string]chainEnd{}}
	v.rep.KeysPinned = len(trusted) > 0
	chains, err := listChains(ctx, tx)
	if err != nil {
		return Report{}, err
	}
	for _, node := range chains {
		v.rep.Chains++
		p, err := v.chain(node)
		if err != nil {
			return Report{}, err
		}
		if p != nil {
			v.rep.Problem = p
			break
		}
	}
	for _, jc := range journal {
		if v.rep.Problem != nil {
			break
		}
		if !slices.Contains(chains, jc.node) && jc.first > 0 {
			v.rep.Chains++
		}
		if v.rep.Problem, err = v.journalChain(jc); err != nil {
			return Report{}, err
		}
	}
	for k := range v.keys {
		v.rep.Keys = append(v.rep.Keys, k)
	}
	slices.Sort(v.rep.Keys)
	return v.rep, nil
}

// listChains returns every chain name found in entries or checkpoints. The
// entries are walked with one index seek per chain (a loose index scan), not
// a scan of the table.
func listChains(ctx context.Context, q platform.Querier) ([]string, error) {
	var nodes []string
	last := ""
	for {
		var n string
		err := q.QueryRowContext(ctx, `SELECT node FROM sharelog_entries WHERE node > $1 ORDER BY node LIMIT 1`, last).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("list sharing-log chains: %w", err)
		}
		nodes = append(nodes, n)
		last = n
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT node FROM sharelog_checkpoints`)
	if err != nil {
		return nil, fmt.Errorf("list sharing-log chains: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(nodes)
	return slices.Compact(nodes), nil
}

type verifier struct {
	ctx     context.Context
	q       platform.Querier
	trusted []ed25519.PublicKey
	keys    map[string]bool
	heads   map[string]chainEnd // the last entry (or anchor) of each verified chain
	rep     Report
	buf     []byte
}

type chainEnd struct {
	seq  int64
	hash [32]byte
}

// chainStart finds where a chain's entries begin: after genesis (seq 0, zero
// hash) or after the newest purge anchor below its lowest entry. low is
// math.MaxInt64 when the chain has no entry left.
func chainStart(ctx context.Context, q platform.Querier, node string) (low, start int64, prev [32]byte, err error) {
	err = q.QueryRowContext(ctx, `SELECT seq FROM sharelog_entries WHERE node = $1 ORDER BY seq LIMIT 1`, node).Scan(&low)
	if errors.Is(err, sql.ErrNoRows) {
		low, err = math.MaxInt64, nil
	}
	if err != nil {
		return 0, 0, prev, fmt.Errorf("read chain %q: %w", node, err)
	}
	if low == 1 {
		return low, 0, prev, nil
	}
	var h []byte
	err = q.QueryRowContext(ctx, `SELECT seq, hash FROM sharelog_checkpoints WHERE node = $1 AND kind = $2 AND seq < $3
ORDER BY seq DESC LIMIT 1`, node, kindAnchor, low).Scan(&start, &h)
	if errors.Is(err, sql.ErrNoRows) {
		return low, 0, prev, nil
	}
	if err != nil {
		return 0, 0, prev, fmt.Errorf("read anchor of chain %q: %w", node, err)
	}
	copy(prev[:], h) // a malformed hash fails its signature check first
	return low, start, prev, nil
}

func (v *verifier) chain(node string) (*Problem, error) {
	low, start, prev, err := chainStart(v.ctx, v.q, node)
	if err != nil {
		return nil, err
	}
	cps := &checkpointIter{ctx: v.ctx, q: v.q, node: node, lastSeq: -1}
	ents := &entryIter{ctx: v.ctx, q: v.q, node: node}
	// Checkpoints up to the start (the anchor itself, and older ones a
	// purge left behind) can only have their signatures checked.
	for {
		cp, err := cps.peek()
		if err != nil {
			return nil, err
		}
		if cp == nil || cp.Seq > start {
			break
		}
		if p := v.signature(cp); p != nil {
			return p, nil
		}
		cps.next()
	}
	expected := start + 1
	if low != math.MaxInt64 && low != expected {
		return &Problem{node, expected, ProblemMissing, fmt.Sprintf(
			"the chain starts at seq %d and no purge anchor covers the entries before it", low)}, nil
	}
	for {
		e, err := ents.peek()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		if e.Seq != expected {
			return &Problem{node, expected, ProblemMissing, fmt.Sprintf("the next entry present is seq %d", e.Seq)}, nil
		}
		if p := v.entry(node, &prev, e); p != nil {
			return p, nil
		}
		for {
			cp, err := cps.peek()
			if err != nil {
				return nil, err
			}
			if cp == nil || cp.Seq > e.Seq {
				break
			}
			if p := v.signature(cp); p != nil {
				return p, nil
			}
			if !bytes.Equal(cp.Hash, e.Hash[:]) {
				return &Problem{node, e.Seq, ProblemCheckpoint, fmt.Sprintf(
					"the entry's hash differs from the %s signed at %s: entries up to here were rewritten",
					cp.Kind, cp.CreatedAt.Format(time.RFC3339))}, nil
			}
			cps.next()
		}
		prev = e.Hash
		expected++
		v.rep.Entries++
		ents.next()
	}
	v.heads[node] = chainEnd{expected - 1, prev}
	// Checkpoints beyond the last entry prove that entries were cut off.
	cp, err := cps.peek()
	if err != nil || cp == nil {
		return nil, err
	}
	if p := v.signature(cp); p != nil {
		return p, nil
	}
	return &Problem{node, expected, ProblemMissing, fmt.Sprintf(
		"a %s signed at %s covers seq %d, but the chain ends before it", cp.Kind, cp.CreatedAt.Format(time.RFC3339), cp.Seq)}, nil
}

// entry checks one entry against the previous hash.
func (v *verifier) entry(node string, prev *[32]byte, e *scannedEntry) *Problem {
	if e.malformed != "" {
		return &Problem{node, e.Seq, ProblemAltered, e.malformed}
	}
	var h [32]byte
	h, v.buf = chainHash(v.buf, prev, &e.Entry)
	if h != e.Hash {
		return &Problem{node, e.Seq, ProblemAltered,
			"the stored hash does not match the entry's content (the entry, or the previous one with its hash, was changed)"}
	}
	if e.requestedUS != e.RequestedAt.UnixMicro() {
		return &Problem{node, e.Seq, ProblemAltered, "requested_us does not match requested_at"}
	}
	if e.KeepContent {
		if sha256.Sum256(e.RequestBody) != e.RequestDigest {
			return &Problem{node, e.Seq, ProblemContent, "the kept request body does not match its digest"}
		}
		if sha256.Sum256(e.ResponseBody) != e.ResponseDigest {
			return &Problem{node, e.Seq, ProblemContent, "the kept response body does not match its digest"}
		}
	}
	return nil
}

// signature checks a checkpoint's signature and key.
func (v *verifier) signature(cp *checkpointRow) *Problem {
	bad := func(detail string) *Problem {
		return &Problem{cp.Node, cp.Seq, ProblemSignature, cp.Kind + ": " + detail}
	}
	if len(cp.PublicKey) != ed25519.PublicKeySize || len(cp.Hash) != sha256.Size || len(cp.Signature) != ed25519.SignatureSize {
		return bad("malformed key, hash or signature")
	}
	if cp.Kind != kindCheckpoint && cp.Kind != kindAnchor {
		return bad("unknown kind")
	}
	pub := ed25519.PublicKey(cp.PublicKey)
	if len(v.trusted) > 0 && !slices.ContainsFunc(v.trusted, func(k ed25519.PublicKey) bool { return k.Equal(pub) }) {
		return &Problem{cp.Node, cp.Seq, ProblemUntrustedKey, fmt.Sprintf("%s signed by key %x, which is not trusted", cp.Kind, cp.PublicKey)}
	}
	if !ed25519.Verify(pub, checkpointMessage(cp.Kind, cp.Node, cp.Seq, cp.Hash, cp.CreatedAt), cp.Signature) {
		return bad("the signature does not match")
	}
	v.keys[hex.EncodeToString(cp.PublicKey)] = true
	v.rep.Checkpoints++
	return nil
}

// scannedEntry is an entry with the columns Verify checks beyond the hash.
type scannedEntry struct {
	Entry
	requestedUS int64
	malformed   string
}

// entryIter pages through a chain's entries in seq order; each page is read
// completely before the next query, as one connection runs one query at a time.
type entryIter struct {
	ctx  context.Context
	q    platform.Querier
	node string
	buf  []scannedEntry
	i    int
	last int64
	done bool
}

const verifyPage = 2000

func (it *entryIter) peek() (*scannedEntry, error) {
	if it.i < len(it.buf) {
		return &it.buf[it.i], nil
	}
	if it.done {
		return nil, nil
	}
	rows, err := it.q.QueryContext(it.ctx, `SELECT id, `+entryColumns+` FROM sharelog_entries
WHERE node = $1 AND seq > $2 ORDER BY seq LIMIT $3`, it.node, it.last, verifyPage)
	if err != nil {
		return nil, fmt.Errorf("read chain %q: %w", it.node, err)
	}
	defer rows.Close()
	it.buf, it.i = it.buf[:0], 0
	for rows.Next() {
		var s scannedEntry
		if s.requestedUS, s.malformed, err = scanEntry(rows, &s.Entry); err != nil {
			return nil, fmt.Errorf("read chain %q: %w", it.node, err)
		}
		it.buf = append(it.buf, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read chain %q: %w", it.node, err)
	}
	if len(it.buf) < verifyPage {
		it.done = true
	}
	if len(it.buf) == 0 {
		return nil, nil
	}
	it.last = it.buf[len(it.buf)-1].Seq
	return &it.buf[0], nil
}

func (it *entryIter) next() { it.i++ }

// checkpointIter pages through a chain's checkpoints and anchors by seq.
type checkpointIter struct {
	ctx             context.Context
	q               platform.Querier
	node            string
	buf             []checkpointRow
	i               int
	lastSeq, lastID int64
	done            bool
}

func (it *checkpointIter) peek() (*checkpointRow, error) {
	if it.i < len(it.buf) {
		return &it.buf[it.i], nil
	}
	if it.done {
		return nil, nil
	}
	rows, err := it.q.QueryContext(it.ctx, `SELECT id, seq, kind, hash, created_at, public_key, signature
FROM sharelog_checkpoints WHERE node = $1 AND (seq, id) > ($2, $3) ORDER BY seq, id LIMIT $4`,
		it.node, it.lastSeq, it.lastID, verifyPage)
	if err != nil {
		return nil, fmt.Errorf("read checkpoints of chain %q: %w", it.node, err)
	}
	defer rows.Close()
	it.buf, it.i = it.buf[:0], 0
	for rows.Next() {
		cp := checkpointRow{Node: it.node}
		if err := rows.Scan(&it.lastID, &cp.Seq, &cp.Kind, &cp.Hash, &cp.CreatedAt, &cp.PublicKey, &cp.Signature); err != nil {
			return nil, fmt.Errorf("read checkpoints of chain %q: %w", it.node, err)
		}
		cp.CreatedAt = cp.CreatedAt.UTC()
		it.lastSeq = cp.Seq
		it.buf = append(it.buf, cp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read checkpoints of chain %q: %w", it.node, err)
	}
	if len(it.buf) < verifyPage {
		it.done = true
	}
	if len(it.buf) == 0 {
		return nil, nil
	}
	return &it.buf[0], nil
}

func (it *checkpointIter) next() { it.i++ }

// journalChain is what one node's journal holds, read without writing.
type journalChain struct {
	node        string
	first, last int64      // seqs of the records; first 0 when there is none
	hashes      [][32]byte // hash of seq first+i
	head        Entry      // the first record
	problem     *Problem   // damage inside the journal
}

// readJournal reads every node's journal under dir.
func readJournal(dir string) ([]*journalChain, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read sharing-log journal: %w", err)
	}
	var out []*journalChain
	for _, de := range ents {
		if !de.IsDir() {
			continue
		}
		jc, err := readJournalChain(filepath.Join(dir, de.Name()))
		if err != nil {
			return nil, err
		}
		if jc != nil {
			out = append(out, jc)
		}
	}
	return out, nil
}

// readJournalChain reads and checks one node's segments: records must be
// consecutive and each must chain onto the one before; the first record is
// checked against the database later.
func readJournalChain(dir string) (*journalChain, error) {
	firsts, _, err := listSegments(dir)
	if err != nil || len(firsts) == 0 {
		return nil, err
	}
	var jc *journalChain
	var buf, scratch []byte
	for _, first := range firsts {
		path := filepath.Join(dir, segmentFile(first))
		buf, err = readFileInto(path, buf[:0])
		if errors.Is(err, fs.ErrNotExist) {
			// Retired by the indexer meanwhile, so its entries are in the
			// database: start over from the next segment.
			jc = nil
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read sharing-log journal: %w", err)
		}
		node, _, _, err := parseSegmentHeader(buf)
		if err != nil {
			return nil, fmt.Errorf("sharing-log journal segment %s: %w", path, err)
		}
		if jc == nil {
			jc = &journalChain{node: node}
		}
		damaged := func(seq int64, detail string) *journalChain {
			jc.problem = &Problem{node, seq, ProblemJournal, fmt.Sprintf("segment %s: %s", path, detail)}
			return jc
		}
		sc, err := scanSegment(buf, node)
		if err != nil {
			return damaged(jc.last+1, err.Error()), nil
		}
		if jc.first > 0 && sc.first != jc.last+1 {
			return damaged(jc.last+1, fmt.Sprintf("the segment starts at seq %d", sc.first)), nil
		}
		dec := recordDecoder{s: string(buf[sc.data:sc.end]), base: sc.data}
		for i := range sc.records {
			r := &sc.records[i]
			var e Entry
			if err := dec.decode(r, node, &e); err != nil {
				return damaged(r.seq, err.Error()), nil
			}
			if jc.first == 0 {
				jc.first, jc.head = r.seq, e
			} else {
				var h [32]byte
				h, scratch = chainHash(scratch, &jc.hashes[len(jc.hashes)-1], &e)
				if h != e.Hash {
					return damaged(r.seq, "the record's hash does not match its content and the previous record"), nil
				}
			}
			jc.hashes = append(jc.hashes, e.Hash)
			jc.last = r.seq
		}
		if jc.first == 0 {
			jc.last = sc.last
		}
	}
	return jc, nil
}

// journalChain checks that a node's journaled records continue its chain
// in the database (seq and hash of its last entry or anchor).
func (v *verifier) journalChain(jc *journalChain) (*Problem, error) {
	if jc.problem != nil {
		return jc.problem, nil
	}
	if jc.first == 0 {
		return nil, nil
	}
	db := v.heads[jc.node] // zero: the chain is not in the database yet
	node, f, l := jc.node, jc.first, jc.last
	switch {
	case f > db.seq+1:
		return &Problem{node, db.seq + 1, ProblemMissing, fmt.Sprintf(
			"the database's chain ends at seq %d and the journal starts at seq %d", db.seq, f)}, nil
	case f == db.seq+1:
		var h [32]byte
		h, v.buf = chainHash(v.buf, &db.hash, &jc.head)
		if h != jc.head.Hash {
			return &Problem{node, f, ProblemAltered, "the journal's first record does not continue the database's chain"}, nil
		}
	case db.seq <= l:
		if jc.hashes[db.seq-f] != db.hash {
			return &Problem{node, db.seq, ProblemAltered, "the journal and the database hold different entries: the chain forked"}, nil
		}
	default: // the journal is behind: only its last record can be compared
		var b []byte
		err := v.q.QueryRowContext(v.ctx, `SELECT hash FROM sharelog_entries WHERE node = $1 AND seq = $2`, node, l).Scan(&b)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("read chain %q: %w", node, err)
		}
		if err == nil && !bytes.Equal(b, jc.hashes[l-f][:]) {
			return &Problem{node, l, ProblemAltered, "the journal and the database hold different entries: the chain forked"}, nil
		}
	}
	if l > db.seq {
		v.rep.Journaled += l - db.seq
	}
	return nil, nil
}
