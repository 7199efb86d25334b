"""`lutonkg serve --site`: the review site beside the SPARQL endpoint on one port, the site's query pages pointing at
the endpoint, and nothing outside the site folder served whatever the request path says."""

from __future__ import annotations

import http.client
import re
import signal
from pathlib import Path

import pytest
from project_paths import NQUADS
from serve_helpers import free_port, kill_engines, start_serve
from site_build import luton_site


def get(port: int, path: str, method: str = "GET") -> tuple[int, str, str]:
    """Status, content type and body of a request sent with the path exactly as given (no client normalising)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.putheader("Content-Length", "0")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """`lutonkg serve --site` on the Luton graph and site, with a secret file and a link out beside the site."""
    site = luton_site()[0]
    tmp = tmp_path_factory.mktemp("serve-site")
    (site.parent / "secret.txt").write_text("not for the web\n")
    link = site / "leak.txt"
    link.symlink_to(site.parent / "secret.txt")
    port = free_port()
    process, _ = start_serve(NQUADS, port, tmp, "--site", str(site))
    try:
        yield port, site
    finally:
        link.unlink()
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        kill_engines(tmp)


def test_the_site_is_served_beside_the_endpoint(served: tuple[int, Path]) -> None:
    """Pages of the site come back whole under /site/, with their types; folders redirect to their slash."""
    port, site = served
    status, kind, body = get(port, "/site/")
    assert status == 200 and kind.startswith("text/html") and body == (site / "index.html").read_text()
    status, kind, body = get(port, "/site/id/body/luton-borough-council.html")
    assert status == 200 and "<h1>Luton Borough Council</h1>" in body
    status, kind, _ = get(port, "/site/id/body/luton-borough-council.ttl")
    assert status == 200 and kind.startswith("text/turtle")
    assert get(port, "/site")[0] == 301


def test_the_site_query_pages_open_the_endpoint_query_page(served: tuple[int, Path]) -> None:
    """A query page's endpoint link names the endpoint's query page, which answers on the same server."""
    port, site = served
    page = next(iter(sorted((site / "queries").glob("*.html"))))
    _, _, body = get(port, f"/site/queries/{page.name}")
    links = re.findall(r'href="(http://127\.0\.0\.1:\d+/[^"]*)"', body)
    assert links, "the query page has no link to the endpoint"
    path = "/" + links[0].split("/", 3)[3].split("#", 1)[0]
    status, kind, _ = get(port, path)
    assert status == 200 and kind.startswith("text/html")  # Oxigraph's query page, through the front
    status, _, answer = get(port, "/query?query=ASK%7B%7D")
    assert status == 200 and "true" in answer


@pytest.mark.parametrize(
    "path",
    [
        "/site/../lutonkg.toml",
        "/site/%2e%2e/secret.txt",
        "/site/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/site/leak.txt",
        "/site//etc/passwd",
        "/site/id/%00.html",
        "/site/id/..%5c..%5csecret.txt",
        "/site/no-such-page.html",
    ],
)
def test_nothing_outside_the_site_is_served(served: tuple[int, Path], path: str) -> None:
    """Traversal, encoded dots, a symbolic link out and an absolute path all get a 404, never the file."""
    status, _, body = get(served[0], path)
    assert status == 404, (path, status, body[:200])
    assert "not for the web" not in body and "root:" not in body


def test_the_site_is_read_only(served: tuple[int, Path]) -> None:
    """Only GET and HEAD reach the site."""
    assert get(served[0], "/site/index.html", "POST")[0] == 405
    assert get(served[0], "/site/index.html", "HEAD")[0] == 200


def test_serving_a_folder_without_a_site_stops_with_one_line(tmp_path: Path) -> None:
    """--site naming a folder no site was written to: one line saying how to write it, exit 2, nothing started."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "lutonkg.cli", "serve", "--graph", str(NQUADS), "--site", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"lutonkg serve: error: {tmp_path} holds no review site (no index.html): write it first with "
        f"`lutonkg site --out {tmp_path}`"
    ]
