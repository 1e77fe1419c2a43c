"""`vivier fetch ted|boamp|decp` against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import io
import json
import socket
import tarfile
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from typer.testing import CliRunner

from vivier.cli import app
from vivier.pipeline.fetch import parse_issue, ted_issue_of

SAMPLES = Path(__file__).parents[1] / "src" / "vivier" / "demo_data"
EFORMS = sorted((SAMPLES / "ted-eforms" / "real-notices").glob("*.xml"))[:3]
BOAMP_EXPORT = [
    {
        "idweb": "25-99999",
        "objet": "Maintenance d'un logiciel de gestion",
        "dateparution": "2025-12-19",
        "datelimitereponse": "2026-01-20T11:00:00+00:00",
        "nomacheteur": "Commune test",
        "code_departement": ["35"],
        "nature": "APPEL_OFFRE",
    }
]


def ted_package() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in EFORMS:
            tar.add(path, arcname=f"20240001/{path.name}")
        note = b"not a notice"
        info = tarfile.TarInfo("20240001/README.txt")
        info.size = len(note)
        tar.addfile(info, io.BytesIO(note))
    return buffer.getvalue()


class Handler(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server API)
        Handler.requests.append(self.path)
        url = urlparse(self.path)
        if url.path == "/packages/daily/202400157":
            self._send(ted_package(), "application/gzip")
        elif url.path == "/boamp/exports/json":
            where = parse_qs(url.query).get("where", [""])[0]
            body = BOAMP_EXPORT if "2025-12-19" in where else []
            self._send(json.dumps(body).encode(), "application/json")
        elif url.path == "/decp.json":
            self._send((SAMPLES / "decp-2019" / "decp_test_2019.json").read_bytes(), "text/json")
        elif url.path == "/waf/202400157":
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_error(404)

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def urls(server, monkeypatch):
    monkeypatch.setenv("VIVIER_TED_URL", f"{server}/packages/daily/")
    monkeypatch.setenv("VIVIER_BOAMP_URL", f"{server}/boamp/exports/json")
    monkeypatch.setenv("VIVIER_DECP_URL", f"{server}/decp.json")
    return server


def run(home: Path, *args):
    return CliRunner().invoke(app, ["--home", str(home), *map(str, args)])


def test_fetch_ted_extracts_the_notices_then_ingest_loads_them(home, urls, tmp_path):
    result = run(home, "fetch", "ted", "--issue", "2024-157", "--out", tmp_path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["url"].endswith("/packages/daily/202400157")
    assert sorted(Path(f).name for f in data["files"]) == [p.name for p in EFORMS]
    assert Path(data["archive"]).is_file() and data["size"] > 0
    ingest = run(home, "ingest", "--json", *data["files"])
    assert ingest.exit_code == 0, ingest.output
    assert [f["format"] for f in json.loads(ingest.stdout)["files"]] == ["ted-eforms"] * 3


def test_fetch_boamp_one_day(home, urls, tmp_path):
    result = run(home, "fetch", "boamp", "--date", "2025-12-19", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    target = tmp_path / "boamp-2025-12-19.json"
    assert json.loads(target.read_text()) == BOAMP_EXPORT
    sent = [unquote(r) for r in Handler.requests]
    assert any("dateparution=date'2025-12-19'" in r for r in sent)
    ingest = run(home, "ingest", "--json", target)
    assert json.loads(ingest.stdout)["files"][0]["loaded"] == 1


def test_fetch_decp(home, urls, tmp_path):
    result = run(home, "fetch", "decp", "--out", tmp_path, "--date", "2025-01-01")
    assert result.exit_code == 0, result.output
    assert "--date ignorée" in result.stdout
    assert (tmp_path / "decp.json").read_bytes() == (
        SAMPLES / "decp-2019" / "decp_test_2019.json"
    ).read_bytes()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_offline_is_a_clear_french_message(home, tmp_path, monkeypatch):
    monkeypatch.setenv("VIVIER_BOAMP_URL", f"http://127.0.0.1:{free_port()}/boamp")
    result = run(home, "fetch", "boamp", "--date", "2025-12-19", "--out", tmp_path)
    assert result.exit_code == 1
    assert "Réseau injoignable" in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_server_errors_are_reported(home, urls, tmp_path, monkeypatch):
    missing = run(home, "fetch", "ted", "--issue", "2024-1", "--out", tmp_path)
    assert missing.exit_code == 1 and "404" in missing.stderr
    monkeypatch.setenv("VIVIER_TED_URL", f"{urls}/waf/")
    waiting = run(home, "fetch", "ted", "--issue", "2024-157", "--out", tmp_path)
    assert waiting.exit_code == 1 and "202" in waiting.stderr
    unknown = run(home, "fetch", "sirene", "--out", tmp_path)
    assert unknown.exit_code == 1 and "Source inconnue" in unknown.stderr


def test_issue_numbers():
    assert parse_issue("2024-157") == parse_issue("2024/157") == "202400157"
    assert parse_issue("202400157") == "202400157"
    assert ted_issue_of(date(2024, 1, 2)) == "202400001"  # no issue on 1 January
    assert ted_issue_of(date(2024, 1, 8)) == "202400005"  # nor on weekends
    with pytest.raises(Exception, match="JO S invalide"):
        parse_issue("157")
