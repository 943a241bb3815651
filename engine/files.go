package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// ApplyFiles runs the statements of a .sql file, or of every .sql file of a directory in name
// order, once. Each statement that changes the catalog is fingerprinted by its file's base name
// and its text, and the fingerprint is recorded in the command log after it has been applied:
// a restart with the same files skips what was applied, so nothing is duplicated. Session
// statements (SET, UNSET) are run every time, as they configure what follows in the file.
func (e *Engine) ApplyFiles(ctx context.Context, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return types.Wrap(types.CodeIO, err, "queries file")
	}
	files := []string{path}
	if st.IsDir() {
		files, err = filepath.Glob(filepath.Join(path, "*.sql"))
		if err != nil {
			return types.Wrap(types.CodeIO, err, "queries directory %s", path)
		}
		sort.Strings(files)
	}
	sess, err := e.NewSession(ctx, map[string]string{"application_name": "queries-file"})
	if err != nil {
		return err
	}
	defer sess.Close()
	s := sess.(*Session)
	for _, f := range files {
		if err := s.applyFile(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) applyFile(ctx context.Context, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return types.Wrap(types.CodeIO, err, "reading %s", file)
	}
	stmts, err := parser.Parse(string(data))
	if err != nil {
		return fileError(file, err)
	}
	for _, st := range stmts {
		switch st.(type) {
		case *ast.SetProperty, *ast.UnsetProperty, *ast.SetSession, *ast.Empty:
			if _, err := s.execute(ctx, st); err != nil {
				return fileError(file, err)
			}
			continue
		case *ast.Select, *ast.Print, *ast.Copy:
			return fileError(file, types.ErrorAt(types.CodeFeatureNotSupported, st.Pos(), "a queries file cannot run push queries or PRINT"))
		}
		sum := sha256.Sum256([]byte(filepath.Base(file) + "\x00" + strings.TrimSpace(st.Text())))
		fp := hex.EncodeToString(sum[:])
		if s.e.cat.Applied(fp) {
			continue
		}
		res, err := s.execute(ctx, st)
		if err != nil {
			return fileError(file, err)
		}
		closeResult(res)
		if err := s.e.log.Append(ctx, s.e.cat, &catalog.Command{Op: catalog.OpMarkApplied, Fingerprint: fp, Statement: st.Text()}); err != nil {
			return err
		}
	}
	return nil
}

func closeResult(r *api.Result) {
	if r != nil && r.Stream != nil {
		r.Stream.Close()
	}
}

// fileError names the file in front of a statement error, keeping its code and position.
func fileError(file string, err error) error {
	if te, ok := err.(*types.Error); ok {
		c := *te
		if c.Pos.IsValid() {
			c.Message = file + ":" + c.Pos.String() + ": " + c.Message
		} else {
			c.Message = file + ": " + c.Message
		}
		return &c
	}
	return types.Wrap(types.CodeInternal, err, "%s", file)
}
