"""The `>>>` examples of docs/python.md give the answers shown."""

from __future__ import annotations

import doctest


def test_the_tour_runs_as_written(root):
    # A code fence ends an example's expected output, as a blank line does.
    text = "\n".join(
        "" if line.startswith("```") else line
        for line in (root / "docs" / "python.md").read_text().splitlines()
    )
    test = doctest.DocTestParser().get_doctest(text, {}, "python.md", "docs/python.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    failed, tried = runner.summarize(verbose=False)
    assert tried >= 10 and failed == 0
