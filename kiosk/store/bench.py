"""Store measurements for `kiosk bench` (the bench module calls these; targets live there)."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

from kiosk.store.keyring import ScryptParams
from kiosk.store.model import Draft
from kiosk.store.sqlite import SqliteStore

# A realistic form: a few personal fields (sealed) and a few plain ones.
_ANSWERS = {
    "name": "张秀英", "id_number": "110101195003051234", "phone": "13812345678",
    "address": "3号楼2单元1502", "service": "居家养老服务", "needs": ["助餐", "助浴"],
    "lives_alone": True, "age": 76,
}
_PERSONAL = {"name", "id_number", "phone", "address"}


def bench_submit_latency(path: str | Path, n: int) -> list[float]:
    """Seconds per `submit` (real file, WAL, synchronous=FULL, 4 sealed fields), n samples."""
    # Cheap KDF: key setup is not what is being measured.
    store = SqliteStore(path, "BENCH", secret="bench-secret", kdf=ScryptParams(n=2 ** 10))
    try:
        store.submit(Draft(uuid.uuid4().hex, "warmup", dict(_ANSWERS), set(_PERSONAL)))
        times: list[float] = []
        for _ in range(n):
            draft = Draft(uuid.uuid4().hex, "bench", dict(_ANSWERS), set(_PERSONAL))
            start = time.perf_counter()
            store.submit(draft)
            times.append(time.perf_counter() - start)
        return times
    finally:
        store.close()
