"""HermiT in a Java VM inside this process (through JPype), kept between runs by a command that lives long
(`lutonkg build --watch`). A fresh JVM spends most of a short run of HermiT loading and compiling its code; a JVM
kept warm runs it on the Luton data in about a third of a second after a few runs, against 1.2-1.6 s for a fresh one
(docs/benchmarks.md, section e). owlready2 still writes HermiT's input and reads its answer: only its call of the
`java` command is answered by HermiT's own command line, run in this JVM, with the same arguments and output."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

HERMIT_MAIN = "org.semanticweb.HermiT.cli.CommandLine"
WARM_UP_RUNS = 8  # runs of HermiT on the current input that compile its code before the first edit needs it
_LOCK = threading.Lock()  # one run of HermiT at a time: each replaces Java's standard output while it runs
_STATE: dict[str, object] = {"ready": False, "primed": False, "warming": None}
_STOP = threading.Event()  # stops the warm-up after its run under way: the process ends, or a build needs HermiT


def start() -> str | None:
    """Start the JVM in this process (once) with owlready2's HermiT on its class path; None when it is ready, else
    why not (one line: HermiT then runs in a fresh `java` each time, as in any other command)."""
    if _STATE["ready"]:
        return None
    try:
        import jpype
        import owlready2.reasoning as owl_reasoning
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install 'lutonkg[watch]')"
    if jpype.isJVMStarted():
        return "another Java VM is already running in this process"
    libjvm = _libjvm()
    if libjvm is None:
        return "no Java runtime library (libjvm) was found beside `java`"
    # -Xrs: signals stay Python's (Ctrl-C, SIGTERM); the serial collector: a third less time per warm run here;
    # user.dir: HermiT makes a base IRI from it and fails in `/`
    options = [f"-Xmx{owl_reasoning.JAVA_MEMORY}M", "-XX:+UseSerialGC", "-Xrs", f"-Duser.dir={tempfile.gettempdir()}"]
    try:
        jpype.startJVM(*options, jvmpath=libjvm, classpath=owl_reasoning._HERMIT_CLASSPATH.split(os.pathsep),
                       interrupt=False)  # fmt: skip
    except (OSError, RuntimeError, TypeError) as exc:
        return f"the Java VM did not start in this process ({str(exc).splitlines()[0] if str(exc) else exc})"
    _STATE["ready"] = True
    return None


def ready() -> bool:
    """Whether HermiT runs in this process's JVM (start() succeeded)."""
    return bool(_STATE["ready"])


def _libjvm() -> str | None:
    """The JVM library of the `java` on PATH (the runtime any other command would use), or None."""
    java = shutil.which("java")
    if java is None:
        return None
    home = Path(os.path.realpath(java)).parent.parent
    for candidate in (home / "lib" / "server" / "libjvm.so", home / "jre" / "lib" / "server" / "libjvm.so",
                      home / "lib" / "server" / "libjvm.dylib", home / "bin" / "server" / "jvm.dll"):  # fmt: skip
        if candidate.is_file():
            return str(candidate)
    return None


@contextlib.contextmanager
def routed(owl_reasoning: ModuleType) -> Iterator[None]:
    """While the block runs, owlready2's reasoning module runs HermiT in this JVM when it asks for the `java`
    command (its `subprocess.check_output`); anything else it runs, it runs as before."""
    real = owl_reasoning.subprocess
    owl_reasoning.subprocess = _Subprocess(real)
    try:
        yield
    finally:
        owl_reasoning.subprocess = real


class _Subprocess:
    """The subprocess module, but for a check_output() of HermiT's command line, answered in this JVM."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real

    def __getattr__(self, name: str) -> object:
        """Everything else the subprocess module has (CalledProcessError, STDOUT, run ...), as it is."""
        return getattr(self._real, name)

    def check_output(self, command: list[str], *args: object, **kwargs: object) -> bytes:
        """What `command` prints (stdout and stderr, as owlready2 asks), HermiT run here when it is HermiT's."""
        if HERMIT_MAIN not in command:
            return self._real.check_output(command, *args, **kwargs)
        _STOP.set()  # a build's run: the warm-up has done its part
        return run_hermit(command[command.index(HERMIT_MAIN) + 1 :], command)


def run_hermit(arguments: list[str], command: list[str] | None = None) -> bytes:
    """Run HermiT's command line with these arguments in this JVM and return what it printed; CalledProcessError
    (exit status 1, Java's exception in its output, as the `java` command gives it) when it throws."""
    import jpype

    system = jpype.JClass("java.lang.System")
    stream = jpype.JClass("java.io.ByteArrayOutputStream")()
    with _LOCK:
        out, err = system.out, system.err
        printer = jpype.JClass("java.io.PrintStream")(stream, True, "UTF-8")
        system.setOut(printer)
        system.setErr(printer)
        try:
            jpype.JClass(HERMIT_MAIN).main(arguments)
            failure = None
        except jpype.JException as exc:
            failure = f'Exception in thread "main" {exc.getClass().getName()}: {exc.getMessage()}\n'
        finally:
            system.setOut(out)
            system.setErr(err)
            printer.flush()
    printed = bytes(stream.toByteArray())
    if failure is not None:
        raise subprocess.CalledProcessError(1, command or arguments, output=printed + failure.encode("utf-8"))
    return printed


def prime(lines: set[str]) -> None:
    """Once per process, when HermiT runs in this JVM: run it a few times on these N-Triples lines (HermiT's current
    input) in a helper thread, so that its code is compiled before an edit needs it. A run that a build asks for
    meanwhile waits for the one under way, and ends the warm-up."""
    if not ready() or _STATE["primed"]:
        return
    _STATE["primed"] = True
    _STOP.clear()  # set by the build's own run, if it has just had one
    warming = threading.Thread(target=_warm_up, args=("".join(f"{line} .\n" for line in sorted(lines)),),
                               daemon=True, name="lutonkg-hermit-warm-up")  # fmt: skip
    _STATE["warming"] = warming
    warming.start()


def stop() -> None:
    """Stop the warm-up (after its run under way, at most a few seconds) before the process ends: a thread still in
    Java when Python shuts down aborts the process."""
    _STOP.set()
    warming = _STATE["warming"]
    if isinstance(warming, threading.Thread):
        warming.join()


def _warm_up(text: str) -> None:
    """Run HermiT WARM_UP_RUNS times on this input (a temporary file, removed after), ignoring what it says."""
    handle, name = tempfile.mkstemp(suffix=".nt", prefix="lutonkg-warm-up-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        for _ in range(WARM_UP_RUNS):
            if _STOP.is_set():
                return
            with contextlib.suppress(subprocess.CalledProcessError):
                run_hermit(["-c", "-O", "-D", "-I", Path(name).as_uri(), "-Y"])
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
