"""Every public function follows the house conventions (DESIGN.md)."""

from __future__ import annotations

import inspect

import frontierkit as fk

PUBLIC_FUNCS = [getattr(fk, name) for name in fk.__all__ if inspect.isfunction(getattr(fk, name))]
POINT_FUNCS = [fk.is_nondominated, fk.filter_dominated, fk.pareto_rank, fk.nondominated_sort]
HV_FUNCS = [fk.hypervolume, fk.hv_contributions, fk.hv_improvement]


def test_points_positional_only_and_options_keyword_only():
    for func in POINT_FUNCS:
        params = list(inspect.signature(func).parameters.values())
        assert params[0].name == "points", func.__name__
        assert params[0].kind is inspect.Parameter.POSITIONAL_ONLY, func.__name__
        for p in params[1:]:
            assert p.kind is inspect.Parameter.KEYWORD_ONLY, (func.__name__, p.name)
        names = {p.name for p in params}
        assert {"maximise", "sets"} <= names, func.__name__
        assert inspect.signature(func).parameters["maximise"].default is False


def test_hypervolume_signatures():
    # moocore's order: points (and candidates) positional, then ref, then keyword-only options.
    for func in HV_FUNCS:
        params = list(inspect.signature(func).parameters.values())
        lead = ["points", "candidates"] if func is fk.hv_improvement else ["points"]
        assert [p.name for p in params[: len(lead)]] == lead, func.__name__
        assert all(p.kind is inspect.Parameter.POSITIONAL_ONLY for p in params[: len(lead)]), (
            func.__name__
        )
        assert params[len(lead)].name == "ref", func.__name__
        assert params[len(lead)].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, func.__name__
        for p in params[len(lead) + 1 :]:
            assert p.kind is inspect.Parameter.KEYWORD_ONLY, (func.__name__, p.name)
        assert inspect.signature(func).parameters["maximise"].default is False
    assert "sets" in inspect.signature(fk.hypervolume).parameters
    assert "sets" in inspect.signature(fk.hv_contributions).parameters


def test_every_public_function_documented_with_example():
    for func in PUBLIC_FUNCS:
        doc = inspect.getdoc(func) or ""
        assert doc, func.__name__
        if func in POINT_FUNCS or func in HV_FUNCS:
            assert "Examples" in doc and ">>>" in doc, func.__name__


def test_warning_tree():
    assert issubclass(fk.FallbackWarning, fk.FrontierkitWarning)
    assert issubclass(fk.PerformanceWarning, fk.FrontierkitWarning)
    assert issubclass(fk.FrontierkitWarning, UserWarning)


def test_doctests_in_public_docstrings():
    import doctest

    import frontierkit.hypervolume
    import frontierkit.pareto

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for mod in (frontierkit.pareto, frontierkit.hypervolume, fk._backend):
        for test in finder.find(mod):
            runner.run(test)
    assert runner.failures == 0
    assert runner.tries > 5
