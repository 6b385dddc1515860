package dbi

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ttfFont is what the PDF writer needs from a TrueType font: the glyph of
// each character and the glyphs' advance widths, to embed the font (so
// Vietnamese letters print) and to measure text.
type ttfFont struct {
	name       string
	data       []byte
	unitsPerEm int
	ascent     int
	descent    int
	bbox       [4]int
	glyph      map[rune]uint16
	advance    []uint16
}

// parseTTF reads the head, hhea, hmtx and cmap (format 4) tables.
func parseTTF(name string, data []byte) (*ttfFont, error) {
	if len(data) < 12 {
		return nil, errors.New("ttf: too short")
	}
	be := binary.BigEndian
	tables := map[string][]byte{}
	n := int(be.Uint16(data[4:]))
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(data) {
			return nil, errors.New("ttf: truncated table directory")
		}
		off, ln := int(be.Uint32(data[rec+8:])), int(be.Uint32(data[rec+12:]))
		if off+ln > len(data) {
			return nil, fmt.Errorf("ttf: table %s out of range", data[rec:rec+4])
		}
		tables[string(data[rec:rec+4])] = data[off : off+ln]
	}
	for _, t := range []string{"head", "hhea", "hmtx", "cmap", "maxp"} {
		if tables[t] == nil {
			return nil, fmt.Errorf("ttf: no %s table", t)
		}
	}
	f := &ttfFont{name: name, data: data, glyph: map[rune]uint16{}}
	head, hhea := tables["head"], tables["hhea"]
	f.unitsPerEm = int(be.Uint16(head[18:]))
	for i := 0; i < 4; i++ {
		f.bbox[i] = int(int16(be.Uint16(head[36+2*i:])))
	}
	f.ascent = int(int16(be.Uint16(hhea[4:])))
	f.descent = int(int16(be.Uint16(hhea[6:])))
	nMetrics := int(be.Uint16(hhea[34:]))
	nGlyphs := int(be.Uint16(tables["maxp"][4:]))
	hmtx := tables["hmtx"]
	f.advance = make([]uint16, nGlyphs)
	for g := 0; g < nGlyphs; g++ {
		i := g
		if i >= nMetrics {
			i = nMetrics - 1 // the last advance repeats for the remaining glyphs
		}
		if 4*i+2 > len(hmtx) {
			return nil, errors.New("ttf: truncated hmtx")
		}
		f.advance[g] = be.Uint16(hmtx[4*i:])
	}
	return f, f.readCmap(tables["cmap"])
}

// readCmap reads the Unicode BMP subtable (platform 3 encoding 1, format 4).
func (f *ttfFont) readCmap(cmap []byte) error {
	be := binary.BigEndian
	n := int(be.Uint16(cmap[2:]))
	for i := 0; i < n; i++ {
		pid, eid := be.Uint16(cmap[4+8*i:]), be.Uint16(cmap[6+8*i:])
		off := int(be.Uint32(cmap[8+8*i:]))
		if pid != 3 || eid != 1 || off+14 > len(cmap) || be.Uint16(cmap[off:]) != 4 {
			continue
		}
		sub := cmap[off:]
		segs := int(be.Uint16(sub[6:])) / 2
		ends, starts := sub[14:], sub[16+2*segs:]
		deltas, ranges := sub[16+4*segs:], sub[16+6*segs:]
		for s := 0; s < segs; s++ {
			end, start := int(be.Uint16(ends[2*s:])), int(be.Uint16(starts[2*s:]))
			delta, ro := int(be.Uint16(deltas[2*s:])), int(be.Uint16(ranges[2*s:]))
			for c := start; c <= end && c != 0xFFFF; c++ {
				var g int
				if ro == 0 {
					g = (c + delta) & 0xFFFF
				} else {
					idx := 16 + 6*segs + 2*s + ro + 2*(c-start)
					if idx+2 > len(sub) {
						continue
					}
					if g = int(be.Uint16(sub[idx:])); g != 0 {
						g = (g + delta) & 0xFFFF
					}
				}
				if g != 0 && g < len(f.advance) {
					f.glyph[rune(c)] = uint16(g)
				}
			}
		}
		return nil
	}
	return errors.New("ttf: no Unicode BMP cmap")
}

// width1000 is the advance of glyph g in 1/1000 em, PDF's text space unit.
func (f *ttfFont) width1000(g uint16) int {
	return int(f.advance[g]) * 1000 / f.unitsPerEm
}
