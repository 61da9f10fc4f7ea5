// Command tlogaudit audits a C2SP tiled transparency log with Go's reference implementation
// (golang.org/x/mod/sumdb/tlog and sumdb/note), sharing no code with the log it checks.
//
//	tlogaudit -log http://127.0.0.1:8000/log -vkey 'origin+keyid+base64' [-old checkpoint-file]
//
// It verifies the checkpoint's signature and origin, the tree hash from the tiles, every entry bundle against
// its level-0 tile and every entry's inclusion proof (CheckRecord), and with -old the consistency of an older
// checkpoint with the current one (CheckTree). It prints "OK ..." and exits 0, or "FAIL: ..." and exits 1.
//
// Build it offline in GOPATH mode with Debian's packages (golang-go, golang-golang-x-mod-dev):
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o tlogaudit main.go
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

var client = &http.Client{Timeout: 30 * time.Second}

func fail(format string, args ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func get(url string) []byte {
	response, err := client.Get(url)
	if err != nil {
		fail("GET %s: %v", url, err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil || response.StatusCode != http.StatusOK {
		fail("GET %s: status %d", url, response.StatusCode)
	}
	return body
}

// indexPath encodes a tile index as C2SP path elements: 1234067 -> x001/x234/067.
func indexPath(n int64) string {
	elements := []string{fmt.Sprintf("%03d", n%1000)}
	for n /= 1000; n > 0; n /= 1000 {
		elements = append([]string{fmt.Sprintf("x%03d", n%1000)}, elements...)
	}
	return strings.Join(elements, "/")
}

// c2spPath is a tile's path without the height (Go's sumdb paths include it: tile/8/0/...).
func c2spPath(t tlog.Tile) string {
	level := strconv.Itoa(t.L)
	if t.L == -1 {
		level = "entries"
	}
	path := "tile/" + level + "/" + indexPath(t.N)
	if t.W < 1<<height {
		path += ".p/" + strconv.Itoa(t.W)
	}
	return path
}

type tileReader struct {
	prefix string
	cache  map[string][]byte
}

func (r *tileReader) Height() int { return height }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		path := c2spPath(t)
		if _, ok := r.cache[path]; !ok {
			r.cache[path] = get(r.prefix + "/" + path)
		}
		data[i] = r.cache[path]
		if t.L >= 0 && len(data[i]) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s has %d bytes, not %d", path, len(data[i]), t.W*tlog.HashSize)
		}
	}
	return data, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// checkpoint opens a note signed by the log key and parses its C2SP body (origin, size, base64 root hash);
// note.Open does not compare the origin line with the key's name, so this does.
func checkpoint(text []byte, verifier note.Verifier) tlog.Tree {
	opened, err := note.Open(text, note.VerifierList(verifier))
	if err != nil {
		fail("the checkpoint's signature does not verify: %v", err)
	}
	lines := strings.Split(opened.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		fail("the checkpoint's origin is not %q", verifier.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		fail("the checkpoint's size %q is not a number", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		fail("the checkpoint's root hash is malformed")
	}
	var hash tlog.Hash
	copy(hash[:], raw)
	return tlog.Tree{N: size, Hash: hash}
}

func entries(bundle []byte) [][]byte {
	var found [][]byte
	for len(bundle) > 0 {
		if len(bundle) < 2 {
			fail("an entry bundle ends inside a length")
		}
		length := int(binary.BigEndian.Uint16(bundle))
		if len(bundle) < 2+length {
			fail("an entry bundle ends inside an entry")
		}
		found = append(found, bundle[2:2+length])
		bundle = bundle[2+length:]
	}
	return found
}

func main() {
	prefix := flag.String("log", "", "the log's URL prefix (…/log)")
	vkey := flag.String("vkey", "", "the log's verifier key")
	old := flag.String("old", "", "a file with an older checkpoint to check consistency with")
	flag.Parse()
	verifier, err := note.NewVerifier(strings.TrimSpace(*vkey))
	if err != nil {
		fail("the verifier key is malformed: %v", err)
	}
	tree := checkpoint(get(*prefix+"/checkpoint"), verifier)
	reader := &tileReader{prefix: *prefix, cache: map[string][]byte{}}
	hashes := tlog.TileHashReader(tree, reader)
	if tree.N > 0 {
		root, err := tlog.TreeHash(tree.N, hashes)
		if err != nil || root != tree.Hash {
			fail("the tiles do not hash to the checkpoint's root: %v", err)
		}
	} else if tree.Hash != tlog.Hash(sha256.Sum256(nil)) {
		fail("the empty tree's root is not SHA-256 of the empty string")
	}
	count := int64(0)
	for n := int64(0); n*(1<<height) < tree.N; n++ {
		width := tree.N - n*(1<<height)
		if width > 1<<height {
			width = 1 << height
		}
		bundle := tlog.Tile{H: height, L: -1, N: n, W: int(width)}
		level0 := tlog.Tile{H: height, L: 0, N: n, W: int(width)}
		data, err := reader.ReadTiles([]tlog.Tile{bundle, level0})
		if err != nil {
			fail("%v", err)
		}
		records := entries(data[0])
		if int64(len(records)) != width {
			fail("%s holds %d entries, not %d", c2spPath(bundle), len(records), width)
		}
		for i, record := range records {
			index := n*(1<<height) + int64(i)
			leaf := tlog.RecordHash(record)
			if !bytes.Equal(leaf[:], data[1][i*tlog.HashSize:(i+1)*tlog.HashSize]) {
				fail("entry %d does not hash to its leaf in %s", index, c2spPath(level0))
			}
			proof, err := tlog.ProveRecord(tree.N, index, hashes)
			if err != nil {
				fail("no inclusion proof for entry %d: %v", index, err)
			}
			if err := tlog.CheckRecord(proof, tree.N, tree.Hash, index, leaf); err != nil {
				fail("entry %d is not in the checkpoint's tree: %v", index, err)
			}
			count++
		}
	}
	if *old != "" {
		text, err := os.ReadFile(*old)
		if err != nil {
			fail("%v", err)
		}
		earlier := checkpoint(text, verifier)
		if earlier.N > tree.N {
			fail("the older checkpoint (%d) is larger than the current one (%d)", earlier.N, tree.N)
		}
		if earlier.N > 0 {
			proof, err := tlog.ProveTree(tree.N, earlier.N, hashes)
			if err != nil {
				fail("no consistency proof from %d: %v", earlier.N, err)
			}
			if err := tlog.CheckTree(proof, tree.N, tree.Hash, earlier.N, earlier.Hash); err != nil {
				fail("the checkpoint of size %d is not consistent with the current one: %v", earlier.N, err)
			}
		}
	}
	fmt.Printf("OK size=%d entries=%d\n", tree.N, count)
}
