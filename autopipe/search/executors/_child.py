"""A worker process started by ``process.optimize_in_processes``.

Talks to its parent by lines on stdin/stdout: it asks ``next``, runs a trial on ``go``
(and answers ``done <trial_id>``), and exits on ``stop`` or when the parent is gone
(end of stdin). Anything the objective prints goes to stderr, never into the protocol.
"""

from __future__ import annotations

import base64
import os
import sys


def main(payload_path: str) -> int:
    channel_out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # prints (Python or native) land on stderr
    sys.stdout = sys.stderr
    from autopipe.search.executors._payload import Payload

    with open(payload_path, "rb") as fh:
        payload = Payload.loads(fh.read())
    try:
        with payload.environment():
            while True:
                channel_out.write("next\n")
                if sys.stdin.readline().strip() != "go":
                    return 0
                frozen = payload.run_one()
                channel_out.write(f"done {frozen.trial_id}\n")
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which re-raises it
        channel_out.write(f"error {_encode(exc)}\n")
        return 1
    finally:
        payload.study._storage.close()


def _encode(exc: BaseException) -> str:
    import cloudpickle

    try:
        data = cloudpickle.dumps(exc)
    except Exception:  # noqa: BLE001 - an unpicklable error still reaches the parent as text
        data = cloudpickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
    return base64.b64encode(data).decode("ascii")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
