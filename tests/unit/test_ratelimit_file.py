"""Rate-limit counts shared by several server processes (``sqlite-file://``): a guesser gets the limit once, not
once per process."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from limits import parse, storage, strategies

from esibook.config import Settings
from esibook.web import ratelimit_file
from esibook.web.ratelimit import RateLimits


def _hit_many(uri: str, times: int) -> int:
    limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(uri))
    item = parse("12/minute")
    return sum(limiter.hit(item, "login_ip", "203.0.113.7") for _ in range(times))


def test_two_processes_share_one_limit(tmp_path):
    uri = f"sqlite-file://{tmp_path / 'rate-limits.sqlite'}"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        allowed = pool.starmap(_hit_many, [(uri, 10), (uri, 10)])
    assert sum(allowed) == 12, allowed  # per-process counting would have let all 20 through
    assert _hit_many(uri, 1) == 0
    assert _hit_many(uri.replace("rate-limits", "other"), 1) == 1


def test_hits_older_than_the_window_no_longer_count(tmp_path, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit_file.time, "time", lambda: clock[0])
    store = storage.storage_from_string(f"sqlite-file://{tmp_path / 'r.sqlite'}")
    assert [store.acquire_entry("k", 2, 60) for _ in range(3)] == [True, True, False]
    assert store.get_moving_window("k", 2, 60) == (1_000_000.0, 2)
    clock[0] += 61
    assert store.acquire_entry("k", 2, 60) and store.get_moving_window("k", 2, 60) == (1_000_061.0, 1)
    assert store.acquire_entry("other", 2, 60), "keys are counted apart"


def test_several_processes_count_in_the_data_directory_one_counts_in_memory(tmp_path):
    assert Settings(env="test", data_dir=tmp_path).resolved_rate_limit_storage() == "memory://"
    shared = Settings(env="test", data_dir=tmp_path, workers=2).resolved_rate_limit_storage()
    assert shared == f"sqlite-file://{(tmp_path / 'rate-limits.sqlite').resolve()}"
    assert Settings(env="development", data_dir=tmp_path, workers=2,
                    rate_limit_storage="redis://localhost:6379").resolved_rate_limit_storage().startswith("redis://")
    limits = RateLimits(Settings(env="test", data_dir=tmp_path, workers=2))
    assert isinstance(limits.limiter.storage, ratelimit_file.SqliteFileStorage)
    assert Path(limits.limiter.storage.path).exists()
