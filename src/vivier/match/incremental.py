"""The award history, built by folding award rows into mergeable aggregates and updated
in place: `vivier index` reads only the files ingested since the last build.

The aggregates are saved next to the index (`HOME/index/history-state.pkl`) with a
watermark: the last ingested file they include, how many award rows the files up to it
held and a digest of those files' contents. A later build folds the rows of the files
after that one; it starts again from scratch when the rows or files up to the watermark
changed (a file removed or rewritten, another warehouse), when the saved aggregates are of
an older format, or when asked (`vivier index --full`).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vivier.errors import ConfigError
from vivier.match.aggregate import ContractRows, Entities, JoinedTexts, Pairs
from vivier.match.bm25 import BM25
from vivier.match.cpv import CpvProfiles
from vivier.match.features import SupplierFacts
from vivier.match.history import AwardHistory, ContractIndex, EntitySet, group_key
from vivier.match.profiles import build_startups
from vivier.match.ranker_facts import FactsAggregate
from vivier.match.region import region_of_place
from vivier.match.text import analyse
from vivier.warehouse.match import award_batches, award_watermark, files_digest

log = logging.getLogger(__name__)
STATE_FILE = "history-state.pkl"
STARTUPS_FILE = "startups.pkl"
STATE_VERSION = 6


class HistoryAggregate:
    """Everything `AwardHistory` is computed from, grown batch by batch."""

    def __init__(self, with_facts: bool = True):
        self.facts = FactsAggregate() if with_facts else None  # the supplier ranker's
        self.suppliers = Entities()
        self.buyers = Entities()
        self.groups = Entities()
        self.buyer_supplier = Pairs()
        self.org_supplier = Pairs()
        self.pair_supplier = Pairs()
        self.contracts = ContractRows()
        self.last_uid: str | None = None
        self.watermark: tuple[int, int, str] = (0, 0, "")  # last file, rows, files digest
        self.rows = 0
        self.group_rows = np.zeros(0, dtype=np.int64)  # supplier → its group (or -1)

    def fold(self, batch: dict[str, list]) -> None:
        """Add award rows (column lists, a contract's rows together, oldest file first)."""
        uids, objects, cpvs = batch["uid"], batch["object"], batch["cpv"]
        buyers, names = batch["buyer_siret"], batch["supplier_name"]
        first, previous = [], self.last_uid
        for uid in uids:
            first.append(uid != previous)
            previous = uid
        self.last_uid = previous
        regions = [region_of_place(place) for place in batch["place_code"]]
        dates = [str(d)[:10] if d is not None else None for d in batch["notification_date"]]
        cache: dict[str, list[str]] = {}

        def terms_of(text: str) -> list[str]:
            found = cache.get(text)
            if found is None:
                found = cache[text] = analyse(text)
            return found

        columns = (objects, cpvs, regions, dates, terms_of)
        suppliers = self.suppliers.fold(batch["siren"], names, *columns)
        firsts = [b if keep else "" for b, keep in zip(buyers, first, strict=True)]
        self.buyers.fold(firsts, batch["buyer_name"], *columns)
        self.groups.fold([group_key(n) for n in names], names, *columns)
        n = len(self.suppliers)
        buyer_rows = [self.buyers.row_of.get(b, -1) for b in buyers]
        self.buyer_supplier.fold(buyer_rows, suppliers, len(self.buyers), n)
        self.org_supplier.fold([b[:9] for b in buyers], suppliers, 0, n)
        pairs = [f"{b}|{c[:2]}" for b, c in zip(buyers, cpvs, strict=True)]
        self.pair_supplier.fold(pairs, suppliers, 0, n)
        self.contracts.fold(first, objects, cpvs, buyer_rows, suppliers, n, terms_of)
        if self.facts is not None:
            self.facts.fold(batch, first, suppliers, buyer_rows, self.suppliers)
        self.rows += len(uids)
        new = self.suppliers.names[len(self.group_rows) :]  # first name of new suppliers
        groups = [self.groups.row_of.get(group_key(name), -1) for name in new]
        self.group_rows = np.concatenate([self.group_rows, np.asarray(groups, dtype=np.int64)])

    def history(self) -> AwardHistory:
        suppliers = entity_set(self.suppliers)
        buyers = entity_set(self.buyers)
        groups = entity_set(self.groups)
        n = len(suppliers)
        contracts = self.contracts
        vocabulary, counts = contracts.terms.sorted(contracts.count)
        winners = contracts.winners.matrix.copy()
        winners.resize((contracts.count, n))
        winners.data[:] = 1.0
        return AwardHistory(
            suppliers=suppliers,
            buyers=buyers,
            buyer_supplier=self.buyer_supplier.matrix(len(buyers), n),
            org_supplier=self.org_supplier.matrix(len(self.org_supplier.row_of), n),
            org_of=dict(self.org_supplier.row_of),
            pair_supplier=self.pair_supplier.matrix(len(self.pair_supplier.row_of), n),
            pair_of=dict(self.pair_supplier.row_of),
            contracts=ContractIndex(
                BM25.from_counts(vocabulary, counts),
                contracts.buyers,
                buyers.row_of,
                dict(contracts.by_prefix),
                winners.T.tocsr(),
            ),
            groups=groups,
            group_rows=self.group_rows.copy(),
        )


def entity_set(entities: Entities) -> EntitySet:
    vocabulary, counts = entities.terms.sorted(len(entities))
    cpv_vocabulary, cpv_counts = entities.cpv.sorted(len(entities))
    return EntitySet(
        ids=entities.ids,
        names=[name or key for name, key in zip(entities.names, entities.ids, strict=True)],
        texts=JoinedTexts(entities.objects),
        regions=entities.top_regions(),
        contracts=np.array(entities.contracts, dtype=np.float32),
        last_dates=list(entities.last),
        bm25=BM25.from_counts(vocabulary, counts),
        cpv=CpvProfiles(cpv_vocabulary, cpv_counts.tocsc()),
    )


def history_of(awards: dict) -> AwardHistory:
    """The history of award rows given as column arrays (`vivier.warehouse.match.awards`)."""
    aggregate = HistoryAggregate(with_facts=False)
    if len(awards["uid"]):
        aggregate.fold({name: values.tolist() for name, values in awards.items()})
    return aggregate.history()


@dataclass
class Update:
    history: AwardHistory
    facts: SupplierFacts  # the supplier ranker's
    incremental: bool  # False: built from scratch
    new_rows: int  # award rows folded by this build


def update_history(
    connection, directory: Path, full: bool = False, progress: Callable | None = None
) -> Update:
    """Fold the award rows ingested since the saved aggregates (all of them when there are
    none, when they are stale or when `full`), save the aggregates, return the history."""
    aggregate = None if full else load_aggregate(directory)
    last, rows, files = aggregate.watermark if aggregate is not None else (0, 0, "")
    now, total, before_last = award_watermark(connection, upto=last)
    changed = before_last != rows or now < last or files_digest(connection, last) != files
    if aggregate is not None and changed:
        log.info("award rows up to file %d changed: building from scratch", last)
        aggregate = None
    incremental = aggregate is not None
    aggregate = aggregate or HistoryAggregate()
    before = aggregate.rows
    for batch in award_batches(connection, after_file=aggregate.watermark[0]):
        aggregate.fold(batch)
        if progress:
            progress(len(batch["uid"]))
    if aggregate.rows != total and incremental:  # cannot happen unless rows were moved
        log.warning("%d award rows read of %d: building from scratch", aggregate.rows, total)
        return update_history(connection, directory, full=True, progress=progress)
    if aggregate.rows != total:
        raise ConfigError(
            f"L'index a lu {aggregate.rows} lignes d'attribution sur {total} : relancez "
            "« vivier index --full »."
        )
    aggregate.watermark = (now, total, files_digest(connection, now))
    save_aggregate(aggregate, directory)
    history = aggregate.history()
    facts = aggregate.facts.facts(
        aggregate.suppliers, aggregate.buyers, history.suppliers.cpv, history.buyer_supplier
    )
    return Update(history, facts, incremental, aggregate.rows - before)


def startups_of(rows: list[tuple], history: AwardHistory, directory: Path, full: bool):
    """`build_startups`, reused from the last build when the list rows and the history of
    the start-ups that are also suppliers are unchanged (`HOME/index/startups.pkl`)."""
    digest = hashlib.blake2b(pickle.dumps(rows, protocol=5), digest_size=16)
    suppliers = history.suppliers
    for siren in sorted({row[0] for row in rows if row[0] in suppliers.row_of}):
        row = suppliers.row_of[siren]
        seen = (siren, suppliers.texts[row], suppliers.cpv.codes_of(row), suppliers.last_dates[row])
        digest.update(pickle.dumps((seen, float(suppliers.contracts[row])), protocol=5))
    key, path = digest.hexdigest(), directory / STARTUPS_FILE
    try:
        with path.open("rb") as handle:
            stored = pickle.load(handle)  # our own file, written below
        if not full and stored["version"] == STATE_VERSION and stored["key"] == key:
            return stored["startups"]
    except Exception:  # noqa: BLE001 — absent or unreadable: built again
        pass
    startups = build_startups(rows, history)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        pickle.dump({"version": STATE_VERSION, "key": key, "startups": startups}, handle)
    tmp.replace(path)
    return startups


def load_aggregate(directory: Path) -> HistoryAggregate | None:
    """The saved aggregates, or None when absent, unreadable or of another format."""
    path = directory / STATE_FILE
    if not path.exists():
        return None
    try:
        with path.open("rb") as handle:  # our own file, written by `save_aggregate`
            header = pickle.load(handle)
            if not isinstance(header, dict) or header.get("version") != STATE_VERSION:
                return None
            return pickle.load(handle)
    except Exception as error:  # noqa: BLE001 — a damaged state only costs a full build
        log.warning("unreadable %s (%s): building from scratch", path, error)
        return None


def save_aggregate(aggregate: HistoryAggregate, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / STATE_FILE
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        pickle.dump({"version": STATE_VERSION}, handle, protocol=5)
        pickle.dump(aggregate, handle, protocol=5)
    tmp.replace(path)
    return path
