"""`vivier fetch ted|boamp|decp`: download the official open data for `vivier ingest`.

- TED: the daily package of one issue of the OJ S, `{ted_url}{yyyynnnnn}` (a .tar.gz of
  notices); its XML notices are extracted next to the archive.
- BOAMP: the DILA open-data export of the notices published on one day, as JSON
  (`{boamp_url}?where=dateparution=date'YYYY-MM-DD'`).
- DECP: the consolidated file at `decp_url` (the whole file; no date).

URLs come from the settings (VIVIER_TED_URL, VIVIER_BOAMP_URL, VIVIER_DECP_URL). Network
failures become a French `NetworkError`; nothing half-written is left behind.
"""

from __future__ import annotations

import logging
import tarfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

import httpx

from vivier.config import Settings
from vivier.errors import BadValueError, NetworkError

log = logging.getLogger(__name__)
SOURCES = ("ted", "boamp", "decp")
TIMEOUT = httpx.Timeout(60.0, connect=15.0)


@dataclass
class FetchResult:
    source: str
    url: str
    archive: str
    size: int
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


NO_ISSUE_DAYS = {(1, 1), (12, 25)}  # no OJ S on New Year's Day and Christmas


def ted_issue_of(day: date) -> str:
    """An estimate of the OJ S issue published on `day`: its rank among the year's weekdays
    but 1 January and 25 December (other public holidays of the EU institutions shift it
    by a few numbers: `--issue` names the issue exactly)."""
    first = date(day.year, 1, 1)
    rank = sum(
        1
        for n in range((day - first).days + 1)
        if (current := first + timedelta(n)).weekday() < 5
        and (current.month, current.day) not in NO_ISSUE_DAYS
    )
    return f"{day.year}{max(rank, 1):05d}"


def parse_issue(raw: str) -> str:
    """'2024-157', '2024/157' or '202400157' → '202400157'."""
    text = raw.strip().replace("/", "-")
    year, _, number = text.partition("-") if "-" in text else (text[:4], "", text[4:])
    if not (year.isdigit() and len(year) == 4 and number.isdigit() and 0 < int(number) < 100000):
        raise BadValueError(f"Numéro de JO S invalide : « {raw} » (forme AAAA-NNN, ex. 2024-157).")
    return f"{year}{int(number):05d}"


def fetch(
    settings: Settings,
    source: str,
    day: date | None = None,
    issue: str | None = None,
    out_dir: Path | None = None,
    progress=None,
) -> FetchResult:
    if source not in SOURCES:
        raise BadValueError(f"Source inconnue : « {source} » (ted, boamp ou decp).")
    out_dir = out_dir or settings.home / "telechargements"
    out_dir.mkdir(parents=True, exist_ok=True)
    if source == "ted":
        return _fetch_ted(settings, day, issue, out_dir, progress)
    if source == "boamp":
        day = day or date.today() - timedelta(days=1)
        url = settings.boamp_url
        params = {"where": f"dateparution=date'{day.isoformat()}'"}
        target = out_dir / f"boamp-{day.isoformat()}.json"
        size = download(url, target, params, progress)
        return FetchResult("boamp", url, str(target), size, [str(target)])
    target = out_dir / "decp.json"
    size = download(settings.decp_url, target, None, progress)
    notes = []
    if day:
        notes.append("--date ignorée : le fichier consolidé des DECP est téléchargé en entier.")
    return FetchResult("decp", settings.decp_url, str(target), size, [str(target)], notes)


def _fetch_ted(settings, day, issue, out_dir: Path, progress) -> FetchResult:
    notes = []
    if issue:
        package = parse_issue(issue)
    else:
        package = ted_issue_of(day or date.today())
        notes.append(
            f"Numéro de JO S estimé d'après la date : {package[:4]}-{int(package[4:])} "
            "(--issue pour l'imposer)."
        )
    url = settings.ted_url.rstrip("/") + "/" + package
    archive = out_dir / f"ted-{package}.tar.gz"
    size = download(url, archive, None, progress)
    files = extract_xml(archive, out_dir / f"ted-{package}")
    return FetchResult("ted", url, str(archive), size, [str(f) for f in files], notes)


def download(url: str, target: Path, params: dict | None, progress=None) -> int:
    """Stream `url` into `target` (via a temporary file); returns the number of bytes."""
    host = urlparse(url).netloc or url
    partial = target.with_name(target.name + ".part")
    try:
        with (
            httpx.Client(timeout=TIMEOUT, follow_redirects=True) as client,
            client.stream("GET", url, params=params) as response,
        ):
            _check_status(response, url)
            size = 0
            with open(partial, "wb") as handle:
                for chunk in response.iter_bytes():
                    handle.write(chunk)
                    size += len(chunk)
                    if progress:
                        progress(len(chunk))
    except httpx.TransportError as error:
        partial.unlink(missing_ok=True)
        raise NetworkError(
            f"Réseau injoignable : impossible de télécharger depuis {host} ({error}). "
            "Vérifiez la connexion, ou l'adresse dans les réglages (VIVIER_TED_URL, "
            "VIVIER_BOAMP_URL, VIVIER_DECP_URL)."
        ) from None
    if size == 0:
        partial.unlink(missing_ok=True)
        raise NetworkError(f"{host} a renvoyé une réponse vide pour {url}.")
    partial.replace(target)
    log.info("downloaded %s (%d bytes) to %s", url, size, target)
    return size


def _check_status(response: httpx.Response, url: str) -> None:
    if response.status_code == 404:
        raise NetworkError(f"Rien à télécharger à cette adresse (404) : {url}.")
    if response.status_code == 202:
        raise NetworkError(
            f"Le serveur a mis la demande en attente (202, sans contenu) : {url}. "
            "Réessayez plus tard ou téléchargez le fichier à la main."
        )
    if response.status_code >= 400:
        raise NetworkError(f"Le serveur a répondu {response.status_code} pour {url}.")


def extract_xml(archive: Path, directory: Path) -> list[Path]:
    """The XML notices of a TED package (nested folders flattened, nothing outside)."""
    directory.mkdir(parents=True, exist_ok=True)
    extracted = []
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar.getmembers():
                if not member.isfile() or not member.name.lower().endswith(".xml"):
                    continue
                source = tar.extractfile(member)
                if source is None:
                    continue
                target = directory / Path(member.name).name
                target.write_bytes(source.read())
                extracted.append(target)
    except tarfile.TarError as error:
        raise NetworkError(f"Archive TED illisible ({archive.name} : {error}).") from None
    return sorted(extracted)
