"""The worker pool of ``mskg serve``: a fair share of workers between clients, and workers that
switch together to the new data after ``mskg load``.

The servers run in this process on free loopback ports; the second client address (127.0.0.2)
is loopback too. No assertion depends on how fast the machine is: deadlines only bound waits
for something that must happen.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import GRAPH_DIR
from mskg.cli import main
from mskg.server import pool as pool_module
from mskg.server.cache import AnswerCache
from mskg.server.config import ServerConfig
from mskg.server.http import MskgHTTPServer
from mskg.server.jobs import Answer, Job
from mskg.server.pool import FairQueue, store_generation
from test_server import DRUGS, ENDLESS, fetch, q, running_mskg

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SWITCHED = "mskg serve: the store changed on disk; workers reopened it"
RUNAWAY_ADDRESS = "127.0.0.2"


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    """Wait until ``condition()`` holds; the deadline only stops a test that would hang."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.02)


def count(server: MskgHTTPServer) -> int:
    status, _headers, body = fetch(f"{server.url}/sparql?" + q(COUNT) + "&format=json")
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# Fair share -----------------------------------------------------------------------------------


class Waiters:
    """Threads each asking a :class:`FairQueue` for a worker, started one after the other so
    that their arrival order is known."""

    def __init__(self, pool: FairQueue[str]) -> None:
        self.pool = pool
        self.got: dict[str, str | None] = {}
        self.threads: dict[str, threading.Thread] = {}

    def start(self, name: str, client: str) -> None:
        queued = self.pool.waiting()

        def ask() -> None:
            self.got[name] = self.pool.get(client, 60)

        self.threads[name] = threading.Thread(target=ask, daemon=True)
        self.threads[name].start()
        wait_for(lambda: self.pool.waiting() == queued + 1, f"{name} to queue")

    def finished(self, name: str) -> str | None:
        self.threads[name].join(30)
        assert not self.threads[name].is_alive(), f"{name} got no worker"
        return self.got[name]

    def still_waiting(self) -> list[str]:
        return sorted(name for name, thread in self.threads.items() if thread.is_alive())


def test_fair_queue_gives_a_free_worker_to_the_client_holding_fewest() -> None:
    pool: FairQueue[str] = FairQueue(per_client=2)
    assert pool.get("a", 0) is None  # no worker at all: the wait ends empty-handed
    pool.put("w1")
    pool.put("w2")
    assert {pool.get("a", 0), pool.get("a", 0)} == {"w1", "w2"}
    assert pool.held("a") == 2

    waiters = Waiters(pool)
    waiters.start("a3", "a")  # first in line, but "a" holds its share already
    waiters.start("b1", "b")
    waiters.start("b2", "b")
    waiters.start("c1", "c")
    pool.put("w3")  # b and c hold none: the longest waiting of them, b1
    assert waiters.finished("b1") == "w3"
    pool.put("w4")  # c holds none, b one: c1, though b2 came first
    assert waiters.finished("c1") == "w4"
    assert waiters.still_waiting() == ["a3", "b2"]

    pool.put("w5")  # b and c hold one each, a two: b2
    assert waiters.finished("b2") == "w5"
    waiters.start("d1", "d")
    pool.done("a", "w1")  # a is below its share again, but d holds none
    assert waiters.finished("d1") == "w1"
    assert waiters.still_waiting() == ["a3"]
    pool.done("b", None)  # a worker that died frees b's share, not a worker
    assert waiters.still_waiting() == ["a3"]
    pool.done("c", "w4")
    assert waiters.finished("a3") == "w4"
    assert (pool.held("a"), pool.held("b"), pool.held("c"), pool.held("d")) == (2, 1, 0, 1)

    waiters.start("e1", "e")
    pool.close()  # shutting down: a waiting request gives up at once
    assert waiters.finished("e1") is None


@pytest.mark.server
def test_runaway_client_does_not_starve_the_others() -> None:
    """One client (127.0.0.2) sends five queries that never end on a pool of four workers with
    two per client: two of them run, three wait, and two workers stay for everyone else. Another
    client (127.0.0.1) gets all its answers while the runaway queries still run."""
    config = ServerConfig(timeout=60, queue_timeout=60, workers=4, per_client=2)
    results: list[tuple[int, bytes] | BaseException] = []
    with running_mskg(config) as server:
        pool = server.pool
        assert pool.per_client == 2
        port = server.server_address[1]

        def runaway() -> None:
            connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=120, source_address=(RUNAWAY_ADDRESS, 0)
            )
            try:
                connection.request("GET", "/sparql?" + q(ENDLESS))
                response = connection.getresponse()
                results.append((response.status, response.read()))
            except (OSError, http.client.HTTPException) as exc:
                results.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=runaway, daemon=True) for _ in range(5)]
        for thread in threads:
            thread.start()
        queue = pool._queue
        wait_for(
            lambda: queue.held(RUNAWAY_ADDRESS) == 2 and queue.waiting(RUNAWAY_ADDRESS) == 3,
            "the runaway queries to take their two workers",
        )
        named = f"{server.url}/queries/serious-adverse-effects?drug=Tysabri"
        statuses = [fetch(f"{server.url}/sparql?" + q(DRUGS))[0] for _ in range(3)]
        with concurrent.futures.ThreadPoolExecutor(4) as executor:
            statuses += executor.map(lambda _: fetch(named)[0], range(2))
            statuses += executor.map(
                lambda _: fetch(f"{server.url}/sparql?" + q(DRUGS))[0], range(4)
            )
        assert statuses == [200] * 9
        # Ordering, not timing: every runaway query was still running or waiting meanwhile.
        assert results == []
        assert queue.held(RUNAWAY_ADDRESS) == 2 and queue.waiting(RUNAWAY_ADDRESS) == 3
    # Closing the server killed the runaway queries' workers and woke the waiting requests.
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    assert len(results) == 5
    assert not any(isinstance(r, tuple) and r[0] == 200 for r in results)


def test_per_client_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--per-client", "0"]) == 2
    assert "--per-client must be positive" in capsys.readouterr().err


# Reload ---------------------------------------------------------------------------------------


def test_store_generation(tmp_path: Path) -> None:
    store = tmp_path / "kg"
    assert main(["load", "--store", f"oxigraph:{store}", "--graph", str(GRAPH_DIR)]) == 0
    first = store_generation(f"oxigraph:{store}", None)
    assert first is not None and first == store_generation(f"oxigraph:{store}", None)
    assert main(["load", "--store", f"oxigraph:{store}", "--graph", str(GRAPH_DIR)]) == 0
    assert store_generation(f"oxigraph:{store}", None) not in (None, first)
    assert store_generation(f"oxigraph:{tmp_path / 'absent'}", None) is None
    assert store_generation("sparql:http://127.0.0.1:9/sparql", None) is None

    graph = tmp_path / "graph"
    graph.mkdir()
    data = graph / "a.ttl"
    data.write_text("<http://x/a> <http://x/b> <http://x/c> .\n")
    memory = store_generation("memory", str(graph))
    assert memory is not None and memory == store_generation("memory", str(graph))
    os.utime(data, ns=(0, 0))
    assert store_generation("memory", str(graph)) not in (None, memory)


def answers_switch_once(old: int, new: int, counts: list[int]) -> None:
    assert set(counts) <= {old, new}, counts
    first = counts.index(new)
    assert counts[first:] == [new] * (len(counts) - first), counts


@pytest.mark.server
def test_workers_switch_together_after_a_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `mskg load` while the server runs: once one answer comes from the new store, every
    later one does; a load that fails changes nothing."""
    monkeypatch.setattr(pool_module, "GENERATION_CHECK_INTERVAL", 0.0)  # check before each job
    path = tmp_path / "kg"
    spec = f"oxigraph:{path}"
    assert main(["load", "--store", spec, "--graph", str(GRAPH_DIR)]) == 0
    extra = tmp_path / "extra.nt"
    extra.write_text(
        "".join(
            f"<http://example.org/s{i}> <http://example.org/p> <http://example.org/o> .\n"
            for i in range(3)
        )
    )
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://x/a> <http://x/b> .\n")
    with running_mskg(ServerConfig(store=spec, workers=3)) as server:
        pool = server.pool
        assert pool.per_client == 2  # the default: half of three workers, rounded up
        old = count(server)
        generation, workers = pool._generation, set(pool._all)

        assert main(["load", str(bad), "--store", spec, "--graph", str(GRAPH_DIR)]) == 2
        assert [count(server) for _ in range(3)] == [old] * 3
        assert (pool._generation, set(pool._all), pool._probing) == (generation, workers, None)

        assert main(["load", str(extra), "--store", spec, "--graph", str(GRAPH_DIR)]) == 0
        new = old + 3
        counts = [count(server)]
        while counts[-1] != new:
            assert len(counts) < 10_000, "the workers never opened the new store"
            counts.append(count(server))
        counts += [count(server) for _ in range(20)]
        with concurrent.futures.ThreadPoolExecutor(8) as executor:
            counts += executor.map(lambda _: count(server), range(8))
        answers_switch_once(old, new, counts)
        assert counts[-28:] == [new] * 28
        # Every worker of the old store is gone, and the pool is whole again.
        wait_for(lambda: len(pool._ready) == 3, "the replacement workers")
        assert all(w.generation == pool._generation != generation for w in pool._ready)
        assert not workers & pool._all
        assert all(w.process.poll() is not None for w in workers)
    err = capsys.readouterr().err
    assert err.count(SWITCHED) == 1, err


@pytest.mark.server
def test_a_store_no_worker_can_open_keeps_the_old_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Memory store: a graph file saved broken changes the files, but no worker can parse them;
    the old workers keep answering, and the fixed file is served once saved."""
    monkeypatch.setattr(pool_module, "GENERATION_CHECK_INTERVAL", 0.0)
    graph = tmp_path / "graph"
    graph.mkdir()
    (graph / "a.ttl").write_text("<http://x/a> <http://x/b> <http://x/c> .\n")
    with running_mskg(ServerConfig(graph_dir=str(graph), workers=2)) as server:
        pool = server.pool
        assert pool.per_client == 1
        assert count(server) == 1
        workers = set(pool._all)
        (graph / "b.ttl").write_text("<http://x/a> <http://x/b> .\n")
        assert count(server) == 1  # starts a worker on the new files
        wait_for(lambda: pool._refused is not None, "the new files to be refused")
        assert [count(server) for _ in range(5)] == [1] * 5
        assert workers <= pool._all
        assert "could not open it" in capsys.readouterr().err

        (graph / "b.ttl").write_text("<http://x/d> <http://x/e> <http://x/f> .\n")
        counts = [count(server)]
        while counts[-1] != 2:
            assert len(counts) < 10_000, "the workers never parsed the fixed files"
            counts.append(count(server))
        counts += [count(server) for _ in range(10)]
        answers_switch_once(1, 2, counts)
        wait_for(lambda: len(pool._ready) == 2, "the replacement workers")
    assert capsys.readouterr().err.count(SWITCHED) == 1


# The answer cache -----------------------------------------------------------------------------


def _answer(body: bytes, status: int = 200) -> Answer:
    return Answer(status, "application/sparql-results+json", body)


def test_a_repeated_request_is_answered_without_a_worker(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    spec = f"oxigraph:{path}"
    assert main(["load", "--store", spec, "--graph", str(GRAPH_DIR)]) == 0
    with running_mskg(ServerConfig(store=spec, workers=1)) as server:
        url = f"{server.url}/sparql?" + q(DRUGS) + "&format=json"
        first = fetch(url)
        cache = server.pool.cache
        hits = cache.hits
        # The only worker is killed: an answer can now come from the cache only.
        for worker in list(server.pool._all):
            worker.kill()
        second = fetch(url)
        assert first[0] == second[0] == 200
        assert first[2] == second[2] and json.loads(second[2])["results"]["bindings"]
        assert cache.hits == hits + 1
        # Another format is another answer: computed, not served from the other's entry.
        status, _headers, text = fetch(f"{server.url}/sparql?" + q(DRUGS) + "&format=csv")
        assert status != 200 or text != second[2]


def test_the_cache_follows_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After `mskg load` the cached count is never answered again."""
    monkeypatch.setattr(pool_module, "GENERATION_CHECK_INTERVAL", 0.0)
    path = tmp_path / "kg"
    spec = f"oxigraph:{path}"
    assert main(["load", "--store", spec, "--graph", str(GRAPH_DIR)]) == 0
    extra = tmp_path / "extra.nt"
    extra.write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n")
    with running_mskg(ServerConfig(store=spec, workers=2)) as server:
        old = count(server)
        assert count(server) == old and server.pool.cache.hits >= 1
        assert main(["load", str(extra), "--store", spec, "--graph", str(GRAPH_DIR)]) == 0
        wait_for(lambda: count(server) == old + 1, "the new data")
        assert [count(server) for _ in range(5)] == [old + 1] * 5


def test_what_the_cache_keeps() -> None:
    cache = AnswerCache(max_bytes=1000)
    job = Job("sparql", "SELECT ?s WHERE { ?s ?p ?o }")
    key = cache.key("g1", job)
    cache.put(key, _answer(b"x" * 100))
    assert cache.get(key) is not None
    # Another generation of the data, another request, another format: other keys.
    assert cache.get(cache.key("g2", job)) is None
    assert cache.get(cache.key("g1", Job("sparql", job.query, fmt="csv"))) is None
    # Never kept: an error, an answer over a quarter of the cache, a store without generation,
    # a query whose answer changes from run to run (RAND, NOW, UUID, STRUUID, BNODE).
    error_key = cache.key("g1", Job("sparql", "SELECT ?x WHERE { ?x ?y }"))
    cache.put(error_key, _answer(b"syntax error", status=400))
    assert cache.get(error_key) is None
    big_key = cache.key("g1", Job("sparql", "SELECT * WHERE { ?s ?p ?o }"))
    cache.put(big_key, _answer(b"x" * 251))
    assert cache.get(big_key) is None
    assert cache.key(None, job) is None
    for volatile in (
        "SELECT (RAND() AS ?r) {}",
        "select (now() as ?t) {}",
        "SELECT (BNODE() AS ?b) {}",
    ):
        assert cache.key("g1", Job("sparql", volatile)) is None
    # A named query is checked by its file's text; without the text it is not kept.
    named = Job("named", "my-question")
    assert cache.key("g1", named, (10, 1), "SELECT (UUID() AS ?u) {}") is None
    assert cache.key("g1", named, (10, 1), None) is None
    assert cache.key("g1", named, (10, 1), "ASK {}") != cache.key("g1", named, (10, 2), "ASK {}")
    # A word in a string or an IRI is not a call.
    assert cache.key("g1", Job("sparql", 'SELECT ?s { ?s ?p "rand()" }')) is not None
    # Least recently used first, within the byte bound.
    keys = [cache.key("g1", Job("sparql", f"ASK {{ <urn:{i}> ?p ?o }}")) for i in range(12)]
    for k in keys:
        cache.put(k, _answer(b"y" * 100))
    assert cache.size <= 1000
    assert cache.get(keys[0]) is None and cache.get(keys[-1]) is not None
    cache.drop_other_generations("g2")
    assert cache.size == 0 and cache.get(keys[-1]) is None


def test_the_cache_can_be_turned_off(tmp_path: Path) -> None:
    with running_mskg(ServerConfig(workers=1, answer_cache_bytes=0)) as server:
        assert count(server) == count(server)
        assert server.pool.cache.hits == 0
