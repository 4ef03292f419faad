"""Answers kept for repeated requests, per generation of the store's data.

A read-only store answers the same request with the same bytes until its data changes, and the
pool knows when it changes (:func:`mskg.server.pool.store_generation`). So an answer is kept
under the generation of the data it was computed from, and a request for the current
generation is answered from memory without a worker: no pipe, no process switch, no query.

Only what is certain to repeat is kept: a 200 answer of a store whose generation the pool
tracks (not a ``sparql:`` store, whose data changes out of sight), never an answer to a query
that calls ``RAND``, ``NOW``, ``UUID``, ``STRUUID`` or ``BNODE`` (different on every run), and
no answer larger than a quarter of the cache. Least recently used answers go first once the
cache holds ``max_bytes`` of bodies. Thread-safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from mskg.server.jobs import Answer, Job

#: Functions whose value differs from one evaluation to the next.
_VOLATILE = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})


class AnswerCache:
    """An LRU map from (generation, request) to :class:`Answer`, bounded in body bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, max_bytes)
        self._entries: OrderedDict[Hashable, Answer] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(
        generation: str | None, job: Job, version: Hashable = None, text: str | None = None
    ) -> Hashable | None:
        """The key of ``job`` on data of ``generation``, or None when its answer must not be
        kept. A named query's ``text`` (its file's, else unknown: not kept) is checked for
        volatile functions, and ``version`` (its file's size and time) is part of the key."""
        if generation is None:
            return None
        if job.kind in ("sparql", "named"):  # the others run mskg's own, fixed queries
            from mskg.sparql.guard import keywords

            query = job.query if job.kind == "sparql" else text
            if query is None or _VOLATILE.intersection(keywords(query)):
                return None
        params = tuple(sorted((name, tuple(values)) for name, values in job.params.items()))
        return (generation, job.kind, job.query, params, job.accept, job.fmt, job.max_rows, version)

    def get(self, key: Hashable | None) -> Answer | None:
        if key is None or not self.max_bytes:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: Hashable | None, answer: Answer) -> None:
        size = len(answer.body)
        if key is None or answer.status != 200 or size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old.body)
            self._entries[key] = answer
            self._size += size
            while self._size > self.max_bytes:
                _key, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped.body)

    def drop_other_generations(self, generation: str | None) -> None:
        """Forget the answers computed from data the store no longer holds."""
        with self._lock:
            for key in [k for k in self._entries if k[0] != generation]:  # type: ignore[index]
                self._size -= len(self._entries.pop(key).body)

    @property
    def size(self) -> int:
        """Bytes of answer bodies held."""
        return self._size
