"""Two small key-value stores with expiry: SQLite on one machine, Redis on many.

Job records, states and results are JSON texts under keys; each key may expire, so
nothing is kept forever even if no sweeper runs (Redis drops it itself; SQLite hides it and
``purge`` deletes it).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol


class KeyValue(Protocol):
    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str, ttl_s: float) -> None: ...

    def delete(self, *keys: str) -> None: ...

    def keys(self, prefix: str) -> list[str]: ...

    def purge(self) -> None: ...

    def close(self) -> None: ...


class SqliteKeyValue:
    """One SQLite file, safe for several threads and processes on one machine."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
                "expires REAL NOT NULL)"
            )

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM kv WHERE key = ? AND expires > ?", (key, time.time())
            ).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str, ttl_s: float) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, ?)",
                (key, value, time.time() + ttl_s),
            )

    def delete(self, *keys: str) -> None:
        with self._lock, self._db:
            self._db.executemany("DELETE FROM kv WHERE key = ?", [(key,) for key in keys])

    def keys(self, prefix: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key FROM kv WHERE substr(key, 1, ?) = ? AND expires > ?",
                (len(prefix), prefix, time.time()),
            ).fetchall()
        return [str(row[0]) for row in rows]

    def purge(self) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM kv WHERE expires <= ?", (time.time(),))

    def close(self) -> None:
        with self._lock:
            self._db.close()


class RedisKeyValue:
    """Keys in one Redis database, under a ``lopt:`` namespace; Redis expires them."""

    PREFIX = "lopt:"

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, decode_responses=True)

    def get(self, key: str) -> str | None:
        value = self._redis.get(self.PREFIX + key)
        return None if value is None else str(value)

    def put(self, key: str, value: str, ttl_s: float) -> None:
        self._redis.set(self.PREFIX + key, value, px=max(1, int(ttl_s * 1000)))

    def delete(self, *keys: str) -> None:
        if keys:
            self._redis.delete(*(self.PREFIX + key for key in keys))

    def keys(self, prefix: str) -> list[str]:
        found = self._redis.scan_iter(match=self.PREFIX + prefix + "*", count=500)
        return [str(key)[len(self.PREFIX) :] for key in found]

    def purge(self) -> None:
        """Nothing to do: Redis expires keys itself."""

    def close(self) -> None:
        self._redis.close()
