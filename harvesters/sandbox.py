"""Running a native reader where its failures cannot hurt the harvest: in a child process with a memory
ceiling and a deadline. A damaged legacy .xls can make calamine ask for gigabytes (the machine's memory
killer then ends the parser process, and with it every source parsed there) or abort the process outright;
in the child, either ends only the child, and the caller gets a Sandboxed error saying why."""
from __future__ import annotations

import multiprocessing
import os
import pickle
import resource
import threading
import time
import traceback

MEMORY_BYTES = 2 * 1024 ** 3  # address space of the child: far above any real catalog, far below the machine
SECONDS = 60


class Sandboxed(Exception):
    """The function failed in the child: it raised, ran out of memory or time, or the child died."""


def forkserver_context():
    """The forkserver context every child process of the harvest comes from (never fork a threaded
    harvester). Its server has the readers imported already. Python 3.11's forkserver imports them before
    it takes the parent's sys.path, with the working directory first on it: started from a source checkout
    it would import that folder's ckanext_gkcatalog, which has no harvesters package. PYTHONSAFEPATH (3.11+)
    keeps the working directory off a child's sys.path."""
    os.environ.setdefault("PYTHONSAFEPATH", "1")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ckanext_gkcatalog.harvesters.readers"])  # no effect once it runs
    return context


def run_limited(fn, *args, memory_bytes: int = MEMORY_BYTES, seconds: float = SECONDS):
    """fn(*args) in a child process (fn and its result must pickle); raises Sandboxed when it fails."""
    context = forkserver_context()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, fn, args, memory_bytes, os.getpid()), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise Sandboxed(f"took longer than {seconds:g} s")
        ok, value = receive.recv()
    except EOFError:
        child.join(5)
        raise Sandboxed(f"the reader process ended abnormally (exit code {child.exitcode}; "
                        f"out of memory or crashed)") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()
    if not ok:
        raise value if isinstance(value, Exception) else Sandboxed(value)
    return value


def exit_when_gone(pid: int, every: float = 0.5) -> None:
    """End this helper process soon after the process `pid` (the one it works for) has died, even by kill -9:
    a forkserver's child is not that process's child, so nothing else would end it."""
    def watch():
        while True:
            time.sleep(every)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # alive, as another user
                pass

    threading.Thread(target=watch, name="exit-when-gone", daemon=True).start()


def _child(send, fn, args, memory_bytes: int, parent: int) -> None:
    exit_when_gone(parent)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        result = (True, fn(*args))
    except BaseException as exc:  # noqa: BLE001 - calamine's PanicException is a BaseException
        traceback.clear_frames(exc.__traceback__)
        result = (False, exc if _picklable(exc) else f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:300]}")
    send.send(result)
    send.close()


def _picklable(exc: BaseException) -> bool:
    """An error of our own (a ReadError with its located problem) goes back as it is; others as text."""
    if not isinstance(exc, Exception):
        return False
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001
        return False
    return True
