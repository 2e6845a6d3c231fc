"""`tractatus data fetch` against a real HTTP server on 127.0.0.1: pinned checksums, one-line errors."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tractatus.cli.errors import run_cli
from tractatus.cli.main import app
from tractatus.data import sources
from tractatus.data.readers import read_clickbait
from tractatus.data.sources import SOURCES, DownloadError, RemoteFile, Source, fetch

CLICKBAIT_LINES = b"You Won't Believe These 12 Cats\n\nThis Dog Did Something Amazing\n"
NEWS_LINES = b"Council approves budget\nRain expected on Tuesday\n"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep the test's stderr to what the CLI prints
        pass


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static file server on 127.0.0.1 serving `root` (laid out like a data directory)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


def _serve(root: Path, name: str, content: bytes) -> str:
    (root / name).write_bytes(content)
    return hashlib.sha256(content).hexdigest()


def _source(base: str, files: dict[str, str | None]) -> Source:
    return Source("clickbait-chakraborty2016", "test copy", "MIT", base,
                  tuple(RemoteFile(name, f"{base}/{name}", digest) for name, digest in files.items()))


def test_fetch_downloads_verified_files_where_the_readers_find_them(server, tmp_path: Path) -> None:
    base, root = server
    clickbait, news = gzip.compress(CLICKBAIT_LINES, mtime=0), gzip.compress(NEWS_LINES, mtime=0)
    source = _source(base, {"clickbait_data.gz": _serve(root, "clickbait_data.gz", clickbait),
                            "non_clickbait_data.gz": _serve(root, "non_clickbait_data.gz", news)})
    data_dir = tmp_path / "data"
    paths = fetch(source, data_dir)
    assert [p.read_bytes() for p in paths] == [clickbait, news]
    rows = read_clickbait(data_dir)
    assert [(r.label, r.text) for r in rows][:2] == [("clickbait", "You Won't Believe These 12 Cats"),
                                                    ("clickbait", "This Dog Did Something Amazing")]
    assert sum(r.label == "news" for r in rows) == 2


def test_a_checksum_mismatch_is_one_clear_error_and_leaves_no_file(server, tmp_path: Path) -> None:
    base, root = server
    _serve(root, "clickbait_data.gz", b"tampered")
    source = _source(base, {"clickbait_data.gz": hashlib.sha256(b"the original").hexdigest()})
    with pytest.raises(DownloadError) as error:
        fetch(source, tmp_path / "data")
    assert "checksum" in str(error.value) and "\n" not in str(error.value)
    assert not (tmp_path / "data" / source.name / "clickbait_data.gz").exists()


def test_unpinned_files_need_allow_unverified_and_report_their_digest(server, tmp_path: Path) -> None:
    base, root = server
    digest = _serve(root, "clickbait_data.gz", b"anything")
    source = _source(base, {"clickbait_data.gz": None})
    with pytest.raises(DownloadError, match="--allow-unverified"):
        fetch(source, tmp_path / "data")
    lines: list[str] = []
    (path,) = fetch(source, tmp_path / "data", allow_unverified=True, report=lines.append)
    assert path.read_bytes() == b"anything" and digest in lines[0]


def test_a_missing_file_on_the_server_is_one_line(server, tmp_path: Path) -> None:
    base, _ = server
    with pytest.raises(DownloadError, match="cannot download") as error:
        fetch(_source(base, {"clickbait_data.gz": "0" * 64}), tmp_path / "data")
    assert "\n" not in str(error.value)


def _cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tractatus", *args])
    code = run_cli(app)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_fetch_from_a_mirror_checks_the_pinned_sha256(server, tmp_path: Path, monkeypatch, capsys) -> None:
    base, root = server
    (root / "davidson2017").mkdir()
    good = b"count,hate_speech,offensive_language,neither,class,tweet\n3,0,0,3,2,hello there\n"
    pinned = Source("davidson2017", "test", "MIT", base,
                    (RemoteFile("labeled_data.csv", None, hashlib.sha256(good).hexdigest()),))
    monkeypatch.setitem(SOURCES, "davidson2017", pinned)
    (root / "davidson2017" / "labeled_data.csv").write_bytes(b"not the pinned file")
    code, _, err = _cli(monkeypatch, capsys, "data", "fetch", "davidson2017", "--data-dir", str(tmp_path / "d"), "--mirror", base)
    assert code != 0 and err.count("\n") == 1 and "checksum" in err and "Traceback" not in err
    (root / "davidson2017" / "labeled_data.csv").write_bytes(good)
    code, _, err = _cli(monkeypatch, capsys, "data", "fetch", "davidson2017", "--data-dir", str(tmp_path / "d"), "--mirror", base)
    assert code == 0, err
    assert (tmp_path / "d" / "davidson2017" / "labeled_data.csv").read_bytes() == good


def test_cli_names_unknown_sources_and_manual_downloads(tmp_path: Path, monkeypatch, capsys) -> None:
    code, _, err = _cli(monkeypatch, capsys, "data", "fetch", "no-such-source", "--data-dir", str(tmp_path))
    assert code == 2 and "choose from" in err and err.count("\n") == 1
    code, _, err = _cli(monkeypatch, capsys, "data", "fetch", "upworthy-archive", "--data-dir", str(tmp_path))
    assert code == 2 and "osf.io" in err and err.count("\n") == 1


def test_cli_data_path_follows_the_option_then_the_environment(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TRACTATUS_DATA_DIR", str(tmp_path / "env"))
    assert _cli(monkeypatch, capsys, "data", "path")[1].strip() == str(tmp_path / "env")
    assert _cli(monkeypatch, capsys, "data", "path", "--data-dir", str(tmp_path / "opt"))[1].strip() == str(tmp_path / "opt")


def test_every_registered_source_names_its_licence_and_landing_page() -> None:
    for source in sources.SOURCES.values():
        assert source.licence and source.landing.startswith("https://") and source.files
        for remote in source.files:
            assert remote.sha256 is None or len(remote.sha256) == 64
