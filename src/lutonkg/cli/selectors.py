"""`lutonkg selectors`: generate the W3C Web Annotation selectors of every citation from the source texts."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from lutonkg.cli.common import NO_SOURCES, fail, project


def _cmd_selectors(args: argparse.Namespace) -> int:
    """Compare selectors.yaml with what the source texts give; with --write, rewrite it."""
    from lutonkg.checks.citations import source_texts
    from lutonkg.data import selectors
    from lutonkg.data.load import DataError, load_data

    proj = project(args)
    directory = proj.sources_dir(args.sources)
    if directory is None:
        return fail("selectors", NO_SOURCES)
    data_dir = Path(args.data) if args.data else proj.data_dir
    try:
        data = load_data(data_dir)
    except DataError as exc:
        return fail("selectors", str(exc), 1)
    texts, failures = source_texts(data, directory)
    made, problems = selectors.generate(data, texts)
    for line in failures + problems:
        print(line)
    text = selectors.render(made, [d["id"] for d in data["documents"]])
    path = data_dir / selectors.FILE
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if args.write:
        if current != text:
            _write_atomically(path, text)
        print(f"{len(made)} selectors for {len(selectors.cited_keys(data))} cited anchors written to {path}")
        return 1 if failures or problems else 0
    state = "up to date" if current == text else "out of date: run `lutonkg selectors --write`"
    print(f"{len(made)} selectors for {len(selectors.cited_keys(data))} cited anchors; {path} is {state}")
    return 0 if current == text and not (failures or problems) else 1


def _write_atomically(path: Path, text: str) -> None:
    """Replace a file by a complete new version (written beside it, then renamed over it)."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, path.stat().st_mode & 0o777 if path.is_file() else 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register selectors."""
    p = sub.add_parser(
        "selectors",
        help="make the W3C selectors (quote, position) of every citation from the source texts (graph/data/"
        "selectors.yaml); without --write, say whether the stored file is up to date",
    )
    p.add_argument("--write", action="store_true", help="rewrite graph/data/selectors.yaml")
    p.add_argument("--sources", help="folder of source texts (default: $LUTONKG_SOURCES, or the project's setting)")
    p.add_argument("--data", help="folder of curated YAML files (default: the project's graph/data)")
    p.set_defaults(func=_cmd_selectors)
