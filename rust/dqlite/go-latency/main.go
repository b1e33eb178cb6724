// The same workload as rust/dqlite/examples/latency.rs through go-dqlite's database/sql driver
// (Debian's golang-github-canonical-go-dqlite-dev), for comparison on the same cluster.
// Built and run by scripts/dqlite-latency.sh (`go-latency [N]`) and by bench/w8.sh, which runs the
// Go side of benchmark W8 (JSON on stdout, read by bench's W8Dqlite):
//
//	go-latency w8-latency N IWARM SWARM DBNAME  autocommit INSERT and point SELECT, prepared, one connection
//	go-latency w8-writers WRITERS PER DBNAME    WRITERS goroutines x PER autocommit INSERTs, no retries
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
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

// open registers the driver for the cluster in SHMLITE_DQLITE_SEEDS and opens database name.
func open(name string) *sql.DB {
	store := client.NewInmemNodeStore()
	var nodes []client.NodeInfo
	for _, a := range strings.Split(os.Getenv("SHMLITE_DQLITE_SEEDS"), ",") {
		nodes = append(nodes, client.NodeInfo{Address: a})
	}
	must(store.Set(context.Background(), nodes))
	drv, err := driver.New(store)
	must(err)
	sql.Register("dqlite", drv)
	db, err := sql.Open("dqlite", name)
	must(err)
	return db
}

func atoi(s string) int {
	v, err := strconv.Atoi(s)
	must(err)
	return v
}

func nanos(t []time.Duration) []int64 {
	out := make([]int64, len(t))
	for i, d := range t {
		out[i] = d.Nanoseconds()
	}
	return out
}

// w8Latency: IWARM unmeasured then N measured autocommit INSERTs through one prepared statement,
// then SWARM unmeasured + N measured point SELECTs of random present keys through another, on one
// connection.
func w8Latency(n, warmup, selectWarmup int, name string) {
	db := open(name)
	db.SetMaxOpenConns(1)
	_, err := db.Exec("CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
	must(err)
	ins, err := db.Prepare("INSERT INTO kv (k, v) VALUES (?, ?)")
	must(err)
	insert := make([]time.Duration, 0, n)
	for k := 0; k < warmup+n; k++ {
		s := time.Now()
		_, err := ins.Exec(int64(k), "value")
		d := time.Since(s)
		must(err)
		if k >= warmup {
			insert = append(insert, d)
		}
	}
	must(ins.Close())
	sel, err := db.Prepare("SELECT v FROM kv WHERE k = ?")
	must(err)
	rnd := rand.New(rand.NewSource(42))
	sel1 := make([]time.Duration, 0, n)
	for i := 0; i < selectWarmup+n; i++ {
		var v string
		k := rnd.Int63n(int64(warmup + n))
		s := time.Now()
		err := sel.QueryRow(k).Scan(&v)
		d := time.Since(s)
		must(err)
		if i >= selectWarmup {
			sel1 = append(sel1, d)
		}
	}
	must(sel.Close())
	must(db.Close())
	must(json.NewEncoder(os.Stdout).Encode(map[string]any{
		"client": "go-dqlite", "insertNanos": nanos(insert), "selectNanos": nanos(sel1),
	}))
}

// w8Writers: WRITERS goroutines, each on its own connection with its own prepared statement, each
// PER autocommit INSERTs; a failed INSERT is counted and not retried (go-dqlite leaves retries to
// the application). Rows present are counted afterwards.
func w8Writers(writers, per int, name string) {
	db := open(name)
	db.SetMaxOpenConns(writers + 1)
	ctx := context.Background()
	_, err := db.Exec("CREATE TABLE t (w INTEGER, i INTEGER, PRIMARY KEY (w, i))")
	must(err)
	conns := make([]*sql.Conn, writers)
	stmts := make([]*sql.Stmt, writers)
	for w := range conns {
		conns[w], err = db.Conn(ctx)
		must(err)
		stmts[w], err = conns[w].PrepareContext(ctx, "INSERT INTO t (w, i) VALUES (?, ?)")
		must(err)
	}
	var mu sync.Mutex
	messages := map[string]int{}
	errors := 0
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			<-start
			for i := 0; i < per; i++ {
				if _, err := stmts[w].Exec(int64(w), int64(i)); err != nil {
					mu.Lock()
					errors++
					messages[err.Error()]++
					mu.Unlock()
				}
			}
		}(w)
	}
	s := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(s)
	for w := range conns {
		must(stmts[w].Close())
		must(conns[w].Close())
	}
	var rows int64
	must(db.QueryRow("SELECT count(*) FROM t").Scan(&rows))
	must(db.Close())
	must(json.NewEncoder(os.Stdout).Encode(map[string]any{
		"client": "go-dqlite", "writers": writers, "perWriter": per, "errors": errors,
		"rows": rows, "elapsedNanos": elapsed.Nanoseconds(), "messages": messages,
	}))
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "w8-latency" {
		w8Latency(atoi(os.Args[2]), atoi(os.Args[3]), atoi(os.Args[4]), os.Args[5])
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "w8-writers" {
		w8Writers(atoi(os.Args[2]), atoi(os.Args[3]), os.Args[4])
		return
	}
	n := 500
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		must(err)
		n = v
	}
	db := open(fmt.Sprintf("golatency-%d", os.Getpid()))
	db.SetMaxOpenConns(1)
	_, err := db.Exec("CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
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
