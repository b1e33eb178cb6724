// The same workload as rust/dqlite/examples/latency.rs through go-dqlite's database/sql driver
// (Debian's golang-github-canonical-go-dqlite-dev), for comparison on the same cluster.
// Built and run by scripts/dqlite-latency.sh.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/canonical/go-dqlite/client"
	"github.com/canonical/go-dqlite/driver"
)

func report(what string, t []time.Duration) {
	sort.Slice(t, func(i, j int) bool { return t[i] < t[j] })
	p := func(q float64) time.Duration {
		i := int(float64(len(t)) * q)
		if i >= len(t) {
			i = len(t) - 1
		}
		return t[i]
	}
	fmt.Printf("%-34s n=%-5d p50=%9v p99=%9v\n", what, len(t), p(0.50), p(0.99))
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	n := 500
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		must(err)
		n = v
	}
	store := client.NewInmemNodeStore()
	var nodes []client.NodeInfo
	for _, a := range strings.Split(os.Getenv("SHMLITE_DQLITE_SEEDS"), ",") {
		nodes = append(nodes, client.NodeInfo{Address: a})
	}
	must(store.Set(context.Background(), nodes))
	drv, err := driver.New(store)
	must(err)
	sql.Register("dqlite", drv)
	db, err := sql.Open("dqlite", fmt.Sprintf("golatency-%d", os.Getpid()))
	must(err)
	db.SetMaxOpenConns(1)
	_, err = db.Exec("CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
	must(err)

	t := make([]time.Duration, 0, n)
	for k := 0; k < n; k++ {
		s := time.Now()
		_, err := db.Exec("INSERT INTO kv (k, v) VALUES (?, ?)", int64(k), "value")
		must(err)
		t = append(t, time.Since(s))
	}
	report("autocommit INSERT (db.Exec)", t)

	ins, err := db.Prepare("INSERT INTO kv (k, v) VALUES (?, ?)")
	must(err)
	t = t[:0]
	for k := n; k < 2*n; k++ {
		s := time.Now()
		_, err := ins.Exec(int64(k), "value")
		must(err)
		t = append(t, time.Since(s))
	}
	report("autocommit INSERT (prepared)", t)
	must(ins.Close())

	t = t[:0]
	for k := 0; k < n; k++ {
		var v string
		s := time.Now()
		must(db.QueryRow("SELECT v FROM kv WHERE k = ?", int64(k)).Scan(&v))
		t = append(t, time.Since(s))
	}
	report("point SELECT (db.QueryRow)", t)

	sel, err := db.Prepare("SELECT v FROM kv WHERE k = ?")
	must(err)
	t = t[:0]
	for k := 0; k < n; k++ {
		var v string
		s := time.Now()
		must(sel.QueryRow(int64(k)).Scan(&v))
		t = append(t, time.Since(s))
	}
	report("point SELECT (prepared)", t)
	must(sel.Close())
}
