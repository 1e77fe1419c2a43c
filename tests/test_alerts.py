"""Saved searches and alerts: digests never repeat a notice; a failed send is retried."""

from __future__ import annotations

import json
import socket
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from vivier.cli import app

SAMPLES = Path(__file__).parents[1] / "src" / "vivier" / "demo_data"
ON = "2017-01-20"  # the BOAMP call 16-186394 (Ville de Paris, remorquage) is open that day


class Inbox:
    """An SMTP handler keeping messages; `fail` makes it answer 451 to every message."""

    def __init__(self, fail: bool = False):
        self.fail = fail
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        if self.fail:
            return "451 Réessayez plus tard"
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp():
    servers = []

    def start(fail: bool = False) -> tuple[Inbox, int]:
        inbox = Inbox(fail)
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        return inbox, controller.port

    yield start
    for controller in servers:
        controller.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def loaded(home: Path, monkeypatch) -> Path:
    monkeypatch.delenv("VIVIER_SMTP_HOST", raising=False)
    files = sorted((SAMPLES / "boamp" / "boamp-xml-v230").glob("test-pub*.xml"))
    files += sorted((SAMPLES / "ted-eforms" / "ted-xml-converter-fr" / "ted-xml").glob("*.xml"))
    result = run(home, "ingest", *map(str, files))
    assert result.exit_code == 0, result.output
    return home


def run(home: Path, *args: str):
    return CliRunner().invoke(app, ["--home", str(home), *map(str, args)])


def add_towing_search(home: Path, email: str = "veille@example.fr"):
    result = run(
        home,
        "alerts",
        "add",
        "--email",
        email,
        "--name",
        "Remorquage",
        "--text",
        "remorquage véhicules",
        "--region",
        "Île-de-France",
        "--cpv",
        "50000000",
    )
    assert result.exit_code == 0, result.output
    return result


def test_add_and_list(loaded: Path):
    added = add_towing_search(loaded)
    assert "Recherche n° 1 « Remorquage » enregistrée pour veille@example.fr" in added.stdout
    listed = run(loaded, "alerts", "list", "--json")
    [search] = json.loads(listed.stdout)
    assert search["cpv_codes"] == ["50"]  # 50000000: the whole division 50
    assert search["regions"] == ["11"]
    assert search["text"] == "remorquage véhicules"


@pytest.mark.parametrize(
    "args,message",
    [
        (["--email", "pas-une-adresse", "--name", "x"], "Adresse e-mail invalide"),
        (["--email", "a@b.fr", "--name", "x", "--cpv", "99999999"], "Code CPV inconnu"),
        (["--email", "a@b.fr", "--name", "x", "--region", "Atlantide"], "Région inconnue"),
        (["--email", "a@b.fr", "--name", " "], "ne peut pas être vide"),
    ],
)
def test_add_refuses_bad_input(loaded: Path, args, message):
    result = run(loaded, "alerts", "add", *args)
    assert result.exit_code == 1
    assert message in result.stderr


def test_digest_is_written_once_and_not_repeated(loaded: Path, tmp_path: Path):
    add_towing_search(loaded)
    out = tmp_path / "digests"
    first = run(loaded, "alerts", "run", "--out", out, "--on", ON, "--json")
    assert first.exit_code == 0, first.output
    [report] = json.loads(first.stdout)
    assert report["status"] == "written" and report["found"] == 1 and report["delivered"] == 1
    html = Path(report["files"][0]).read_text(encoding="utf-8")
    text = Path(report["files"][1]).read_text(encoding="utf-8")
    assert "Prestations de remorquage pour les véhicules" in html
    assert "1 nouvel avis" in text and "Ville de Paris" in text
    assert "<h2>" in html and 'lang="fr"' in html
    second = run(loaded, "alerts", "run", "--out", out, "--on", ON, "--json")
    [again] = json.loads(second.stdout)
    assert again["status"] == "nothing" and again["found"] == 0 and again["files"] == []
    assert len(list(out.iterdir())) == 2


def test_search_filters_exclude_closed_and_other_regions(loaded: Path, tmp_path: Path):
    add_towing_search(loaded)
    # 2017-03-01: the towing call closed on 2017-02-07
    late = run(loaded, "alerts", "run", "--out", tmp_path, "--on", "2017-03-01", "--json")
    assert json.loads(late.stdout)[0]["found"] == 0
    run(
        loaded,
        "alerts",
        "add",
        "--email",
        "a@b.fr",
        "--name",
        "Bretagne",
        "--text",
        "remorquage",
        "--region",
        "53",
    )
    result = run(loaded, "alerts", "run", "--out", tmp_path, "--on", ON, "--json")
    reports = {r["name"]: r for r in json.loads(result.stdout)}
    assert reports["Bretagne"]["found"] == 0


def test_email_sent_once_over_smtp(loaded: Path, tmp_path: Path, smtp, monkeypatch):
    inbox, port = smtp()
    monkeypatch.setenv("VIVIER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("VIVIER_SMTP_PORT", str(port))
    add_towing_search(loaded, "startup@example.fr")
    first = run(loaded, "alerts", "run", "--out", tmp_path, "--on", ON)
    assert first.exit_code == 0, first.output
    assert "envoyé par e-mail" in first.stdout
    [message] = inbox.messages
    assert message["To"] == "startup@example.fr"
    assert message["Subject"] == "vivier — 1 nouvel avis pour « Remorquage »"
    assert "remorquage" in message.get_body(("plain",)).get_content()
    assert "<h1>" in message.get_body(("html",)).get_content()
    run(loaded, "alerts", "run", "--out", tmp_path, "--on", ON)
    assert len(inbox.messages) == 1  # nothing new: nothing sent


def test_failed_send_is_retried_on_next_run(loaded: Path, tmp_path: Path, smtp, monkeypatch):
    add_towing_search(loaded)
    _, failing_port = smtp(fail=True)
    monkeypatch.setenv("VIVIER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("VIVIER_SMTP_PORT", str(failing_port))
    failed = run(loaded, "alerts", "run", "--out", tmp_path, "--on", ON, "--json")
    assert failed.exit_code == 0
    [report] = json.loads(failed.stdout)
    assert report["status"] == "failed" and "451" in report["error"]
    assert "réessayé au prochain passage" in failed.stderr

    inbox, port = smtp()
    monkeypatch.setenv("VIVIER_SMTP_PORT", str(port))
    retried = run(loaded, "alerts", "run", "--out", tmp_path, "--on", ON, "--json")
    [report] = json.loads(retried.stdout)
    assert report["status"] == "sent"
    assert report["found"] == 0 and report["delivered"] == 1  # the pending notice, not lost
    assert len(inbox.messages) == 1
    run(loaded, "alerts", "run", "--out", tmp_path, "--on", ON)
    assert len(inbox.messages) == 1


def test_unreachable_smtp_server_is_a_failure_not_a_crash(loaded, tmp_path, monkeypatch):
    add_towing_search(loaded)
    monkeypatch.setenv("VIVIER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("VIVIER_SMTP_PORT", str(free_port()))  # nobody listens there
    result = run(loaded, "alerts", "run", "--out", tmp_path, "--on", ON, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["status"] == "failed"


def test_remove_search(loaded: Path):
    add_towing_search(loaded)
    assert run(loaded, "alerts", "remove", "1").exit_code == 0
    assert json.loads(run(loaded, "alerts", "list", "--json").stdout) == []
    missing = run(loaded, "alerts", "remove", "1")
    assert missing.exit_code == 1 and "Aucune recherche" in missing.stderr


@pytest.mark.postgres
def test_alerts_on_postgresql(loaded: Path, tmp_path: Path, monkeypatch):
    """The same delivery rules when the app database is PostgreSQL."""
    from census_support import private_postgres

    with private_postgres() as pg:
        monkeypatch.setenv("VIVIER_DATABASE_URL", pg.database_url)
        add_towing_search(loaded)
        first = run(loaded, "alerts", "run", "--out", tmp_path, "--on", ON, "--json")
        assert json.loads(first.stdout)[0]["found"] == 1, first.output
        second = run(loaded, "alerts", "run", "--out", tmp_path, "--on", ON, "--json")
        assert json.loads(second.stdout)[0]["status"] == "nothing"


def test_help_of_the_commands(home: Path):
    for args in (
        ["alerts", "--help"],
        ["alerts", "add", "--help"],
        ["match", "tenders", "--help"],
        ["tenders", "list", "--help"],
        ["fetch", "--help"],
    ):
        result = run(home, *args)
        assert result.exit_code == 0, (args, result.output)
        assert "Usage" in result.stdout and "Erreur" not in result.output
