"""The worker processes that run queries, shared fairly between clients and switched together
when the store changes on disk."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from mskg.errors import MskgError, StoreError
from mskg.server.cache import AnswerCache
from mskg.server.config import (
    DEFAULT_ANSWER_CACHE_BYTES,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    MIN_QUEUE_TIMEOUT,
    UPSTREAM_TIMEOUT_SHARE,
)
from mskg.server.jobs import Answer, Job, answer, error_answer, one_line

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


def _worker_main(conn: Connection, spec: str, graph_dir: str | None, timeout: float) -> None:
    """A worker process: open the store once, then answer jobs until the pipe closes."""
    from mskg.stores import open_store

    try:
        store = open_store(
            spec, graph_dir, read_only=True, timeout=timeout * UPSTREAM_TIMEOUT_SHARE
        )
        store.count()  # parse the graph / open the database now, not on the first query
    except BaseException as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", store_generation(spec, graph_dir)))  # after opening: see _admit
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = answer(store, job)
        except Exception as exc:
            message = f"internal error: {one_line(exc)}"
            reply = error_answer(500, message)
            print(f"mskg serve: query worker: {message}", file=sys.stderr)
        conn.send(reply)


def worker_entry() -> None:
    """Entry point of a worker subprocess: ``argv`` = FD SPEC GRAPH_DIR TIMEOUT (JSON)."""
    from multiprocessing.connection import Connection

    fd, spec, graph_dir, timeout = json.loads(sys.argv[1])
    _worker_main(Connection(fd), spec, graph_dir, timeout)


def store_generation(spec: str, graph_dir: str | None) -> str | None:
    """Which data the store ``spec`` holds on disk now: a short text that every ``mskg load``
    changes (and, for the memory store, every edit of a graph file). None for a ``sparql:``
    store, which has no generation here, or when it cannot be told just now (a load between its
    two renames, a missing folder): None never makes the pool switch.

    Oxigraph: the device and inode of the store folder, as a load renames a new folder into
    place (a failed load renames nothing). Memory: a digest of the path, size and modification
    time of every graph file. Both are a few ``stat`` calls.
    """
    from mskg.stores.spec import parse_store_spec

    parsed = parse_store_spec(spec)
    try:
        if parsed.kind == "oxigraph":
            status = Path(parsed.location).expanduser().stat()
            return f"{status.st_dev}:{status.st_ino}"
        if parsed.kind == "memory":
            from mskg.graph.loader import graph_files

            digest = hashlib.sha256()
            for path in graph_files(graph_dir):
                status = path.stat()
                digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
            return digest.hexdigest()[:32]
    except (OSError, MskgError):
        return None
    return None


def _named_source(job: Job) -> tuple[tuple[int, int] | None, str | None]:
    """A named query's file as the answer cache needs it: (size, time) and text; (None, None)
    for other jobs, or when the file cannot be read."""
    if job.kind != "named":
        return None, None
    from mskg.server.jobs import named_query_file

    try:
        path = named_query_file(job.query)
        status = path.stat()
        return (status.st_size, status.st_mtime_ns), path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, MskgError):
        return None, None


class _Worker:
    """One worker: a fresh ``python`` subprocess (never a fork of the threaded server, and no
    re-import of the caller's ``__main__`` as multiprocessing's spawn would do), talking over a
    socket pair with pickled :class:`Job` and :class:`Answer` objects.

    ``expected`` is the store's generation on disk just before the process started,
    ``generation`` the one the worker saw just after opening the store (its ready message).
    """

    def __init__(
        self, spec: str, graph_dir: str | None, timeout: float, expected: str | None = None
    ) -> None:
        import multiprocessing
        import subprocess

        self.expected = expected
        self.generation: str | None = None
        self.conn, child = multiprocessing.Pipe()
        fd = child.fileno()
        argument = json.dumps([fd, spec, graph_dir, timeout])
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from mskg.server.pool import worker_entry; worker_entry()",
                argument,
            ],
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
        )
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise StoreError(f"a query worker did not start within {timeout:.0f} s")
        try:
            status, detail = self.conn.recv()
        except EOFError as exc:
            self.kill()
            raise StoreError("a query worker died while starting") from exc
        if status != "ready":
            self.kill()
            raise StoreError(f"a query worker could not open the store: {detail}")
        self.generation = detail

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(5)
        with contextlib.suppress(Exception):
            self.conn.close()


#: Whose job it is when no HTTP client asked for it (the graph page, scripts).
LOCAL_CLIENT = "local"


#: The pool looks at the store on disk at most this often (seconds) to notice a ``mskg load``.
GENERATION_CHECK_INTERVAL = 0.5


W = TypeVar("W")


@dataclass(eq=False)
class _Waiter(Generic[W]):
    client: str
    worker: W | None = None


class FairQueue(Generic[W]):
    """The idle workers, and the requests waiting for one, shared out fairly between clients.

    A client holds at most ``per_client`` workers at once; its further requests wait. A worker
    that comes free goes to the waiting request whose client holds the fewest workers, the one
    waiting longest among those: a client running many slow queries delays its own requests,
    not everyone else's.
    """

    def __init__(self, per_client: int) -> None:
        self.per_client = max(1, per_client)
        self._cond = threading.Condition()
        self._idle: list[W] = []
        self._waiting: list[_Waiter[W]] = []
        self._held: dict[str, int] = {}
        self._closed = False
        #: The most requests that were waiting at once (for tests and diagnostics).
        self.peak_waiting = 0

    def get(self, client: str, timeout: float) -> W | None:
        """A worker for ``client``; None after ``timeout`` seconds, or once closed."""
        deadline = time.monotonic() + timeout
        waiter: _Waiter[W] = _Waiter(client)
        with self._cond:
            self._waiting.append(waiter)
            self._dispatch()
            self.peak_waiting = max(self.peak_waiting, len(self._waiting))
            while waiter.worker is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    self._waiting.remove(waiter)
                    return None
                self._cond.wait(remaining)
            return waiter.worker

    def put(self, worker: W) -> None:
        """Add a worker ready for a job."""
        with self._cond:
            self._idle.append(worker)
            self._dispatch()

    def done(self, client: str, worker: W | None) -> None:
        """``client`` gives its worker back: idle again, or None when it is gone."""
        with self._cond:
            held = self._held.get(client, 0) - 1
            if held > 0:
                self._held[client] = held
            else:
                self._held.pop(client, None)
            if worker is not None:
                self._idle.append(worker)
            self._dispatch()

    def drain(self) -> list[W]:
        """Take every idle worker out."""
        with self._cond:
            idle, self._idle = self._idle, []
            return idle

    def close(self) -> None:
        """Forget the idle workers and wake every waiting request: it gets None."""
        with self._cond:
            self._closed = True
            self._idle.clear()
            self._cond.notify_all()

    def held(self, client: str) -> int:
        with self._cond:
            return self._held.get(client, 0)

    def waiting(self, client: str | None = None) -> int:
        with self._cond:
            return sum(client in (None, w.client) for w in self._waiting)

    def _dispatch(self) -> None:
        # Called with the condition held. min() keeps the first of equals: the longest waiting.
        handed = False
        while self._idle:
            eligible = [w for w in self._waiting if self._held.get(w.client, 0) < self.per_client]
            if not eligible:
                break
            waiter = min(eligible, key=lambda w: self._held.get(w.client, 0))
            self._waiting.remove(waiter)
            waiter.worker = self._idle.pop()
            self._held[waiter.client] = self._held.get(waiter.client, 0) + 1
            handed = True
        if handed:
            self._cond.notify_all()


class WorkerPool:
    """A fixed number of worker processes; a timed-out worker is killed and replaced.

    Each worker is a fresh interpreter: the server's threads are never forked, and a worker
    holds no handle it did not open itself (several may open one Oxigraph store read-only).

    Fair share: :class:`FairQueue`, clients named by :meth:`run`'s ``client``.

    Reload: every worker holds the data of one generation of the store (:func:`store_generation`)
    and jobs go only to workers of the pool's current one. Before a job, at most every
    :data:`GENERATION_CHECK_INTERVAL` seconds, the pool looks at the store on disk; when it has
    changed, one more worker is started on the new data and, once it is ready, the pool switches
    to it: the idle workers of the old data are killed and replaced, the busy ones when their
    job ends. Until then the old workers keep answering, so a store no worker can open (a graph
    file saved half-written) never leaves the server without workers.
    """

    def __init__(
        self,
        spec: str,
        graph_dir: str | None,
        *,
        size: int = DEFAULT_WORKERS,
        timeout: float = DEFAULT_TIMEOUT,
        queue_timeout: float | None = None,
        per_client: int | None = None,
        start_timeout: float = 120.0,
        answer_cache_bytes: int = DEFAULT_ANSWER_CACHE_BYTES,
    ) -> None:
        from mskg.stores.spec import parse_store_spec

        self.spec = spec
        self.graph_dir = graph_dir
        self.timeout = timeout
        self.queue_timeout = (
            queue_timeout if queue_timeout is not None else max(timeout, MIN_QUEUE_TIMEOUT)
        )
        self.start_timeout = start_timeout
        self.size = max(1, size)
        self.per_client = max(1, per_client if per_client is not None else (self.size + 1) // 2)
        self._queue: FairQueue[_Worker] = FairQueue(self.per_client)
        self.cache = AnswerCache(answer_cache_bytes)
        # Lock order: self._lock, then the queue's; never the other way round.
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()  # every process, starting or ready: close() kills them
        self._ready: set[_Worker] = set()  # idle or busy
        self._starting = 0  # threads starting a worker
        self._closed = False
        self._tracked = parse_store_spec(spec).kind != "sparql"
        self._generation = self._on_disk()
        self._probing: str | None = None  # the new generation a worker is being started for
        self._refused: str | None = None  # a new generation no worker could open
        self._check_lock = threading.Lock()
        self._checked = time.monotonic()
        workers: list[_Worker] = []
        try:
            workers.extend(self._spawn() for _ in range(self.size))
            for worker in workers:
                worker.wait_ready(start_timeout)
        except BaseException:
            self.close()
            raise
        for worker in workers:
            self._admit(worker)
        self._top_up()

    def _on_disk(self) -> str | None:
        return store_generation(self.spec, self.graph_dir) if self._tracked else None

    def _spawn(self) -> _Worker:
        worker = _Worker(self.spec, self.graph_dir, self.timeout, self._on_disk())
        with self._lock:
            self._all.add(worker)
            closed = self._closed
        if closed:  # close() ran while it started: it missed this one
            worker.kill()
        return worker

    def _start(self, probe: str | None = None) -> None:
        """Start a worker in the background (``probe``: to open that new generation); the
        caller holds ``self._lock``."""
        self._starting += 1
        threading.Thread(target=self._replace, args=(probe,), daemon=True).start()

    def _top_up(self) -> None:
        with self._lock:
            if not self._closed:
                for _missing in range(self.size - len(self._ready) - self._starting):
                    self._start()

    def _replace(self, probe: str | None) -> None:
        problem, expected = "", probe
        for _attempt in range(3):
            if self._closed:
                break
            try:
                worker = self._spawn()
            except OSError as exc:
                problem = f"cannot start a process: {exc}"
                continue
            expected = worker.expected
            try:
                worker.wait_ready(self.start_timeout)
            except StoreError as exc:
                with self._lock:
                    self._all.discard(worker)
                problem = str(exc)
                continue
            if self._admit(worker, replacing=True):
                return
            problem = "the store changed on disk while it started"
        problem = " ".join(problem.split())  # the log takes one line per event
        with self._lock:
            self._starting -= 1
            if probe is not None and self._probing == probe:
                self._probing = None
            if self._closed:
                return
            # A generation none of three workers could open is not tried again by _refresh.
            new = expected not in (None, self._generation, self._refused)
            if new:
                self._refused = expected
        if new:
            print(
                f"mskg serve: the store changed on disk, but a worker could not open it "
                f"({problem}); still answering from the data opened before",
                file=sys.stderr,
            )
        else:
            print(f"mskg serve: could not restart a query worker: {problem}", file=sys.stderr)

    def _admit(self, worker: _Worker, *, replacing: bool = False) -> bool:
        """Put a worker that has just started to work if it holds the data to serve. A worker
        holding data newer than the pool's, the data on disk now, switches the pool to it.
        ``replacing``: it was started by :meth:`_replace`, whose slot it takes once admitted."""
        generation = worker.generation
        # Equal before and after the open, the data opened is that generation's; otherwise a
        # load ran meanwhile and which data the worker holds is unknown.
        consistent = generation == worker.expected
        on_disk = self._on_disk() if consistent and generation != self._generation else None
        switched = False
        stale: list[_Worker] = []
        with self._lock:
            admitted = not self._closed and consistent
            if admitted and generation != self._generation:
                admitted = switched = generation is not None and generation == on_disk
                if switched:
                    self._generation = generation
                    self.cache.drop_other_generations(generation)
                    self._probing = None
                    stale = self._queue.drain()  # every idle worker holds the old data
                    self._ready.difference_update(stale)
                    self._all.difference_update(stale)
            if admitted:
                self._ready.add(worker)
                if replacing:
                    self._starting -= 1
                self._queue.put(worker)
            else:
                self._all.discard(worker)
        if not admitted:
            worker.kill()
            return False
        if switched:
            for old in stale:
                old.kill()
            print("mskg serve: the store changed on disk; workers reopened it", file=sys.stderr)
            self._top_up()
        return True

    def _refresh(self) -> None:
        """Look at the store on disk (at most every GENERATION_CHECK_INTERVAL seconds) and start
        a worker on new data; :meth:`_admit` switches the pool when it is ready."""
        if not self._tracked:
            return
        with self._check_lock:
            now = time.monotonic()
            if now - self._checked < GENERATION_CHECK_INTERVAL:
                return
            self._checked = now
            on_disk = self._on_disk()
        with self._lock:
            if self._closed or on_disk in (None, self._generation, self._probing, self._refused):
                return
            self._probing = on_disk
            self._start(on_disk)

    def _release(self, worker: _Worker, client: str, alive: bool) -> None:
        with self._lock:
            keep = alive and not self._closed and worker.generation == self._generation
            if not keep:
                self._ready.discard(worker)
                self._all.discard(worker)
            self._queue.done(client, worker if keep else None)
        if not keep:
            worker.kill()
            self._top_up()

    def run(self, job: Job, client: str = LOCAL_CLIENT) -> Answer:
        """Run ``job`` for ``client`` (an HTTP client's address) on a worker: wait at most
        ``queue_timeout`` for one, then at most ``timeout`` for the answer. An answer already
        computed from the data the store holds now comes from :attr:`cache`."""
        self._refresh()
        generation = self._generation if self._tracked else None
        version, text = _named_source(job)
        key = self.cache.key(generation, job, version, text)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        worker = self._queue.get(client, self.queue_timeout)
        if worker is None:
            if self._queue.held(client) >= self.per_client:
                return error_answer(
                    503,
                    f"this client already has {self.per_client} queries running, the most one "
                    "client may; retry later",
                )
            return error_answer(
                503, f"all query workers busy for {self.queue_timeout:g} s; retry later"
            )
        alive = False
        try:
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout):
                return error_answer(
                    503, f"query stopped: it ran longer than the {self.timeout:g} s time limit"
                )
            reply: Answer = worker.conn.recv()
            alive = True
            if worker.generation == generation:
                self.cache.put(key, reply)
            return reply
        except (EOFError, OSError):
            return error_answer(500, "the query worker died (out of memory?); try again")
        finally:
            self._release(worker, client, alive)

    @property
    def peak_waiting(self) -> int:
        """The most requests that waited for a worker at once."""
        return self._queue.peak_waiting

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._ready.clear()
        self._queue.close()
        for worker in workers:
            worker.kill()
