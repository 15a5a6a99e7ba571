"""`evidencelab` as a process forked from the test process, for shell scripts that run it
many times (the docs' console examples).

A real start of the command imports SQLAlchemy, typer, pydantic and the package: most of
a second, paid again by each of the ~170 commands the docs show. Here ``evidencelab`` on
the script's PATH is a small stand-in that passes its arguments, working folder,
environment and standard streams over a Unix socket to this process, which forks a
child with everything already imported; the child takes over those streams, folder and
environment and runs the command-line entry point the installed script calls, in a
process of its own, and its exit status goes back to the script as the stand-in's.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import io
import json
import multiprocessing.forkserver
import multiprocessing.resource_tracker
import os
import selectors
import socket
import struct
import subprocess
import sys
import time
import traceback
from pathlib import Path

# The stand-in: the standard library only, started isolated (-I) and without site (-S),
# so that it costs a few milliseconds.
STAND_IN = """#!{python} -IS
import json, os, socket, struct, sys
connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
connection.connect({address!r})
request = json.dumps({{"argv": sys.argv, "cwd": os.getcwd(), "env": dict(os.environ)}})
data = request.encode("utf-8", "surrogateescape")
socket.send_fds(connection, [struct.pack("!I", len(data)) + data], [0, 1, 2])
reply = b""
while len(reply) < 4:
    chunk = connection.recv(4 - len(reply))
    if not chunk:
        sys.exit("evidencelab: the test process serving this command went away")
    reply += chunk
sys.exit(struct.unpack("!i", reply)[0])
"""


def _stand_in(folder: Path, address: str) -> Path:
    script = folder / "evidencelab"
    script.write_text(STAND_IN.format(python=sys.executable, address=address), encoding="utf-8")
    script.chmod(0o755)
    return folder


def _read_request(connection: socket.socket) -> tuple[dict[str, object], list[int]]:
    data, fds, _flags, _address = socket.recv_fds(connection, 65536, 3)
    size = struct.unpack("!I", data[:4])[0]
    body = data[4:]
    while len(body) < size:
        chunk = connection.recv(size - len(body))
        if not chunk:
            raise ConnectionError("the stand-in closed its connection mid-request")
        body += chunk
    return json.loads(body.decode("utf-8", "surrogateescape")), fds


def _run_child(request: dict[str, object], fds: list[int]) -> None:
    """In the forked child: become the command's process, run it, exit with its status."""
    status = 70
    try:
        atexit._clear()  # the test process's exit handlers are not the command's
        # The test process's multiprocessing helpers (a forkserver, a resource tracker)
        # are its children, not this one's: start from none, as a new process does.
        importlib.reload(multiprocessing.forkserver)
        importlib.reload(multiprocessing.resource_tracker)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(str(request["cwd"]))
        os.environ.clear()
        os.environ.update(request["env"])  # type: ignore[arg-type]
        # Fresh streams over descriptors 0-2, as a new interpreter would make them.
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
        sys.stderr = io.TextIOWrapper(
            io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace"
        )
        sys.argv = [str(a) for a in request["argv"]]  # type: ignore[attr-defined]
        from evidencelab.cli import main

        try:
            main()
            status = 0
        except SystemExit as leaving:
            code = leaving.code
            if code is None or isinstance(code, int):
                status = code or 0
            else:
                print(code, file=sys.stderr)
                status = 1
        except BaseException:
            traceback.print_exc()
            status = 1
        atexit._run_exitfuncs()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def _status(wait_status: int) -> int:
    """A child's wait status as a shell reports it (128 + N for a signal N)."""
    if os.WIFSIGNALED(wait_status):
        return 128 + os.WTERMSIG(wait_status)
    return os.WEXITSTATUS(wait_status)


def run(script: list[str], folder: Path, *, cwd: Path, env: dict[str, str], timeout: float) -> str:
    """Run ``script`` (a command line starting a shell) with the stand-in first on its PATH,
    serving each ``evidencelab`` it starts, until it ends; its standard output (standard
    input is empty). ``folder`` holds the stand-in, its socket and the output file."""
    from evidencelab.cli import load_commands

    load_commands()  # every command module imported once here, not again in each child

    address = str(folder / "cli.sock")
    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
        listener.bind(address)
        stack.callback(os.unlink, address)
        listener.listen(8)
        listener.setblocking(False)
        output = stack.enter_context(open(folder / "output.txt", "w+b"))
        env = {**env, "PATH": f"{_stand_in(folder, address)}{os.pathsep}{env['PATH']}"}
        shell = subprocess.Popen(
            script, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output
        )
        stack.callback(_stop, shell)
        children: dict[int, socket.socket] = {}
        selector = stack.enter_context(selectors.DefaultSelector())
        selector.register(listener, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while shell.poll() is None or children:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{script} ran longer than {timeout} s")
            if selector.select(timeout=0.01):
                connection, _address = listener.accept()
                connection.setblocking(True)
                request, fds = _read_request(connection)
                pid = os.fork()
                if pid == 0:
                    _run_child(request, fds)
                for fd in fds:
                    os.close(fd)
                children[pid] = connection
            for pid in list(children):
                done, wait_status = os.waitpid(pid, os.WNOHANG)
                if done:
                    connection = children.pop(pid)
                    with contextlib.suppress(OSError):
                        connection.sendall(struct.pack("!i", _status(wait_status)))
                    connection.close()
        output.seek(0)
        return output.read().decode("utf-8", "replace")


def _stop(shell: subprocess.Popen[bytes]) -> None:
    if shell.poll() is None:
        shell.kill()
        shell.wait()
