"""The frontierkit command line."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from frontierkit.cli import main
from reference import pareto_ranks


def test_demo_runs(capsys):
    assert main(["demo", "--n", "2000", "--d", "3"]) == 0
    out = capsys.readouterr().out
    assert "first front" in out and "all ranks" in out and "sphere front" in out


def test_front_csv_with_header_and_maximise(tmp_path, capsys):
    rng = np.random.default_rng(0)
    data = rng.integers(0, 5, size=(40, 3)).astype(float)
    path = tmp_path / "pts.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["loss", "acc", "cost"])
        w.writerows(data.tolist())
    out = tmp_path / "ranks.csv"
    assert main(["front", str(path), "--maximise", "acc", "--out", str(out)]) == 0
    with out.open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["loss", "acc", "cost", "rank"]
    got = np.array([int(r[-1]) for r in rows[1:]])
    np.testing.assert_array_equal(got, pareto_ranks(data * [1, -1, 1]))
    assert "40 points" in capsys.readouterr().out


def test_front_npy_columns_to_stdout(tmp_path, capsys):
    data = np.array([[1.0, 5.0, 9.0], [2.0, 4.0, 0.0], [3.0, 6.0, 0.0]])
    path = tmp_path / "pts.npy"
    np.save(path, data)
    assert main(["front", str(path), "--columns", "0,1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "0,1,rank"
    assert [line.split(",")[-1] for line in lines[1:]] == ["0", "0", "1"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("a,b\n1,x\n", "every cell must be a number"),
        ("a,b\n1,nan\n", "must not contain NaN"),
        ("", "is empty"),
    ],
)
def test_front_bad_files_one_line_error(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert main(["front", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_front_unknown_column(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text("a,b\n1,2\n")
    assert main(["front", str(path), "--maximise", "c"]) == 2
    assert "has no column 'c'" in capsys.readouterr().err


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit):
        main(["front", "--help"])
    assert "Examples" in capsys.readouterr().out


def _write_csv(path, header, rows):
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def test_hv_and_hvc(tmp_path, capsys):
    import frontierkit as fk

    rng = np.random.default_rng(4)
    data = rng.random((30, 3))
    path = tmp_path / "pts.csv"
    _write_csv(path, ["loss", "acc", "cost"], data.tolist())
    assert main(["hv", str(path), "--ref", "1.1,-0.1,1.1", "--maximise", "acc"]) == 0
    got = float(capsys.readouterr().out)
    assert got == fk.hypervolume(data, [1.1, -0.1, 1.1], maximise=[False, True, False])
    assert main(["hv", str(path), "--ref", "2", "--columns", "loss,cost", "--json"]) == 0
    import json

    rec = json.loads(capsys.readouterr().out)
    assert rec["hypervolume"] == fk.hypervolume(data[:, [0, 2]], 2.0) and rec["columns"] == ["loss", "cost"]
    out = tmp_path / "hvc.csv"
    assert main(["hvc", str(path), "--ref", "1.1", "--out", str(out)]) == 0
    with out.open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["loss", "acc", "cost", "contribution"]
    np.testing.assert_array_equal([float(r[-1]) for r in rows[1:]], fk.hv_contributions(data, 1.1))
    assert "least contributor" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--ref", "1,2"], "--ref must have 3 values"),
        (["--ref", "a"], "--ref must be numbers"),
    ],
)
def test_hv_bad_ref(tmp_path, capsys, argv, message):
    path = tmp_path / "pts.csv"
    _write_csv(path, ["a", "b", "c"], [[0.1, 0.2, 0.3]])
    assert main(["hv", str(path), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
