"""The matching engine: built by `vivier index`, saved under `settings.index_dir`, loaded
once, and asked three questions (need → start-ups, start-up → buyers, need → suppliers),
plus ranking arbitrary documents (tender notices) for a profile.
"""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vivier.codes import check_siren
from vivier.config import Settings
from vivier.errors import BadValueError, ConfigError, NotFound
from vivier.match import explain
from vivier.match.bm25 import BM25
from vivier.match.cpv import check_cpv_codes, prefixes
from vivier.match.embed import EmbeddingCache, encoder
from vivier.match.features import rare_name_terms
from vivier.match.fusion import (
    BUYER_WEIGHTS,
    STARTUP_WEIGHTS,
    fuse,
    top_k,
)
from vivier.match.history import AwardHistory, EntitySet
from vivier.match.incremental import startups_of, update_history
from vivier.match.packing import gc_paused
from vivier.match.profiles import buyer_openness, supplier_codes
from vivier.match.ranker import (
    QueryFacts,
    check_departement,
    local_reason,
    mention_reason,
    supplier_scores,
)
from vivier.match.region import normalise_region
from vivier.match.signals import lexical, same_region, semantic, supplier_signals
from vivier.match.text import analyse
from vivier.reference import cpv_label
from vivier.warehouse import open_warehouse
from vivier.warehouse.match import company_facts, startup_members

log = logging.getLogger(__name__)
INDEX_FILE = "engine.pkl"
INDEX_VERSION = 6
MAX_QUERY_CHARS = 5000
MIN_SIMILARITY = 0.30  # below this cosine, a result without lexical evidence is noise
DEFAULT_MODEL = "use"


@dataclass
class Match:
    id: str
    name: str
    score: float
    reasons: list[str]
    details: dict = field(default_factory=dict)
    kind: str = "siren"  # 'siren' | 'buyer_siret' | 'document'

    def to_json(self) -> dict:
        return {
            self.kind: self.id,
            "name": self.name,
            "score": round(self.score, 4),
            "reasons": self.reasons,
            **({"details": self.details} if self.details else {}),
        }


def check_query(text: str | None, allow_empty: bool = False) -> str:
    text = (text or "").strip()
    if not text and not allow_empty:
        raise BadValueError("La requête est vide : décrivez le besoin en quelques mots.")
    if len(text) > MAX_QUERY_CHARS:
        raise BadValueError(
            f"La requête fait {len(text)} caractères : au-delà de {MAX_QUERY_CHARS}, elle est "
            "refusée. Résumez le besoin en quelques phrases."
        )
    return text


@dataclass
class MatchEngine:
    history: AwardHistory
    startups: EntitySet
    startup_labels: list[list[str]]
    model_name: str
    startup_vectors: np.ndarray | None
    buyer_vectors: np.ndarray | None
    openness: np.ndarray
    built_at: float = 0.0
    build_info: dict = field(default_factory=dict)
    supplier_facts: object = None  # vivier.match.features.SupplierFacts (the ranker's)
    _model: object = field(default=None, repr=False)

    # ---- building, saving, loading -------------------------------------------------------

    @classmethod
    def build(
        cls,
        settings: Settings,
        model_name: str = DEFAULT_MODEL,
        progress: Callable[..., None] | None = None,
        full: bool = False,
    ) -> MatchEngine:
        """Fold the award rows ingested since the last build into the saved history (all of
        them with `full` or when it cannot be updated), then rebuild the rest."""
        with gc_paused(), open_warehouse(settings, read_only=True) as connection:
            update = update_history(connection, settings.index_dir, full=full)
            member_rows = startup_members(connection)
            facts = company_facts(connection)
        history = update.history
        startups, startup_labels = startups_of(member_rows, history, settings.index_dir, full)
        young = {siren for siren, fact in facts.items() if _young(fact[2])}
        model = encoder(model_name) if model_name != "none" else None
        vectors: dict[str, np.ndarray | None] = {"startups": None, "buyers": None}
        if model:
            cache = EmbeddingCache(settings.index_dir, model)
            total = len(startups) + len(history.buyers)
            if progress:
                progress(0, total=total, description="Embeddings")
            vectors["startups"] = cache.embed(startups.texts, progress)
            vectors["buyers"] = cache.embed(history.buyers.texts, progress)
            log.info("embedded %d new texts", cache.embedded)
            cache.save()
        return cls(
            history=history,
            startups=startups,
            startup_labels=startup_labels,
            model_name=model_name,
            startup_vectors=vectors["startups"],
            buyer_vectors=vectors["buyers"],
            openness=buyer_openness(history, set(startups.ids), young),
            built_at=time.time(),
            build_info={"incremental": update.incremental, "new_rows": update.new_rows},
            supplier_facts=update.facts,
        )

    def save(self, settings: Settings) -> Path:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        path = settings.index_dir / INDEX_FILE
        tmp = path.with_suffix(".tmp")
        state = {k: v for k, v in self.__dict__.items() if k != "_model"}
        with gc_paused(), tmp.open("wb") as handle:  # the version first, checked first
            pickle.dump({"version": INDEX_VERSION}, handle, protocol=5)
            pickle.dump(state, handle, protocol=5)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, settings: Settings) -> MatchEngine:
        path = settings.index_dir / INDEX_FILE
        if not path.exists():
            raise ConfigError(
                f"Aucun index de mise en relation dans {settings.index_dir} : lancez d'abord "
                "« vivier index »."
            )
        with path.open("rb") as handle:  # our own file, written by `save`
            header = _unpickled(handle, "d'une version ancienne")
            if not isinstance(header, dict) or header.get("version") != INDEX_VERSION:
                raise ConfigError(
                    "L'index est d'une version ancienne : relancez « vivier index --full »."
                )
            with gc_paused():
                return cls(**_unpickled(handle, "illisible (fichier tronqué ou abîmé)"))

    def model(self):
        if self._model is None and self.model_name != "none":
            self._model = encoder(self.model_name)
        return self._model

    def query_vector(self, text: str) -> np.ndarray | None:
        model = self.model()
        return model.query(text) if model is not None else None

    # ---- need → start-ups ----------------------------------------------------------------

    def startup_signals(self, text: str, cpv: Sequence[str], region: str | None) -> dict:
        expanded = " ".join([text, *(cpv_label(code) or "" for code in cpv)])
        signals = {
            "bm25": lexical(self.startups, expanded),
            "cpv": self.startups.cpv.scores(list(cpv)),
            "region": same_region(self.startups, region),
        }
        embedding = semantic(self.startup_vectors, self.query_vector(expanded))
        if embedding is not None:
            signals["embedding"] = embedding
        return signals

    def need_to_startups(
        self, text: str, cpv: Sequence[str] = (), region: str | None = None, k: int = 10
    ) -> list[Match]:
        text = check_query(text)
        codes = check_cpv_codes(cpv)
        region = normalise_region(region)
        signals = self.startup_signals(text, codes, region)
        scores = fuse(signals, STARTUP_WEIGHTS)
        terms = set(analyse(text))
        out = []
        tops = _signal_tops(signals)
        for row in self._relevant_rows(scores, signals, k):
            reasons = explain.startup_reasons(self, row, terms, codes, region)
            out.append(
                Match(
                    self.startups.ids[row],
                    self.startups.names[row],
                    float(scores[row]),
                    reasons,
                    _signal_details(signals, row, tops),
                )
            )
        return out

    # ---- start-up → buyers ---------------------------------------------------------------

    def startup_profile(self, siren: str | None, text: str | None) -> tuple[str, list[str]]:
        if siren is None:
            return check_query(text), []
        checked = check_siren(siren)
        if not checked.ok:
            raise BadValueError(f"SIREN invalide : « {siren} » (9 chiffres, clé de Luhn).")
        siren = checked.value
        parts = [text or ""]
        row = self.startups.row_of.get(siren)
        if row is not None:
            parts.append(self.startups.texts[row])
        supplier = self.history.suppliers.row_of.get(siren)
        if supplier is not None and row is None:
            parts.append(self.history.suppliers.texts[supplier])
        profile = "\n".join(p for p in parts if p).strip()
        if not profile:
            raise NotFound(
                f"SIREN inconnu : {siren} n'est ni une start-up des listes chargées ni un "
                "titulaire de marché. Décrivez plutôt l'offre avec --texte."
            )
        return profile[:MAX_QUERY_CHARS], supplier_codes(self.history, siren)

    def startup_to_buyers(
        self, siren: str | None = None, text: str | None = None, k: int = 10
    ) -> list[Match]:
        profile, codes = self.startup_profile(siren, text)
        buyers = self.history.buyers
        signals = {
            "bm25": lexical(buyers, profile),
            "cpv": buyers.cpv.scores(codes),
            "openness": self.openness.copy(),
            "volume": np.log1p(buyers.contracts),
        }
        region = (
            self.startups.regions[self.startups.row_of[siren]]
            if (siren in self.startups.row_of)
            else None
        )
        signals["region"] = same_region(buyers, region)
        embedding = semantic(self.buyer_vectors, self.query_vector(profile))
        if embedding is not None:
            signals["embedding"] = embedding
        scores = fuse(signals, BUYER_WEIGHTS)
        terms = set(analyse(profile))
        out = []
        for row in self._relevant_rows(scores, signals, k):
            reasons = explain.buyer_reasons(self, row, terms, codes, region)
            out.append(
                Match(
                    buyers.ids[row],
                    buyers.names[row],
                    float(scores[row]),
                    reasons,
                    _signal_details(signals, row),
                    kind="buyer_siret",
                )
            )
        return out

    # ---- need → suppliers ----------------------------------------------------------------

    def suppliers_for(
        self,
        text: str,
        cpv: Sequence[str] = (),
        buyer_siret: str | None = None,
        k: int = 10,
        region: str | None = None,
        departement: str | None = None,
    ) -> list[Match]:
        text = check_query(text)
        codes = check_cpv_codes(cpv)
        query = QueryFacts(buyer=buyer_siret or "", departement=check_departement(departement))
        signals = supplier_signals(self.history, text, codes, buyer_siret, normalise_region(region))
        scores = supplier_scores(self.history, self.supplier_facts, signals, text, codes, query)
        terms = set(analyse(text))
        facts = self.supplier_facts
        cited = rare_name_terms(facts.names, list(terms)) if facts is not None else {}
        out = []
        for row in self._relevant_rows(scores, signals, k):
            reasons = explain.supplier_reasons(self, row, terms, codes, buyer_siret)
            name = self.history.suppliers.names[row]
            reasons += local_reason(self.supplier_facts, row, query, name)
            reasons += mention_reason(cited, row, name)
            out.append(
                Match(
                    self.history.suppliers.ids[row],
                    self.history.suppliers.names[row],
                    float(scores[row]),
                    reasons,
                    _signal_details(signals, row),
                )
            )
        return out

    # ---- any documents (tender notices) --------------------------------------------------

    def rank_texts(
        self, query_text: str, cpv: Sequence[str], documents: Sequence[dict], k: int = 10
    ) -> list[Match]:
        """Rank documents `{"id", "text", "cpv": [codes], "name"?}` for a profile text and
        CPV codes (e.g. tender notices for a start-up)."""
        if not documents:
            return []
        query_text = check_query(query_text, allow_empty=bool(cpv))
        index = BM25.build([analyse(d.get("text") or "") for d in documents])
        signals = {
            "bm25": index.scores(analyse(query_text)),
            "cpv": np.array(
                [_cpv_proximity(cpv, d.get("cpv") or []) for d in documents], dtype=np.float32
            ),
        }
        scores = fuse(signals, {"bm25": 1.0, "cpv": 1.0})
        terms = set(analyse(query_text))
        out = []
        for row in top_k(scores, k):
            if scores[row] <= 0:
                break
            doc = documents[row]
            reasons = explain.document_reasons(doc, terms, cpv, signals["cpv"][row])
            out.append(
                Match(
                    str(doc["id"]),
                    doc.get("name") or str(doc["id"]),
                    float(scores[row]),
                    reasons,
                    _signal_details(signals, row),
                    kind="document",
                )
            )
        return out

    # ---- helpers -------------------------------------------------------------------------

    def _relevant_rows(self, scores: np.ndarray, signals: dict, k: int) -> list[int]:
        """The top k rows that have real evidence: a lexical or CPV match, a buyer history,
        or an embedding similarity above MIN_SIMILARITY. Never noise."""
        if k < 1:
            raise BadValueError("Le nombre de résultats (-k) doit être au moins 1.")
        evidence = np.zeros(len(scores), dtype=bool)
        for name in ("bm25", "cpv", "buyer", "knn"):
            if name in signals:
                evidence |= signals[name] > 0
        if "embedding" in signals:
            evidence |= signals["embedding"] >= MIN_SIMILARITY
        candidates = np.where(evidence & (scores > 0))[0]
        if not len(candidates):
            return []
        order = top_k(scores[candidates], min(k, len(candidates)))
        return [int(candidates[i]) for i in order]


def _signal_tops(signals: dict) -> dict[str, float]:
    """Each signal's best score (computed once for all the rows shown)."""
    return {name: float(values.max()) if len(values) else 0.0 for name, values in signals.items()}


def _signal_details(signals: dict, row: int, tops: dict[str, float] | None = None) -> dict:
    """Each signal's normalised score for this row (the signal's best result scores 1)."""
    tops = tops or _signal_tops(signals)
    out = {}
    for name, values in signals.items():
        top = tops[name]
        if name == "embedding":
            out[name] = round(float(values[row]), 4)
        else:
            out[name] = round(float(values[row]) / top, 4) if top > 0 else 0.0
    return out


def _cpv_proximity(query: Sequence[str], codes: Sequence[str]) -> float:
    best = 0.0
    for a in query:
        shared = set(prefixes(a))
        for b in codes:
            common = [p for p in prefixes(b) if p in shared]
            if common:
                best = max(best, len(max(common, key=len)) / 8)
    return best


def _young(created_on) -> bool:
    """Created less than 8 years ago (the start-up age used for openness)."""
    if not created_on:
        return False
    import datetime as dt

    created = created_on if isinstance(created_on, dt.date) else None
    if created is None:
        try:
            created = dt.date.fromisoformat(str(created_on)[:10])
        except ValueError:
            return False
    return (dt.date.today() - created).days < 8 * 365


def _unpickled(handle, problem: str):
    """The next object of an index file; an old format or a damaged file becomes a
    French ConfigError (an older index's objects may fail while being rebuilt)."""
    try:
        return pickle.load(handle)
    except Exception:  # any failure to rebuild our own objects means the file is unusable
        raise ConfigError(f"L'index est {problem} : relancez « vivier index --full ».") from None
