"""Apache Jena ARQ as a second engine: many queries over one N-Quads file in one JVM, rows as plain values.

Used to check that the query library means the same on another SPARQL 1.1 implementation
(tests/test_engine_conformance.py); each answer also carries its times, for benchmarks. Jena comes from Debian's
`libapache-jena-java` (its jars and those of the packages it depends on, found through dpkg's records) or from a
Jena distribution named by `$JENA_HOME` (its lib/ folder). The small runner `JenaQueries.java` beside this module is
compiled once (by `javac`, or by the compiler module of the Java runtime where no JDK is installed, as with Debian's
default-jre-headless) into the user's cache folder (`~/.cache/lutonkg/jena/`, or `$XDG_CACHE_HOME`), keyed by the
hash of its source, class path and Java.

>>> from lutonkg.query.jena import run_queries
>>> load_ms, answers = run_queries(Path("graph/lutonkg.nq"), ["SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"])
>>> answers[0].rows
[{'n': 42561}]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lutonkg.query.engines import Row, plain

PACKAGE = "libapache-jena-java"
RUNNER = "JenaQueries"
DPKG = Path("/var/lib/dpkg")
_SKIP_JAR = re.compile(
    r"log4j-over-slf4j|slf4j-(simple|jdk14|log4j12|jcl|nop)|jul-to|jcl-over"  # logging bridges
    r"|-[0-9][0-9.]*[^/]*\.jar$"  # versioned copies of jars also installed without a version
)
_QUIET_LOGGER = Path("/usr/share/java/slf4j-nop.jar")
_XERCES = "org/apache/jena/ext/xerces/"
# a short-lived JVM: the client compiler only, one garbage-collector thread (the machine is small and shared)
QUICK_JVM = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto")


class JenaUnavailable(Exception):
    """Jena or Java is missing here; the message says what to install."""


@dataclass
class JenaAnswer:
    """One query's answer from Jena: column names and rows (plain values), milliseconds per run, or an error."""

    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    times_ms: list[float] = field(default_factory=list)
    error: str | None = None


def cache_dir() -> Path:
    """The user's cache folder for lutonkg ($XDG_CACHE_HOME/lutonkg, else ~/.cache/lutonkg)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lutonkg"


def _dpkg_depends(package: str) -> list[str]:
    """The packages a Debian package depends on (first of each alternative), from dpkg's status file."""
    try:
        status = (DPKG / "status").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    for stanza in status.split("\n\n"):
        if re.search(rf"^Package: {re.escape(package)}$", stanza, re.MULTILINE):
            depends = re.search(r"^Depends: (.*)$", stanza, re.MULTILINE)
            names = [part.split("|")[0].split()[0] for part in depends[1].split(",")] if depends else []
            return [name.split(":")[0] for name in names]
    return []


def _dpkg_jars(package: str) -> list[Path]:
    """The jars a Debian package installed under /usr/share/java (from its dpkg file list)."""
    jars = []
    for listing in [DPKG / "info" / f"{package}.list", *sorted((DPKG / "info").glob(f"{package}:*.list"))]:
        with contextlib.suppress(OSError):
            jars += [Path(line) for line in listing.read_text(encoding="utf-8").splitlines()]
    return [j for j in jars if j.parent == Path("/usr/share/java") and j.suffix == ".jar"]


def jena_jars() -> list[Path]:
    """Jena's jars and their dependencies: $JENA_HOME/lib, else Debian's libapache-jena-java; JenaUnavailable."""
    home = os.environ.get("JENA_HOME")
    if home:
        jars = sorted((Path(home) / "lib").glob("*.jar"))
        if not jars:
            raise JenaUnavailable(f"$JENA_HOME is {home}, which has no lib/*.jar")
        return jars
    jars = _dpkg_jars(PACKAGE)
    if not any(j.name.startswith("jena-arq") for j in jars):
        raise JenaUnavailable(f"Apache Jena is not installed (Debian: apt-get install {PACKAGE}; or set $JENA_HOME)")
    for dependency in _dpkg_depends(PACKAGE):
        jars += _dpkg_jars(dependency)
    chosen = sorted({j for j in jars if not _SKIP_JAR.search(j.name) and j.exists()})
    return chosen + ([_QUIET_LOGGER] if _QUIET_LOGGER.exists() else [])


def _xerces_resources(jars: list[Path], folder: Path) -> None:
    """Copy the xerces message files Debian's jena-core keeps under org/apache/jena/ext/xerces/ to xerces/, where
    its relocated xerces classes look for them (without them ARQ stops with "internal error" on typed literals)."""
    for jar in jars:
        if not jar.name.startswith("jena-core"):
            continue
        with zipfile.ZipFile(jar) as archive:
            for name in archive.namelist():
                if name.startswith(_XERCES) and name.endswith(".properties"):
                    target = folder / "xerces" / name[len(_XERCES) :]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.read(name))


def _java_tools() -> tuple[str, list[str]]:
    """The java command and the command that compiles Java: javac, else the compiler module of the Java runtime
    (Debian's JRE holds it without the javac program); JenaUnavailable when Java is missing."""
    java, javac = shutil.which("java"), shutil.which("javac")
    if java is None:
        raise JenaUnavailable("no Java runtime on PATH (Debian: apt-get install default-jre-headless)")
    return java, [javac] if javac is not None else [java, "-m", "jdk.compiler/com.sun.tools.javac.Main"]


def runner_classpath() -> list[str]:
    """The class path to run JenaQueries: the compiled runner and xerces resources (cached), then Jena's jars."""
    java, javac = _java_tools()
    jars = jena_jars()
    source = Path(__file__).with_name(f"{RUNNER}.java")
    key = hashlib.sha256(source.read_bytes() + "\n".join(map(str, jars)).encode() + os.path.realpath(java).encode())
    folder = cache_dir() / "jena" / key.hexdigest()[:16]
    if not (folder / f"{RUNNER}.class").is_file():
        _compile(javac, source, jars, folder)
    return [str(folder), *map(str, jars)]


def _compile(javac: list[str], source: Path, jars: list[Path], folder: Path) -> None:
    """Compile the runner and unpack the resources into a fresh folder, then move it into place in one step."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=folder.parent))
    try:
        cp = os.pathsep.join(map(str, jars))
        done = subprocess.run(
            [*javac, "-nowarn", "-d", str(scratch), "-cp", cp, str(source)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            said = " ".join(done.stderr.split())[:300]
            raise JenaUnavailable(f"could not compile {source.name} (a JDK's javac helps): {said}")
        _xerces_resources(jars, scratch)
        try:
            os.rename(scratch, folder)
        except OSError:  # another process compiled it meanwhile: theirs is the same
            if not (folder / f"{RUNNER}.class").is_file():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def available() -> str | None:
    """None when Jena can run here, else the reason it cannot (what to install)."""
    try:
        runner_classpath()
    except JenaUnavailable as exc:
        return str(exc)
    return None


def _value(term: dict | None) -> object:
    """A SPARQL JSON results term as a plain value (as lutonkg.query.engines gives them)."""
    if term is None:
        return None
    if term["type"] == "uri":
        return term["value"]
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    return plain(term.get("datatype"), term["value"])


def _answer(folder: Path, index: int) -> JenaAnswer:
    """Read what the runner wrote for the query at this index."""
    error = folder / f"{index}.error"
    if error.exists():
        return JenaAnswer(error=error.read_text(encoding="utf-8").strip())
    results = json.loads((folder / f"{index}.json").read_text(encoding="utf-8"))
    columns = results["head"].get("vars", [])
    rows = [{name: _value(binding.get(name)) for name in columns} for binding in results["results"]["bindings"]]
    times = [float(t) for t in (folder / f"{index}.ms").read_text(encoding="utf-8").split()]
    return JenaAnswer(columns, rows, times)


def run_queries(
    nquads: Path,
    queries: list[str],
    repeats: int = 1,
    timeout: float | None = 600,
    jvm: tuple[str, ...] = QUICK_JVM,
) -> tuple[float, list[JenaAnswer]]:
    """Run each SELECT query `repeats` times on Jena ARQ over the N-Quads file (union as the default graph), in one
    JVM; the load time in ms and one answer per query, in order. JenaUnavailable when Jena or Java is missing."""
    return run_batches([(nquads, queries)], repeats, timeout, jvm)[0]


def run_batches(
    batches: list[tuple[Path, list[str]]],
    repeats: int = 1,
    timeout: float | None = 600,
    jvm: tuple[str, ...] = QUICK_JVM,
) -> list[tuple[float, list[JenaAnswer]]]:
    """Like run_queries for several (N-Quads file, queries) in turn, all in one JVM; one result per batch."""
    java, _ = _java_tools()
    classpath = os.pathsep.join(runner_classpath())
    with tempfile.TemporaryDirectory(prefix="lutonkg-jena-") as scratch:
        command = [java, *jvm, "-cp", classpath, RUNNER, str(repeats)]
        folders = []
        for number, (nquads, queries) in enumerate(batches):
            folder = Path(scratch) / str(number)
            folder.mkdir()
            files = [folder / f"{index}.rq" for index in range(len(queries))]
            for file, text in zip(files, queries, strict=True):
                file.write_text(text, encoding="utf-8")
            command += [str(nquads), str(folder), str(len(files)), *map(str, files)]
            folders.append(folder)
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0 or not all((folder / "load.ms").exists() for folder in folders):
            said = " ".join((done.stderr or done.stdout).split())[-500:]
            raise RuntimeError(f"the Jena runner failed (exit {done.returncode}): {said}")
        return [
            (float((f / "load.ms").read_text(encoding="utf-8")), [_answer(f, i) for i in range(len(queries))])
            for f, (_, queries) in zip(folders, batches, strict=True)
        ]
