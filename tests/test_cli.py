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
    assert "synthetic IsoFLOP runs" in out and "chinchilla fit" in out
    assert "alpha:" in out and "(true 0.34)" in out and "N_opt at C = 1e+23" in out


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
    assert rec["hypervolume"] == fk.hypervolume(data[:, [0, 2]], 2.0)
    assert rec["columns"] == ["loss", "cost"]
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


# --- fit ----------------------------------------------------------------------------------------


def _runs_csv(path, families=(("a", 9, 1), ("b", 7, 2), ("c", 8, 3)), noise=0.002):
    """IsoFLOP runs of several families (ragged: different sizes per budget) as a CSV."""
    from frontierkit.datasets import scaling_law_runs

    rows, runs = [], {}
    for name, per_budget, seed in families:
        r = scaling_law_runs(5, per_budget, noise=noise, seed=seed)
        runs[name] = r
        rows += [
            [name, repr(float(n)), repr(float(d)), repr(float(v))] for n, d, v in zip(r.N, r.D, r.L)
        ]
    _write_csv(path, ["family", "N", "D", "loss"], rows)
    return runs


def _read_json(path):
    import json

    with path.open() as fh:
        return json.load(fh)


def test_fit_chinchilla_recovers_truth_and_matches_library(tmp_path, capsys):
    import frontierkit as fk

    runs = _runs_csv(tmp_path / "runs.csv", families=(("a", 9, 1),))["a"]
    out = tmp_path / "fit.json"
    argv = ["fit", str(tmp_path / "runs.csv"), "--model", "chinchilla", "--x", "N,D", "--y", "loss"]
    assert main([*argv, "--out", str(out)]) == 0
    assert "1 fit of chinchilla" in capsys.readouterr().out
    rec = _read_json(out)
    assert (rec["loss"], rec["f_scale"], rec["space"]) == ("huber", 1e-3, "log")  # fit_chinchilla's
    (fit,) = rec["fits"]
    assert fit["status"] == "converged" and fit["n"] == 45
    got = fit["params"]
    for name, rtol in (("E", 0.02), ("A", 0.15), ("B", 0.15), ("alpha", 0.03), ("beta", 0.03)):
        assert got[name] == pytest.approx(runs.truth[name], rel=rtol), name
    direct = fk.fit_chinchilla(runs.N, runs.D, runs.L)
    assert got == pytest.approx(direct.params, rel=1e-12)
    # The default output is a readable table with the same estimates.
    assert main(argv) == 0
    table = capsys.readouterr().out
    assert "chinchilla: E + A * N**(-alpha) + B * D**(-beta)" in table
    assert "45 points" in table and "converged" in table
    assert f"{got['alpha']:.6g}" in table and "stderr" in table


@pytest.mark.parametrize("model", ["chinchilla", "saturating_power"])
def test_fit_group_equals_separate_fits(tmp_path, model):
    runs = _runs_csv(tmp_path / "runs.csv")
    # A missing loss (NaN) drops that point only.
    text = (tmp_path / "runs.csv").read_text().splitlines()
    cells = text[3].split(",")
    text[3] = ",".join([*cells[:3], "nan"])
    (tmp_path / "runs.csv").write_text("\n".join(text) + "\n")
    x = "N,D" if model == "chinchilla" else "N"
    common = ["--model", model, "--x", x, "--y", "loss"]
    out = tmp_path / "groups.csv"
    assert (
        main(["fit", str(tmp_path / "runs.csv"), *common, "--group", "family", "--out", str(out)])
        == 0
    )
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["family"] for r in rows] == ["a", "b", "c"]
    assert [int(r["n"]) for r in rows] == [44, 35, 40]
    names = ["E", "A", "B", "alpha", "beta"] if model == "chinchilla" else ["a", "b", "c"]
    for row in rows:
        family = row["family"]
        lines = [line for line in text if line.startswith(f"{family},") or line == text[0]]
        single = tmp_path / f"{family}.csv"
        single.write_text("\n".join(lines) + "\n")
        one = tmp_path / f"{family}.json"
        assert main(["fit", str(single), *common, "--out", str(one)]) == 0
        alone = _read_json(one)["fits"][0]
        assert int(row["n"]) == alone["n"] and row["status"] == alone["status"]
        for name in names:
            assert float(row[name]) == pytest.approx(alone["params"][name], rel=1e-6, abs=1e-12)
        assert float(row["cost"]) == pytest.approx(alone["cost"], rel=1e-6, abs=1e-15)
    assert len(runs) == 3


def test_fit_json_bootstrap_and_compute_optimal(tmp_path, capsys):
    runs = _runs_csv(tmp_path / "runs.csv", families=(("a", 9, 5),))["a"]
    out = tmp_path / "fit.json"
    assert (
        main(
            [
                "fit",
                str(tmp_path / "runs.csv"),
                "--model",
                "chinchilla",
                "--x",
                "N,D",
                "--y",
                "loss",
                "--bootstrap",
                "200",
                "--level",
                "0.9",
                "--seed",
                "3",
                "--compute-optimal",
                "1e21,1e23",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    rec = _read_json(out)
    for key in (
        "model",
        "form",
        "x",
        "y",
        "group",
        "param_names",
        "loss",
        "f_scale",
        "space",
        "bootstrap",
        "level",
        "seed",
        "compute_optimal",
        "seconds",
        "fits",
    ):
        assert key in rec, key
    assert rec["bootstrap"] == 200 and rec["level"] == 0.9 and rec["x"] == ["N", "D"]
    (fit,) = rec["fits"]
    assert set(fit) == {"n", "params", "stderr", "ci", "cost", "status", "compute_optimal"}
    for name, value in fit["params"].items():
        lo, hi = fit["ci"][name]
        assert lo <= value <= hi, name
    assert [o["C"] for o in fit["compute_optimal"]] == [1e21, 1e23]
    true_n, true_d = runs.compute_optimal(np.array([1e21, 1e23]))
    for opt, tn, td in zip(fit["compute_optimal"], true_n, true_d):
        assert opt["N_opt_ci"][0] <= opt["N_opt"] <= opt["N_opt_ci"][1]
        assert opt["D_opt_ci"][0] <= opt["D_opt"] <= opt["D_opt_ci"][1]
        assert opt["N_opt"] == pytest.approx(tn, rel=0.1)
        assert opt["D_opt"] == pytest.approx(td, rel=0.1)
        assert 6 * opt["N_opt"] * opt["D_opt"] == pytest.approx(opt["C"], rel=1e-9)
    # The same run twice gives the same intervals (seeded).
    again = tmp_path / "again.json"
    assert (
        main(
            [
                "fit",
                str(tmp_path / "runs.csv"),
                "--model",
                "chinchilla",
                "--x",
                "N,D",
                "--y",
                "loss",
                "--bootstrap",
                "200",
                "--level",
                "0.9",
                "--seed",
                "3",
                "--compute-optimal",
                "1e21,1e23",
                "--out",
                str(again),
            ]
        )
        == 0
    )
    assert _read_json(again)["fits"] == rec["fits"]


def test_fit_table_bootstrap_report_and_npy(tmp_path, capsys):
    from frontierkit.datasets import scaling_law_runs

    r = scaling_law_runs(4, 8, noise=0.002, seed=7)
    path = tmp_path / "runs.npy"
    np.save(path, np.stack([r.N, r.D, r.L], axis=1))
    assert (
        main(
            [
                "fit",
                str(path),
                "--model",
                "chinchilla",
                "--x",
                "0,1",
                "--y",
                "2",
                "--bootstrap",
                "100",
                "--compute-optimal",
                "1e23",
                "--report",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "95% interval" in out and "N_opt(C=1e+23)" in out and "D_opt(C=1e+23)" in out
    assert "model      chinchilla" in out and "loss       huber" in out  # FitResult.report()


def test_fit_other_model_bootstrap_csv(tmp_path):
    import frontierkit as fk

    x = np.geomspace(1, 1e3, 20)
    y = 2.0 * x**-0.4 + 0.5 + 0.005 * np.random.default_rng(0).standard_normal(20)
    _write_csv(tmp_path / "c.csv", ["step", "loss"], np.stack([x, y], axis=1).tolist())
    out = tmp_path / "c_fit.csv"
    assert (
        main(
            [
                "fit",
                str(tmp_path / "c.csv"),
                "--model",
                "saturating_power",
                "--x",
                "step",
                "--y",
                "loss",
                "--bootstrap",
                "100",
                "--loss",
                "soft_l1",
                "--f-scale",
                "0.01",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    with out.open() as fh:
        (row,) = list(csv.DictReader(fh))
    ref = fk.bootstrap(
        "saturating_power", x, y, n_resamples=100, seed=0, loss="soft_l1", f_scale=0.01
    )
    for j, name in enumerate(["a", "b", "c"]):
        assert float(row[name]) == pytest.approx(ref.fit.params[j], rel=1e-12)
        lo, hi = ref.ci(0.95)[j]
        assert float(row[f"{name}_lo"]) == pytest.approx(lo, rel=1e-12)
        assert float(row[f"{name}_hi"]) == pytest.approx(hi, rel=1e-12)
        assert float(row[f"{name}_lo"]) <= float(row[name]) <= float(row[f"{name}_hi"])
    assert float(row["b"]) == pytest.approx(0.4, abs=0.05)


@pytest.mark.parametrize(
    "content, argv, message",
    [
        ("N,D,loss\n1e8,1e9,3\n", ["--x", "N"], "takes 2 --x column(s)"),
        ("N,D,loss\n1e8,1e9,3\n", ["--x", "N,Q"], "has no column 'Q'"),
        ("N,D,loss\n1e8,1e9,3\n", ["--y", "L"], "has no column 'L'"),
        ("N,D,loss\n1e8,1e9,3\n", ["--model", "chinchila"], "unknown model 'chinchila'"),
        ("N,D,loss\n1e8,1e9,3\n2e8,big,3\n", [], "line 3: column 'D' holds 'big', not a number"),
        ("N,D,loss\n1e8,1e9,3\n-2e8,1e9,3\n", [], "column 'N' is -2e+08, but model chinchilla"),
        ("N,D,loss\n1e8,1e9,3\n2e8,1e9,0\n", [], "--space log needs positive values"),
        ("N,D,loss\n1e8,nan,3\n", [], "--x columns must be finite"),
        ("N,D,loss\n1e8,1e9,nan\n", [], "column 'loss' has no values to fit"),
        (
            "N,D,loss\n1e8,1e9,3\n",
            ["--model", "power", "--x", "N", "--compute-optimal", "1e23"],
            "--compute-optimal needs --model chinchilla",
        ),
        (
            "N,D,loss\n1e8,1e9,3\n",
            ["--model", "log_quadratic", "--x", "N,D,N,D"],
            "cannot take 4 --x columns",
        ),
        ("N,D,loss\n1e8,1e9,3\n", ["--loss", "l3"], "--loss must be one of"),
        ("N,D,loss\n1e8,1e9,3\n", ["--out", "fit.txt"], "--out must name a .csv or .json"),
        ("N,D,loss\n1e8,1e9,3\n", ["--level", "0.9"], "add --bootstrap"),
        ("", [], "is empty"),
    ],
)
def test_fit_errors_one_line(tmp_path, capsys, content, argv, message):
    path = tmp_path / "runs.csv"
    path.write_text(content)
    base = {"--model": "chinchilla", "--x": "N,D", "--y": "loss"}
    it = iter(argv)
    overrides = {k: v for k, v in zip(it, it)}
    args = [a for k, v in {**base, **overrides}.items() for a in (k, v)]
    assert main(["fit", str(path), *args]) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert message in err, err
    assert err.startswith("frontierkit fit: error: ") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and captured.out == ""


def test_fit_help_has_examples(capsys):
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    out = capsys.readouterr().out
    assert "Examples" in out and "--compute-optimal" in out and "chinchilla" in out


# --- hv-approx, JSON output, plots, progress ---------------------------------------------------


def test_hv_approx_plain_json_and_fpras(tmp_path, capsys):
    import frontierkit as fk

    pts = fk.datasets.sphere_front(500, 5, seed=2)
    path = tmp_path / "f.npy"
    np.save(path, pts)
    exact = fk.hypervolume(pts, 1.1)
    assert main(["hv-approx", str(path), "--ref", "1.1", "--samples", "20000", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    want = fk.hv_approx(pts, 1.1, n_samples=20000, seed=4)
    assert out.startswith(repr(want.value)) and "95% confidence interval" in out
    assert main(["hv-approx", str(path), "--ref", "1.1", "--method", "fpras", "--epsilon",
                 "0.02", "--json"]) == 0  # fmt: skip
    rec = __import__("json").loads(capsys.readouterr().out)
    assert rec["method"] == "fpras" and rec["epsilon"] == 0.02 and rec["delta"] == 0.05
    assert rec["interval"][0] <= exact <= rec["interval"][1]
    assert rec["estimate"] == pytest.approx(exact, rel=0.02)
    assert main(["hv-approx", str(path), "--ref", "1.1", "--epsilon", "0.1"]) == 2
    assert "apply to --method fpras only" in capsys.readouterr().err
    assert main(["hv-approx", str(path), "--ref", "1.1", "--samples", "1"]) == 2
    assert "'n_samples' must be at least 2" in capsys.readouterr().err


def test_front_and_hvc_json_out(tmp_path, capsys):
    rng = np.random.default_rng(3)
    data = rng.random((30, 2))
    path = tmp_path / "p.npy"
    np.save(path, data)
    out = tmp_path / "ranks.json"
    assert main(["front", str(path), "--out", str(out)]) == 0
    rec = _read_json(out)
    assert rec["columns"] == ["0", "1"]
    np.testing.assert_array_equal([r["rank"] for r in rec["rows"]], pareto_ranks(data))
    assert [r["0"] for r in rec["rows"]] == data[:, 0].tolist()
    out = tmp_path / "hvc.json"
    assert main(["hvc", str(path), "--ref", "1.1", "--out", str(out)]) == 0
    import frontierkit as fk

    got = [r["contribution"] for r in _read_json(out)["rows"]]
    np.testing.assert_allclose(got, fk.hv_contributions(data, 1.1), rtol=1e-15)


def test_plots_render(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(4)
    path = tmp_path / "p.npy"
    np.save(path, rng.random((60, 3)))
    for argv in (
        ["front", str(path), "--out", str(tmp_path / "r.csv")],
        ["hv", str(path), "--ref", "1.1"],
        ["hvc", str(path), "--ref", "1.1", "--out", str(tmp_path / "c.csv")],
        ["hv-approx", str(path), "--ref", "1.1"],
    ):
        png = tmp_path / f"{argv[0]}.png"
        assert main([*argv, "--plot", str(png)]) == 0
        assert png.read_bytes()[:4] == b"\x89PNG"
    np.save(tmp_path / "q.npy", rng.random((10, 4)))
    assert main(["front", str(tmp_path / "q.npy"), "--plot", str(tmp_path / "q.png")]) == 2
    assert "--plot draws 2 or 3 objectives" in capsys.readouterr().err
    assert main(["demo", "--n", "500", "--plot", str(tmp_path / "demo.png")]) == 0
    assert (tmp_path / "demo.png").read_bytes()[:4] == b"\x89PNG"
    _runs_csv(tmp_path / "runs.csv", families=(("a", 9, 5), ("b", 9, 5)))
    png = tmp_path / "fit.png"
    assert main(["fit", str(tmp_path / "runs.csv"), "--model", "chinchilla", "--x", "N,D",
                 "--y", "loss", "--group", "family", "--plot", str(png)]) == 0  # fmt: skip
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_fit_progress_bar(tmp_path, capsys):
    _runs_csv(tmp_path / "runs.csv", families=(("a", 9, 5),))
    argv = ["fit", str(tmp_path / "runs.csv"), "--model", "chinchilla", "--x", "N,D", "--y",
            "loss", "--bootstrap", "300", "--out", str(tmp_path / "f.json")]  # fmt: skip
    assert main([*argv, "--progress"]) == 0
    err = capsys.readouterr().err
    assert "bootstrap of chinchilla [" in err and "300/300" in err
    with_bar = _read_json(tmp_path / "f.json")["fits"]
    assert main(argv) == 0  # not a terminal: no bar, the same fits
    assert "bootstrap of" not in capsys.readouterr().err
    assert _read_json(tmp_path / "f.json")["fits"] == with_bar
