package sharelog

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
)

// journal is one node's append-only journal: segment files named by their
// first seq, in <JournalDir>/<node>/. The Writer's goroutine appends whole
// groups of records with one write and one fdatasync; the indexer reads the
// durable records back and retires segments once the database holds them.
//
// A retired segment is kept as the spare and becomes the next segment:
// overwriting blocks a file already has needs no metadata update, so each
// fdatasync is a single device flush (measured about 0.2 ms instead of 0.35
// ms for appending to a growing file on the development VM). Writing zeros
// ahead instead doubled the disk traffic and made the flushes of the log
// itself slower, and fallocate(2) did not measurably help, since ext4 still
// converts the unwritten extents at each flush.
//
// A node's first segment has no retired file to reuse, and appending to a
// growing file costs a second device flush per fdatasync (the new size):
// measured p50 0.56 ms against 0.31 ms for overwriting, p99 2.6-4.2 ms
// against 1-2 ms. With Options.JournalPrefill a spare of zeros is written
// once in the background and the writer moves onto it as soon as it is
// ready (see prefill).
type journal struct {
	dir     string
	node    string
	segSize int64
	log     *slog.Logger
	lock    *os.File

	// The background zero-fill of a spare, if one runs: stop is closed to
	// end it early, done when it has ended.
	prefillStop, prefillDone chan struct{}

	mu      sync.Mutex
	segs    []*segment // ordered by first seq; the last one is written to
	spare   string     // a retired segment file kept for reuse, "" if none
	durable int64      // seq of the last durable record

	// Owned by the writer goroutine.
	out    *os.File // the newest segment, open for writing; nil until needed
	outSeg *segment
	broken error // a failed write could not be undone: refuse further writes
}

type segment struct {
	first int64
	path  string
	data  int64 // offset of the first record
	// Guarded by journal.mu; written by the writer goroutine only.
	end  int64 // offset after the last durable record
	last int64 // seq of the last durable record; first-1 when empty
	// fresh: created empty rather than recycled, so every write grows it.
	// The writer leaves it for a spare as soon as there is one.
	fresh bool
}

const (
	// DefaultJournalSegmentSize is the size at which a segment is rotated.
	DefaultJournalSegmentSize = 64 << 20
	spareName                 = "spare.segment"
	prefillName               = "spare.segment.zero" // a spare being zero-filled
	lockName                  = "LOCK"
	// readChunk bounds one read of the indexer; a larger record is read whole.
	readChunk = 4 << 20
)

var segmentName = regexp.MustCompile(`^([0-9]{20})\.journal$`)

func segmentFile(first int64) string { return fmt.Sprintf("%020d.journal", first) }

var plainNode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// nodeDir is the directory name of a node's journal. Node names are free
// text; names that are not plain file names are hashed.
func nodeDir(node string) string {
	if plainNode.MatchString(node) && len(node) <= 100 {
		return node
	}
	h := sha256.Sum256([]byte(node))
	return "node-" + hex.EncodeToString(h[:16])
}

// openJournal creates or opens node's journal directory and locks it, so a
// second process with the same node name and data directory fails at once.
func openJournal(root, node string, segSize int64, logger *slog.Logger) (*journal, error) {
	dir := filepath.Join(root, nodeDir(node))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("sharelog: create journal directory: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sharelog: open journal lock: %w", err)
	}
	if err := lockFile(lock); err != nil {
		lock.Close()
		return nil, fmt.Errorf("sharelog: journal of node %q: %w; node names must be unique", node, err)
	}
	j := &journal{dir: dir, node: node, segSize: segSize, log: logger, lock: lock}
	firsts, spare, err := listSegments(dir)
	if err != nil {
		j.close()
		return nil, err
	}
	for _, f := range firsts {
		j.segs = append(j.segs, &segment{first: f, path: filepath.Join(dir, segmentFile(f)), last: f - 1})
	}
	j.spare = spare
	// A zero-fill cut short by a crash.
	if err := os.Remove(filepath.Join(dir, prefillName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		j.log.Warn("sharing-log journal: cannot remove an unfinished spare", "err", err)
	}
	return j, nil
}

// listSegments returns the first seqs of the segments in dir, in order,
// and the spare file if there is one.
func listSegments(dir string) (firsts []int64, spare string, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, "", fmt.Errorf("sharelog: read journal directory: %w", err)
	}
	for _, de := range ents {
		if de.Name() == spareName {
			spare = filepath.Join(dir, spareName)
			continue
		}
		m := segmentName.FindStringSubmatch(de.Name())
		if m == nil {
			continue
		}
		f, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return nil, "", fmt.Errorf("sharelog: journal segment %s: %w", de.Name(), err)
		}
		firsts = append(firsts, f)
	}
	slices.Sort(firsts)
	return firsts, spare, nil
}

// hashAt returns the database's hash of an entry of the chain, found false
// when the entry is not (or no longer) in the database.
type hashAt func(seq int64) (hash [32]byte, found bool, err error)

// recover scans the journal against the database's chain head (dbSeq,
// dbHash) and returns the chain head to continue from: the journal's last
// record when it is ahead of the database, else the database's head.
//
// Every record after dbSeq must continue the chain (its hash is recomputed)
// and the record at dbSeq, if the journal still has it, must be the
// database's entry: otherwise the chain forked, for instance because the
// node ran without its journal after a crash. A torn last write is cut off
// with a warning; damage to earlier, acknowledged records is an error.
func (j *journal) recover(dbSeq int64, dbHash [32]byte, dbHashAt hashAt) (seq int64, head [32]byte, err error) {
	seq, head = dbSeq, dbHash
	// Segments whose records are all below dbSeq are not read.
	start := 0
	for start+1 < len(j.segs) && j.segs[start+1].first <= dbSeq {
		start++
	}
	var (
		expected   int64 = -1
		journalEnd int64 = -1 // seq of the journal's last record
		lastHash   [32]byte
		firstSeen  int64 = -1
		buf        []byte
		scratch    []byte
	)
	for i := start; i < len(j.segs); i++ {
		sg := j.segs[i]
		newest := i == len(j.segs)-1
		sc, err := j.scanFile(sg, &buf)
		if err != nil {
			return 0, head, err
		}
		if expected >= 0 && sc.first != expected {
			return 0, head, fmt.Errorf("%w: segment %s starts at seq %d, but the previous one ends at seq %d; refusing to start",
				errJournalDamaged, sg.path, sc.first, expected-1)
		}
		if sc.torn && newest {
			j.log.Warn("sharing-log journal: cutting off a torn last write (it was never acknowledged)",
				"segment", sg.path, "offset", sc.end, "bytes", len(buf)-sc.end)
			if err := truncateFile(sg.path, int64(sc.end)); err != nil {
				return 0, head, err
			}
		}
		// Only the records after the database's head are decoded; their
		// text fields share one string of just those bytes.
		var dec recordDecoder
		if k := slices.IndexFunc(sc.records, func(r rawRecord) bool { return r.seq > dbSeq }); k >= 0 {
			dec = recordDecoder{s: string(buf[sc.records[k].off:sc.end]), base: sc.records[k].off}
		}
		for k := range sc.records {
			r := &sc.records[k]
			if firstSeen < 0 {
				firstSeen = r.seq
				if r.seq > dbSeq+1 {
					return 0, head, fmt.Errorf("sharelog: chain %q: the database ends at seq %d but the journal %s starts at seq %d: entries %d to %d are in neither",
						j.node, dbSeq, j.dir, r.seq, dbSeq+1, r.seq-1)
				}
			}
			h, _ := recordHash(r.payload)
			switch {
			case r.seq < dbSeq:
			case r.seq == dbSeq:
				if h != dbHash {
					return 0, head, forkError(j, dbSeq)
				}
			default:
				var e Entry
				if err := dec.decode(r, j.node, &e); err != nil {
					return 0, head, fmt.Errorf("%w: %s: %v", errJournalDamaged, sg.path, err)
				}
				var got [32]byte
				got, scratch = chainHash(scratch, &head, &e)
				if got != e.Hash {
					return 0, head, fmt.Errorf("%w: %s: the record of seq %d does not continue the chain", errJournalDamaged, sg.path, r.seq)
				}
				seq, head = r.seq, e.Hash
			}
			journalEnd, lastHash = r.seq, h
		}
		if len(sc.records) == 0 {
			journalEnd = sc.last
		}
		expected = sc.last + 1
		sg.data, sg.end, sg.last = int64(sc.data), int64(sc.end), sc.last
	}
	if journalEnd >= 0 && journalEnd < dbSeq && len(j.segs) > 0 && journalEnd >= j.segs[0].first {
		// The journal is behind the database: it may only be an older copy
		// of the same chain.
		dh, found, err := dbHashAt(journalEnd)
		if err != nil {
			return 0, head, err
		}
		if found && dh != lastHash {
			return 0, head, forkError(j, journalEnd)
		}
	}
	j.durable = seq
	if len(j.segs) > 0 && j.segs[len(j.segs)-1].last == seq {
		// Continue the newest segment.
		sg := j.segs[len(j.segs)-1]
		f, err := os.OpenFile(sg.path, os.O_RDWR, 0)
		if err != nil {
			return 0, head, fmt.Errorf("sharelog: open journal segment: %w", err)
		}
		j.out, j.outSeg = f, sg
	}
	if j.spare != "" && !j.spareUsable(seq, &buf) {
		if err := os.Remove(j.spare); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return 0, head, fmt.Errorf("sharelog: remove journal spare: %w", err)
		}
		j.spare = ""
	}
	return seq, head, nil
}

// spareUsable reports whether the spare left by an earlier run may become
// a segment: every record in it must precede the chain head, so that none
// can be taken for a live record. Its latest life's records are the newest
// it holds; a spare whose chain went backwards (a restored database) or
// that is too small to be worth it is not reused.
func (j *journal) spareUsable(head int64, buf *[]byte) bool {
	b, err := readFileInto(j.spare, (*buf)[:0])
	*buf = b
	if err != nil || !recyclable(int64(len(b)), j.segSize) {
		return false
	}
	sc, err := scanSegment(b, j.node)
	return err == nil && sc.last <= head
}

func forkError(j *journal, seq int64) error {
	return fmt.Errorf("sharelog: chain %q: the journal %s and the database hold different entries at seq %d; "+
		"the chain forked (was the node run without its journal, or the database restored from a backup?)", j.node, j.dir, seq)
}

// scanFile reads and scans one segment file into *buf.
func (j *journal) scanFile(sg *segment, buf *[]byte) (segmentScan, error) {
	b, err := readFileInto(sg.path, (*buf)[:0])
	*buf = b
	if err != nil {
		return segmentScan{}, fmt.Errorf("sharelog: read journal segment: %w", err)
	}
	sc, err := scanSegment(b, j.node)
	if err != nil {
		if errors.Is(err, errJournalDamaged) {
			return sc, fmt.Errorf("%w (segment %s); refusing to start: restore the file, or move it away to accept the loss", err, sg.path)
		}
		return sc, fmt.Errorf("sharelog: journal segment %s: %w", sg.path, err)
	}
	if sc.first != sg.first {
		return sc, fmt.Errorf("sharelog: journal segment %s says it starts at seq %d", sg.path, sc.first)
	}
	return sc, nil
}

func readFileInto(path string, b []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return b, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && int64(cap(b)) < st.Size() {
		b = make([]byte, 0, st.Size()+512)
	}
	for {
		if len(b) == cap(b) {
			b = slices.Grow(b, 1<<20)
		}
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func truncateFile(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("sharelog: truncate journal segment: %w", err)
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sharelog: truncate journal segment: %w", err)
	}
	return nil
}

// fsyncDir makes directory entries (new, renamed files) durable.
func fsyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// write appends one group's records (seqs first..last) with one write and
// makes them durable. On failure the write is cut off again, so the same
// seqs can be written by the next group.
func (j *journal) write(b []byte, first, last int64) error {
	if j.broken != nil {
		return j.broken
	}
	if j.outSeg == nil || j.outSeg.last >= j.outSeg.first && (j.outSeg.end+int64(len(b)) > j.segSize || j.outSeg.fresh && j.hasSpare()) {
		if err := j.rotate(first); err != nil {
			return fmt.Errorf("sharelog: start journal segment: %w", err)
		}
	}
	sg := j.outSeg
	_, err := j.out.WriteAt(b, sg.end)
	if err == nil {
		err = fdatasync(j.out)
	}
	if err != nil {
		if terr := j.out.Truncate(sg.end); terr != nil {
			j.broken = fmt.Errorf("sharelog: journal unusable until restart: write failed (%v) and could not be undone: %w", err, terr)
		} else if serr := fdatasync(j.out); serr != nil {
			j.broken = fmt.Errorf("sharelog: journal unusable until restart: write failed (%v) and could not be undone: %w", err, serr)
		}
		return fmt.Errorf("sharelog: write journal: %w", err)
	}
	j.mu.Lock()
	sg.end += int64(len(b))
	sg.last = last
	j.durable = last
	j.mu.Unlock()
	return nil
}

// rotate starts the segment whose first record will be seq first, reusing
// the spare if there is one. The new segment is durable, name included,
// before any record is written to it.
func (j *journal) rotate(first int64) error {
	hdr := segmentHeader(j.node, first)
	path := filepath.Join(j.dir, segmentFile(first))
	j.mu.Lock()
	spare := j.spare
	j.spare = ""
	j.mu.Unlock()
	var f *os.File
	fresh := false
	if spare != "" {
		var err error
		if f, err = recycle(spare, path, hdr); err != nil {
			j.log.Warn("sharing-log journal: cannot reuse the spare segment", "err", err)
			_ = os.Remove(spare)
			f = nil
		}
	}
	if f == nil {
		var err error
		fresh = true
		if f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			return err
		}
		if _, err = f.WriteAt(hdr, 0); err == nil {
			err = fdatasync(f)
		}
		if err != nil {
			f.Close()
			_ = os.Remove(path)
			return err
		}
	}
	if err := fsyncDir(j.dir); err != nil {
		f.Close()
		_ = os.Remove(path)
		return err
	}
	if j.out != nil {
		_ = j.out.Close()
	}
	sg := &segment{first: first, path: path, data: int64(len(hdr)), end: int64(len(hdr)), last: first - 1, fresh: fresh}
	j.out, j.outSeg = f, sg
	j.mu.Lock()
	j.segs = append(j.segs, sg)
	j.mu.Unlock()
	return nil
}

// recycle turns the spare into the segment at path: the header is written
// and flushed while it is still the spare, so a segment's name and header
// always agree.
func recycle(spare, path string, hdr []byte) (*os.File, error) {
	f, err := os.OpenFile(spare, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	if _, err = f.WriteAt(hdr, 0); err == nil {
		if err = fdatasync(f); err == nil {
			err = os.Rename(spare, path)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// durableSeq is the seq of the last durable record.
func (j *journal) durableSeq() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.durable
}

// retire removes the segments whose records are all at or below indexed,
// except the newest, keeping one as the spare. The caller has committed
// them to the database durably.
func (j *journal) retire(indexed int64) error {
	var old []*segment
	j.mu.Lock()
	for len(j.segs) > 1 && j.segs[1].first-1 <= indexed {
		old = append(old, j.segs[0])
		j.segs = j.segs[1:]
	}
	haveSpare := j.spare != ""
	j.mu.Unlock()
	var errs []error
	for _, sg := range old {
		if !haveSpare {
			if st, err := os.Stat(sg.path); err == nil && recyclable(st.Size(), j.segSize) {
				if err := os.Rename(sg.path, filepath.Join(j.dir, spareName)); err == nil {
					haveSpare = true
					j.mu.Lock()
					j.spare = filepath.Join(j.dir, spareName)
					j.mu.Unlock()
					continue
				}
			}
		}
		if err := os.Remove(sg.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("sharelog: retire journal segments: %w", errors.Join(errs...))
	}
	return nil
}

// hasSpare reports whether a spare segment is ready.
func (j *journal) hasSpare() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.spare != ""
}

// errPrefillStopped ends a zero-fill that close interrupted.
var errPrefillStopped = errors.New("sharelog: journal zero-fill stopped")

// startPrefill zero-fills a spare segment in the background when the
// journal has none. It runs once, at start: later spares are retired
// segments.
func (j *journal) startPrefill() {
	if j.hasSpare() {
		return
	}
	j.prefillStop, j.prefillDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(j.prefillDone)
		if err := j.prefill(j.prefillStop); err != nil && !errors.Is(err, errPrefillStopped) {
			j.log.Warn("sharing-log journal: cannot prepare a spare segment; the first segment grows with each write", "err", err)
		}
	}()
}

// prefill writes a segment-sized file of zeros, makes it durable and turns
// it into the spare, unless a retired segment became the spare meanwhile.
// Zeros end a segment scan like the stale records of a recycled file do.
func (j *journal) prefill(stop <-chan struct{}) (err error) {
	tmp := filepath.Join(j.dir, prefillName)
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	zeros := make([]byte, 1<<20)
	for off := int64(0); off < j.segSize; off += int64(len(zeros)) {
		select {
		case <-stop:
			return errPrefillStopped
		default:
		}
		if _, err := f.WriteAt(zeros[:min(int64(len(zeros)), j.segSize-off)], off); err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	// Under the lock, so the spare cannot change hands while it is named.
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.spare != "" {
		return errPrefillStopped
	}
	spare := filepath.Join(j.dir, spareName)
	if err := os.Rename(tmp, spare); err != nil {
		return err
	}
	if err := fsyncDir(j.dir); err != nil {
		return err
	}
	j.spare = spare
	return nil
}

// close releases the files and the lock.
func (j *journal) close() error {
	if j.prefillStop != nil {
		close(j.prefillStop)
		<-j.prefillDone
		j.prefillStop = nil
	}
	var err error
	if j.out != nil {
		err = j.out.Close()
		j.out, j.outSeg = nil, nil
	}
	if j.lock != nil {
		err = errors.Join(err, j.lock.Close())
		j.lock = nil
	}
	return err
}

// journalPos is a reading position: the next record to read is seq next,
// at offset off of segment seg (nil: not located yet).
type journalPos struct {
	seg  *segment
	off  int64
	next int64
}

// journalReader reads durable records back for the indexer.
type journalReader struct {
	j    *journal
	pos  journalPos
	f    *os.File // open file of fseg
	fseg *segment
	buf  []byte
	recs []rawRecord
	avg  int64 // bytes per record seen last
}

// seek makes seq the next record to read.
func (r *journalReader) seek(seq int64) { r.pos = journalPos{next: seq} }

// read decodes up to max records from the position on, none after upTo,
// into dst; it returns them and the position after them, which the caller
// adopts with r.pos once it has stored them.
func (r *journalReader) read(upTo int64, max int, dst []Entry) ([]Entry, journalPos, error) {
	pos := r.pos
	for len(dst) < max && pos.next <= upTo {
		r.j.mu.Lock()
		if pos.seg == nil || pos.next > pos.seg.last {
			seg := r.j.segmentOf(pos.next)
			if seg == nil {
				r.j.mu.Unlock()
				return dst, pos, fmt.Errorf("sharelog: seq %d of chain %q is not in the journal", pos.next, r.j.node)
			}
			if seg != pos.seg {
				pos = journalPos{seg: seg, off: seg.data, next: pos.next}
			}
		}
		end, last := pos.seg.end, pos.seg.last
		r.j.mu.Unlock()
		if pos.next > last {
			break // not durable yet
		}
		want := min(int64(max-len(dst)), upTo-pos.next+1)
		n, err := r.readAt(pos.seg, pos.off, end, want*r.recordSize()*5/4)
		if err != nil {
			return dst, pos, err
		}
		data := r.buf[:n]
		// Locate the records first, so that only the bytes used are copied
		// into the one string their text fields share.
		recs := r.recs[:0]
		i := 0
		for i < n && int64(len(recs)) < want {
			rec, st := parseRecord(data, i)
			if st == recShort && i > 0 {
				break // read the rest with the next chunk
			}
			exp := pos.next + int64(len(recs))
			if st != recOK || rec.seq > exp {
				return dst, pos, fmt.Errorf("%w: segment %s offset %d", errJournalDamaged, pos.seg.path, pos.off+int64(i))
			}
			i += rec.size
			if rec.seq < exp {
				continue // seeking
			}
			recs = append(recs, rec)
		}
		r.recs = recs
		if len(recs) > 0 {
			base := recs[0].off
			dec := recordDecoder{s: string(data[base:i]), base: base}
			for k := range recs {
				dst = append(dst, Entry{})
				if err := dec.decode(&recs[k], r.j.node, &dst[len(dst)-1]); err != nil {
					return dst[:len(dst)-1], pos, fmt.Errorf("%w: segment %s: %v", errJournalDamaged, pos.seg.path, err)
				}
			}
			r.avg = int64(i-base) / int64(len(recs))
		}
		pos.next += int64(len(recs))
		pos.off += int64(i)
	}
	return dst, pos, nil
}

// segmentOf returns the segment that holds or will hold seq; j.mu is held.
func (j *journal) segmentOf(seq int64) *segment {
	for i := len(j.segs) - 1; i >= 0; i-- {
		if j.segs[i].first <= seq {
			return j.segs[i]
		}
	}
	return nil
}

// recordSize is the typical size of a record, to size reads.
func (r *journalReader) recordSize() int64 {
	if r.avg <= 0 {
		return 512
	}
	return r.avg
}

// readAt reads sg from off into r.buf: about want bytes (at least 64 KiB,
// at most readChunk), never beyond end, but at least one whole record.
func (r *journalReader) readAt(sg *segment, off, end, want int64) (int, error) {
	if r.fseg != sg {
		if r.f != nil {
			r.f.Close()
			r.f, r.fseg = nil, nil
		}
		f, err := os.Open(sg.path)
		if err != nil {
			return 0, fmt.Errorf("sharelog: read journal: %w", err)
		}
		r.f, r.fseg = f, sg
	}
	n := min(end-off, readChunk, max(want, 64<<10))
	for {
		if int64(cap(r.buf)) < n {
			r.buf = make([]byte, n)
		}
		if _, err := r.f.ReadAt(r.buf[:n], off); err != nil {
			return 0, fmt.Errorf("sharelog: read journal %s: %w", sg.path, err)
		}
		if _, st := parseRecord(r.buf[:n], 0); st != recShort || n == end-off {
			return int(n), nil
		}
		if n < recordHeader {
			n = min(end-off, recordHeader)
			continue
		}
		n = min(end-off, recordHeader+int64(binary.LittleEndian.Uint32(r.buf[4:])))
	}
}

func (r *journalReader) close() {
	if r.f != nil {
		r.f.Close()
		r.f, r.fseg = nil, nil
	}
}

// recyclable: a file that was rotated when full is worth reusing; a small
// one (cut short by a crash or a restart) is not. Segments end somewhat
// below the rotation size, by up to one group's records.
func recyclable(size, segSize int64) bool { return size >= segSize/2 }
