package migrate

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestRead(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"m/0002_b.sql": {Data: []byte("B")},
		"m/0001_a.sql": {Data: []byte("A")},
		"m/notes.txt":  {Data: []byte("x")},
	}
	list, err := Read(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Version != 1 || list[0].SQL != "A" || list[1].Name != "0002_b.sql" {
		t.Fatalf("Read = %+v", list)
	}
	for name, bad := range map[string]fstest.MapFS{
		"unnumbered": {"m/init.sql": {}},
		"zero":       {"m/0000_x.sql": {}},
		"duplicate":  {"m/0001_a.sql": {}, "m/1_b.sql": {}},
	} {
		if _, err := Read(bad, "m"); err == nil || !strings.Contains(err.Error(), "read migrations") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}
