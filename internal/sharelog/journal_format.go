package sharelog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"time"
)

// Journal file format. A segment holds one node's records in seq order:
//
//	segment header:
//	  "GOVDXSLJ" | u16 version | u16 len(node) | u64 first seq | node | u32 CRC-32C of the preceding bytes
//	records, one after another:
//	  u32 magic | u32 payload length | u64 seq | u32 index in its write | u32 CRC-32C | payload
//
// Integers are little-endian; the record CRC covers the header bytes after
// the magic (length, seq, index) and the payload. The index is the record's
// position in the write (group commit) it belongs to, so seq - index is the
// first seq of that write: recovery uses it to tell a torn last write, whose
// later records may have reached the disk out of order, from damage to an
// earlier, acknowledged write.
//
// A recycled segment keeps an older life's bytes after its live records;
// those records have seqs below the segment's first seq and end the scan
// like zeros do.

var crcTable = crc32.MakeTable(crc32.Castagnoli)

const (
	segmentMagic   = "GOVDXSLJ"
	segmentVersion = 1
	recordMagic    = 0x4a4c5347 // "GSLJ" in little-endian byte order
	recordHeader   = 24
	// maxRecord bounds a payload: kept bodies are limited by the gateway
	// (request and response limits), far below this.
	maxRecord = 1 << 30
)

var recordMagicBytes = binary.LittleEndian.AppendUint32(nil, recordMagic)

// segmentHeader encodes the header of node's segment starting at first.
func segmentHeader(node string, first int64) []byte {
	b := make([]byte, 0, 24+len(node))
	b = append(b, segmentMagic...)
	b = binary.LittleEndian.AppendUint16(b, segmentVersion)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(node)))
	b = binary.LittleEndian.AppendUint64(b, uint64(first))
	b = append(b, node...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// parseSegmentHeader returns the node, the first seq and the header's length.
func parseSegmentHeader(b []byte) (node string, first int64, size int, err error) {
	if len(b) < 24 || string(b[:8]) != segmentMagic {
		return "", 0, 0, errors.New("not a sharing-log journal segment")
	}
	if v := binary.LittleEndian.Uint16(b[8:]); v != segmentVersion {
		return "", 0, 0, fmt.Errorf("unsupported journal version %d", v)
	}
	n := int(binary.LittleEndian.Uint16(b[10:]))
	size = 24 + n
	if len(b) < size {
		return "", 0, 0, errors.New("truncated segment header")
	}
	if crc32.Checksum(b[:20+n], crcTable) != binary.LittleEndian.Uint32(b[20+n:]) {
		return "", 0, 0, errors.New("segment header checksum mismatch")
	}
	return string(b[20 : 20+n]), int64(binary.LittleEndian.Uint64(b[12:])), size, nil
}

// appendRecord appends e (already hashed onto the chain) as a record.
func appendRecord(b []byte, e *Entry, index uint32) []byte {
	start := len(b)
	b = append(b, make([]byte, recordHeader)...)
	b = append(b, e.Hash[:]...)
	b = binary.AppendVarint(b, e.RequestedAt.UnixMicro())
	b = binary.AppendVarint(b, e.RespondedAt.UnixMicro())
	b = appendString(b, string(e.Form))
	b = binary.AppendVarint(b, e.RequesterOrgID)
	b = binary.AppendVarint(b, e.RequesterAppID)
	b = appendString(b, e.RequesterApp)
	b = binary.AppendVarint(b, e.AccountID)
	b = binary.AppendVarint(b, e.ProviderOrgID)
	b = binary.AppendVarint(b, e.ServiceID)
	b = appendString(b, e.ServiceCode)
	b = appendString(b, e.Method)
	b = appendString(b, e.Path)
	b = appendString(b, e.Query)
	b = append(b, e.RequestDigest[:]...)
	b = binary.AppendVarint(b, e.RequestBytes)
	b = binary.AppendVarint(b, int64(e.Status))
	b = appendString(b, e.RefusalCode)
	b = append(b, e.ResponseDigest[:]...)
	b = binary.AppendVarint(b, e.ResponseBytes)
	b = binary.AppendVarint(b, e.LatencyMicros)
	if e.KeepContent {
		b = append(b, 1)
		b = binary.AppendUvarint(b, uint64(len(e.RequestBody)))
		b = append(b, e.RequestBody...)
		b = binary.AppendUvarint(b, uint64(len(e.ResponseBody)))
		b = append(b, e.ResponseBody...)
	} else {
		b = append(b, 0)
	}
	b = appendString(b, e.CorrelationID)
	b = appendString(b, e.ForwardedFrom)
	b = appendString(b, e.ForwardedTo)
	h := b[start : start+recordHeader]
	binary.LittleEndian.PutUint32(h[0:], recordMagic)
	binary.LittleEndian.PutUint32(h[4:], uint32(len(b)-start-recordHeader))
	binary.LittleEndian.PutUint64(h[8:], uint64(e.Seq))
	binary.LittleEndian.PutUint32(h[16:], index)
	crc := crc32.Update(crc32.Checksum(h[4:20], crcTable), crcTable, b[start+recordHeader:])
	binary.LittleEndian.PutUint32(h[20:], crc)
	return b
}

// rawRecord is a record located in a buffer, its checksum verified.
type rawRecord struct {
	seq     int64
	index   uint32
	off     int // of the record header in the buffer
	size    int // header and payload
	payload []byte
}

// batchFirst is the first seq of the write the record was part of.
func (r *rawRecord) batchFirst() int64 { return r.seq - int64(r.index) }

// Outcomes of parseRecord besides a valid record.
const (
	recOK    = iota
	recShort // the buffer ends inside the record (or its header)
	recEnd   // no record here: zeros or other bytes without the magic
	recBad   // the magic is there but the length or checksum is wrong
)

// parseRecord reads the record at b[off:].
func parseRecord(b []byte, off int) (rawRecord, int) {
	rest := b[off:]
	if len(rest) < recordHeader {
		if len(rest) >= 4 && binary.LittleEndian.Uint32(rest) != recordMagic {
			return rawRecord{}, recEnd
		}
		return rawRecord{}, recShort
	}
	if binary.LittleEndian.Uint32(rest) != recordMagic {
		return rawRecord{}, recEnd
	}
	n := binary.LittleEndian.Uint32(rest[4:])
	if n > maxRecord {
		return rawRecord{}, recBad
	}
	if uint64(len(rest)) < recordHeader+uint64(n) {
		return rawRecord{}, recShort
	}
	payload := rest[recordHeader : recordHeader+int(n)]
	crc := crc32.Update(crc32.Checksum(rest[4:20], crcTable), crcTable, payload)
	if crc != binary.LittleEndian.Uint32(rest[20:]) {
		return rawRecord{}, recBad
	}
	return rawRecord{
		seq:     int64(binary.LittleEndian.Uint64(rest[8:])),
		index:   binary.LittleEndian.Uint32(rest[16:]),
		off:     off,
		size:    recordHeader + int(n),
		payload: payload,
	}, recOK
}

// recordHash is the chain hash stored in a record's payload.
func recordHash(payload []byte) (h [32]byte, ok bool) {
	if len(payload) < 32 {
		return h, false
	}
	copy(h[:], payload)
	return h, true
}

// recordDecoder decodes payloads. s holds the same bytes as the buffer the
// payloads are in, starting at base, so strings are substrings of one
// allocation instead of one allocation each.
type recordDecoder struct {
	s    string
	base int
}

// decode fills e from r, whose payload lies in the decoder's buffer.
func (d *recordDecoder) decode(r *rawRecord, node string, e *Entry) error {
	p := payloadReader{b: r.payload, s: d.s, off: r.off + recordHeader - d.base}
	*e = Entry{Node: node, Seq: r.seq}
	p.digest(&e.Hash)
	e.RequestedAt = time.UnixMicro(p.varint()).UTC()
	e.RespondedAt = time.UnixMicro(p.varint()).UTC()
	e.Form = Form(p.str())
	e.RequesterOrgID = p.varint()
	e.RequesterAppID = p.varint()
	e.RequesterApp = p.str()
	e.AccountID = p.varint()
	e.ProviderOrgID = p.varint()
	e.ServiceID = p.varint()
	e.ServiceCode = p.str()
	e.Method = p.str()
	e.Path = p.str()
	e.Query = p.str()
	p.digest(&e.RequestDigest)
	e.RequestBytes = p.varint()
	e.Status = int(p.varint())
	e.RefusalCode = p.str()
	p.digest(&e.ResponseDigest)
	e.ResponseBytes = p.varint()
	e.LatencyMicros = p.varint()
	switch p.byte() {
	case 0:
	case 1:
		e.KeepContent = true
		e.RequestBody = p.bytes()
		e.ResponseBody = p.bytes()
	default:
		p.fail()
	}
	e.CorrelationID = p.str()
	e.ForwardedFrom = p.str()
	e.ForwardedTo = p.str()
	if p.err || p.i != len(p.b) {
		return fmt.Errorf("journal record of seq %d is malformed", r.seq)
	}
	return nil
}

// payloadReader walks one payload; b[i] is s[off+i].
type payloadReader struct {
	b   []byte
	s   string
	off int
	i   int
	err bool
}

func (p *payloadReader) fail() { p.err, p.i = true, len(p.b) }

func (p *payloadReader) varint() int64 {
	v, n := binary.Varint(p.b[p.i:])
	if n <= 0 {
		p.fail()
		return 0
	}
	p.i += n
	return v
}

func (p *payloadReader) length() int {
	v, n := binary.Uvarint(p.b[p.i:])
	if n <= 0 || v > uint64(len(p.b)-p.i-n) {
		p.fail()
		return 0
	}
	p.i += n
	return int(v)
}

func (p *payloadReader) str() string {
	n := p.length()
	if p.err {
		return ""
	}
	s := p.s[p.off+p.i : p.off+p.i+n]
	p.i += n
	return s
}

// bytes returns a copy of a body: read buffers are reused.
func (p *payloadReader) bytes() []byte {
	n := p.length()
	if p.err {
		return nil
	}
	b := bytes.Clone(p.b[p.i : p.i+n])
	p.i += n
	return b
}

func (p *payloadReader) byte() byte {
	if p.i >= len(p.b) {
		p.fail()
		return 0
	}
	p.i++
	return p.b[p.i-1]
}

func (p *payloadReader) digest(d *[32]byte) {
	if len(p.b)-p.i < len(d) {
		p.fail()
		return
	}
	copy(d[:], p.b[p.i:])
	p.i += len(d)
}

// segmentScan is what scanSegment found in one segment file.
type segmentScan struct {
	first   int64 // from the header
	data    int   // offset of the first record
	end     int   // offset after the last live record
	last    int64 // seq of the last live record; first-1 when there is none
	records []rawRecord
	// torn: the bytes at end are a record of the next seq that did not
	// fully reach the disk, or records of that last write lie beyond it.
	// Such a tail was never acknowledged; recovery cuts it off.
	torn bool
}

// errJournalDamaged marks damage to acknowledged journal data.
var errJournalDamaged = errors.New("sharing-log journal is damaged")

// scanSegment finds the live records of a segment: consecutive seqs from
// the header's first seq, each with a valid checksum. The scan stops at the
// first byte that is not such a record; everything after it must be either
// leftovers of the same, last write (a torn write, see segmentScan.torn) or
// an older life of a recycled file. A valid record from a later write after
// that point means an acknowledged record in the middle was damaged, which
// is reported as errJournalDamaged rather than silently cut off.
func scanSegment(b []byte, node string) (segmentScan, error) {
	var s segmentScan
	got, first, size, err := parseSegmentHeader(b)
	if err != nil {
		return s, err
	}
	if got != node {
		return s, fmt.Errorf("the segment belongs to node %q", got)
	}
	s.first, s.data, s.end, s.last = first, size, size, first-1
	off := size
	for {
		r, st := parseRecord(b, off)
		if st != recOK || r.seq != s.last+1 {
			// A record header that did not fully reach the disk, or one
			// whose payload did not: the head of a torn write.
			s.torn = st == recBad || st == recShort && !allZero(b[off:])
			break
		}
		s.records = append(s.records, r)
		s.last = r.seq
		off += r.size
		s.end = off
	}
	// Look beyond the end for records of this chain's later writes.
	next := s.last + 1
	for i := s.end; i < len(b); {
		k := bytes.Index(b[i:], recordMagicBytes)
		if k < 0 {
			break
		}
		i += k
		r, st := parseRecord(b, i)
		if st == recOK && r.seq >= next {
			if r.batchFirst() > next {
				return s, fmt.Errorf("%w: the record of seq %d at offset %d is missing or damaged, but seq %d follows at offset %d",
					errJournalDamaged, next, s.end, r.seq, i)
			}
			s.torn = true // a later record of the torn write
		}
		if st == recOK {
			i += r.size
		} else {
			i++
		}
	}
	return s, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
