"""`vivier index` updates the index with the files ingested since the last build, and the
updated index is the same as one built from scratch on the same data."""

from __future__ import annotations

import pickle
import shutil

import numpy as np
import pytest
from match_data import DECP, ILAB, run_cli
from scipy import sparse

from vivier.config import load_settings
from vivier.match import MatchEngine
from vivier.match.engine import INDEX_VERSION
from vivier.match.features import SupplierFacts
from vivier.match.incremental import (
    HistoryAggregate,
    load_aggregate,
    save_aggregate,
    update_history,
)
from vivier.match.packing import pack, pack_keys, pack_nested, unpack, unpack_keys, unpack_nested
from vivier.match.text import analyse
from vivier.pipeline.demo import demo_data_dir
from vivier.warehouse import open_warehouse
from vivier.warehouse.match import award_batches
from vivier.warehouse.ranking import supplier_aggregates

QUERIES = [
    "maintenance des ascenseurs",
    "nettoyage et entretien des locaux",
    "détecter les fuites sur le réseau d'eau potable",
    "travaux de voirie",
]


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    """Two homes with the same data: one indexed before its last file was ingested and
    updated after it, the other indexed from scratch."""
    samples = demo_data_dir()
    updated = tmp_path_factory.mktemp("incremental") / "data"
    run_cli(updated, "ingest", *[samples / "decp-2019" / name for name in DECP[:2]])
    run_cli(updated, "startups", "import", samples / ILAB, "--label", "ilab")
    first = run_cli(updated, "index", "--model", "none")
    assert "Index construit" in first.stdout, first.output
    run_cli(updated, "ingest", samples / "decp-2019" / DECP[2])
    second = run_cli(updated, "index", "--model", "none")
    assert "Index mis à jour" in second.stdout, second.output
    scratch = updated.parent / "scratch"
    shutil.copytree(updated, scratch)
    shutil.rmtree(scratch / "index")
    assert "Index construit" in run_cli(scratch, "index", "--model", "none").stdout
    return updated, scratch


def engines(homes) -> tuple[MatchEngine, MatchEngine]:
    return tuple(MatchEngine.load(load_settings(home=home)) for home in homes)


def test_update_reads_only_the_new_file(homes):
    updated, scratch = engines(homes)
    assert updated.build_info["incremental"] and not scratch.build_info["incremental"]
    assert 0 < updated.build_info["new_rows"] < scratch.build_info["new_rows"]


def test_updated_history_equals_a_full_build(homes):
    updated, scratch = engines(homes)
    assert_same_history(updated.history, scratch.history)


def test_updated_index_gives_the_same_answers(homes):
    updated, scratch = engines(homes)
    for text in QUERIES:
        for ask in ("need_to_startups", "suppliers_for"):
            a = [(m.id, m.score, m.reasons) for m in getattr(updated, ask)(text, k=10)]
            b = [(m.id, m.score, m.reasons) for m in getattr(scratch, ask)(text, k=10)]
            assert a == b
        a = updated.startup_to_buyers(text=text, k=10)
        assert [(m.id, m.score) for m in a] == [
            (m.id, m.score) for m in scratch.startup_to_buyers(text=text, k=10)
        ]
    assert any(updated.suppliers_for(text) for text in QUERIES)


def test_split_batches_fold_to_the_same_history(homes):
    """Batches cut anywhere, even between two suppliers of one contract."""
    settings = load_settings(home=homes[1])
    with open_warehouse(settings, read_only=True) as connection:
        rows = {}
        for batch in award_batches(connection):
            for name, values in batch.items():
                rows.setdefault(name, []).extend(values)
    whole, pieces = HistoryAggregate(), HistoryAggregate()
    whole.fold(rows)
    uids = rows["uid"]
    inside = next(i for i in range(1, len(uids)) if uids[i] == uids[i - 1])
    cuts = sorted({0, 7, inside, len(uids) // 2, len(uids) - 3, len(uids)})
    for start, end in zip(cuts, cuts[1:], strict=False):
        pieces.fold({name: values[start:end] for name, values in rows.items()})
    assert_same_history(whole.history(), pieces.history())


def test_rewritten_history_or_full_builds_from_scratch(homes, tmp_path):
    home = tmp_path / "data"
    shutil.copytree(homes[0], home)
    settings = load_settings(home=home)
    aggregate = load_aggregate(settings.index_dir)
    last, rows, files = aggregate.watermark
    aggregate.watermark = (last, rows, "another warehouse")
    save_aggregate(aggregate, settings.index_dir)
    with open_warehouse(settings, read_only=True) as connection:
        assert not update_history(connection, settings.index_dir).incremental
    aggregate.watermark = (last, rows - 1, files)  # as if a file had been rewritten
    save_aggregate(aggregate, settings.index_dir)
    with open_warehouse(settings, read_only=True) as connection:
        update = update_history(connection, settings.index_dir)
        assert not update.incremental and update.new_rows == rows
        assert update_history(connection, settings.index_dir).incremental
        assert not update_history(connection, settings.index_dir, full=True).incremental
    (settings.index_dir / "history-state.pkl").write_bytes(b"not a pickle")
    assert "Index construit" in run_cli(home, "index", "--model", "none").stdout
    assert "Index construit" in run_cli(home, "index", "--model", "none", "--full").stdout
    assert "Index mis à jour" in run_cli(home, "index", "--model", "none").stdout


def assert_same_history(a, b) -> None:
    for name in ("suppliers", "buyers", "groups"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.ids == y.ids and x.names == y.names and x.regions == y.regions
        assert list(x.texts) == list(y.texts) and x.last_dates == y.last_dates
        assert np.array_equal(x.contracts, y.contracts)
        assert x.bm25.vocabulary == y.bm25.vocabulary
        assert_same_matrix(x.bm25.weights, y.bm25.weights)
        assert x.cpv.vocabulary == y.cpv.vocabulary
        assert_same_matrix(x.cpv.counts, y.cpv.counts)
    for name in ("buyer_supplier", "org_supplier", "pair_supplier"):
        assert_same_matrix(getattr(a, name), getattr(b, name))
    assert a.org_of == b.org_of and a.pair_of == b.pair_of
    assert np.array_equal(a.group_rows, b.group_rows)
    x, y = a.contracts, b.contracts
    assert x.bm25.vocabulary == y.bm25.vocabulary
    assert_same_matrix(x.bm25.weights, y.bm25.weights)
    assert np.array_equal(x.buyers, y.buyers)
    assert x.by_prefix.keys() == y.by_prefix.keys()
    assert all(np.array_equal(x.by_prefix[p], y.by_prefix[p]) for p in x.by_prefix)
    assert_same_matrix(x.winners, y.winners)


def assert_same_matrix(x, y) -> None:
    assert x.shape == y.shape
    assert (sparse.csr_matrix(x) != sparse.csr_matrix(y)).nnz == 0


@pytest.mark.parametrize(
    "strings",
    [[], [""], ["a"], [None], ["a", None, "b\x00c", ""], ["é’ ; x", "y"], ["a", "b"]],
)
def test_packed_strings_come_back_unchanged(strings):
    assert unpack(pack(strings)) == strings
    nested = [strings, [], strings[:1]]
    if None not in strings:
        assert unpack_nested(pack_nested(nested)) == nested
    keys = {s: i for i, s in enumerate(dict.fromkeys(s for s in strings if s is not None))}
    assert unpack_keys(pack_keys(keys)) == keys


def test_ranker_facts_follow_the_sql_definitions(homes):
    """The facts folded by `vivier index` are those the evaluation computes in SQL."""
    updated, scratch = engines(homes)
    mine = scratch.supplier_facts
    with open_warehouse(load_settings(home=homes[1]), read_only=True) as connection:
        reference = SupplierFacts.build(scratch.history, supplier_aggregates(connection))
    for matrix, index in (
        ("departements", "dept_of"),
        ("procedures", "procedure_of"),
        ("natures", "nature_of"),
        ("local", "local_of"),
    ):
        a, b = getattr(mine, index), getattr(reference, index)
        assert a.keys() == b.keys() - {""} and len(a) > 1  # SQL: a column for no département
        for key in a:
            x = getattr(mine, matrix)[:, a[key]].toarray()
            assert np.array_equal(x, getattr(reference, matrix)[:, b[key]].toarray())
    assert mine.frame_of.keys() == reference.frame_of.keys()
    for key, row in mine.frame_of.items():
        x = mine.frameworks[row].toarray()
        assert np.array_equal(x, reference.frameworks[reference.frame_of[key]].toarray())
    assert np.allclose(mine.log_amount, reference.log_amount, equal_nan=True)
    assert np.array_equal(mine.last_day, reference.last_day, equal_nan=True)
    assert np.array_equal(mine.n_buyers, reference.n_buyers)
    assert mine.buyer_dept == reference.buyer_dept and mine.buyer_dept
    assert mine.last_history_day == reference.last_history_day
    for text in ["otis", "nettoyage locaux", "travaux voirie", "logiciel"]:
        for index in ("names", "labels"):
            x = getattr(mine, index).scores(analyse(text))
            assert np.allclose(x, getattr(reference, index).scores(analyse(text)), rtol=1e-5)
    other = updated.supplier_facts
    assert any("|" in key and len(key) == 6 for key in mine.local_of)  # '35|452'
    for name in ("departements", "procedures", "natures", "frameworks", "local"):
        assert_same_matrix(getattr(mine, name), getattr(other, name))
    assert np.array_equal(mine.log_amount, other.log_amount, equal_nan=True)
    assert mine.buyer_dept == other.buyer_dept
    for name in ("names", "labels"):
        assert_same_matrix(getattr(mine, name).weights, getattr(other, name).weights)


def test_startup_profiles_are_reused_until_their_inputs_change(homes, tmp_path):
    home = tmp_path / "data"
    shutil.copytree(homes[0], home)
    cached = home / "index" / "startups.pkl"
    before = engines((home,))[0].need_to_startups(QUERIES[2], k=5)
    stamp = cached.stat().st_mtime_ns
    run_cli(home, "index", "--model", "none")
    assert cached.stat().st_mtime_ns == stamp  # nothing changed: reused
    after = engines((home,))[0].need_to_startups(QUERIES[2], k=5)
    assert [(m.id, m.score, m.reasons) for m in after] == [
        (m.id, m.score, m.reasons) for m in before
    ]
    run_cli(home, "index", "--model", "none", "--full")
    assert cached.stat().st_mtime_ns != stamp
    stamp = cached.stat().st_mtime_ns
    samples = demo_data_dir()
    run_cli(home, "startups", "import", samples / ILAB, "--label", "ilab2")
    run_cli(home, "index", "--model", "none")
    assert cached.stat().st_mtime_ns != stamp  # the lists changed: built again


class _FailsToRebuild:
    """Stands for an object of an older index whose state no longer fits its class."""

    def __reduce__(self):
        return (int, ("pas un nombre",))


@pytest.mark.parametrize(
    "content, expected",
    [
        (pickle.dumps({"version": 1, "state": _FailsToRebuild()}), "version ancienne"),
        (pickle.dumps({"version": 1, "state": {}}), "version ancienne"),
        (pickle.dumps({"version": INDEX_VERSION})[:-1], "version ancienne"),
        (pickle.dumps({"version": INDEX_VERSION}), "illisible"),
    ],
)
def test_an_old_or_damaged_index_asks_for_a_full_rebuild(homes, tmp_path, content, expected):
    home = tmp_path / "data"
    shutil.copytree(homes[1], home)
    (home / "index" / "engine.pkl").write_bytes(content)
    result = run_cli(home, "match", "need", "maintenance des ascenseurs")
    assert result.exit_code == 1
    assert expected in result.output and "vivier index --full" in result.output
    assert "Traceback" not in result.output
