"""``tools/gen_sync.py``: the generated module is current and ruff-formatted, the drift check
fails on a stale file, and the docstrings are rewritten for blocking use
(``tools/sync_docstrings.py``)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import gen_sync
import sync_docstrings
from rossum_trio import AsyncRossumAPIClient, Listing

SCRIPT = Path(gen_sync.__file__)
sync_docstring = sync_docstrings.sync_docstring
GenerationError = sync_docstrings.GenerationError


@pytest.fixture(scope="module")
def rendered() -> str:
    return gen_sync.render()


def test_generated_module_is_current(rendered: str) -> None:
    assert gen_sync.TARGET.read_text() == rendered, "stale: run python tools/gen_sync.py"


def test_check_fails_on_a_stale_file(
    rendered: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gen_sync, "render", lambda: rendered)
    target = tmp_path / "_sync_generated.py"
    assert gen_sync.main(["--check", "--target", str(target)]) == 1  # missing
    target.write_text(rendered.replace("def list_queues(", "def list_queues_old("))
    assert gen_sync.main(["--check", "--target", str(target)]) == 1  # stale
    assert gen_sync.main(["--target", str(target)]) == 0  # regenerate
    assert target.read_text() == rendered
    assert gen_sync.main(["--check", "--target", str(target)]) == 0


def test_the_script_checks_from_the_command_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    stale = tmp_path / "stale.py"
    stale.write_text(gen_sync.TARGET.read_text() + "\n# edited by hand\n")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--target", str(stale)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "python tools/gen_sync.py" in done.stderr


def test_generator_and_output_are_lint_clean() -> None:
    ruff = gen_sync.ruff_executable()
    for path in (gen_sync.TARGET, SCRIPT, Path(sync_docstrings.__file__)):
        for args in (["check"], ["format", "--check"]):
            done = subprocess.run([ruff, *args, str(path)], capture_output=True, text=True)
            assert done.returncode == 0, done.stdout + done.stderr


def test_the_generator_is_not_shipped() -> None:
    import rossum_trio

    package = Path(rossum_trio.__file__).parent
    assert not (package / "_gen_sync.py").exists()
    assert "gen_sync" not in {p.stem for p in package.glob("*.py")}
    assert gen_sync.TARGET.parent == package
    assert "@generated" in gen_sync.TARGET.read_text().splitlines()[0]


# -- docstrings of the generated module ------------------------------------------------------

#: What a blocking docstring must not say (written independently of the generator's list).
ASYNC_TALK = re.compile(r"\bawait\b|async (for|with)|fail_after|cancel scope|nursery")


def _generated_docstrings() -> dict[str, str]:
    tree = ast.parse(gen_sync.TARGET.read_text())
    (klass,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    return {
        node.name: ast.get_docstring(node) or ""
        for node in klass.body
        if isinstance(node, ast.FunctionDef)
    }


def test_generated_docstrings_speak_of_blocking_use() -> None:
    docs = _generated_docstrings()
    assert {name for name, doc in docs.items() if ASYNC_TALK.search(doc)} == set()
    waiting = {name for name in docs if gen_sync.is_waiting(name)}
    assert {"poll_task", "poll_annotation", "bulk_upload_and_wait"} <= waiting
    for name in waiting:
        assert "``timeout=``" in docs[name], name
        assert "WaitTimeoutError" in docs[name], name
    for name, doc in docs.items():
        assert not doc.startswith("Blocking"), name  # the async summary line comes first


def test_async_talk_in_the_source_docstrings_is_rewritten() -> None:
    """Where an async docstring tells to bound a wait with trio.fail_after, or shows
    ``async for``, the sync twin says ``timeout=`` / shows a plain ``for``."""
    docs = _generated_docstrings()
    rewritten = 0
    for name, doc in docs.items():
        member = getattr(AsyncRossumAPIClient, name, None)
        source = (member.__doc__ or "") if member is not None else ""
        if "fail_after" in source:
            assert "``timeout=``" in doc.split("\n\nBlocking:")[0], name
            rewritten += 1
        if "async for" in source:
            assert re.search(r"^>>> for \w+ in client\.", doc, re.M), name
            rewritten += 1
    assert rewritten, "no async docstring needs rewriting any more: this test is vacuous"


# -- the rules, on synthetic docstrings ------------------------------------------------------


def test_waiting_helpers_bound_the_wait_with_timeout() -> None:
    doc = "Poll a thing.\n\nBound the wait with ``trio.fail_after``, or a cancel scope."
    out = sync_docstring("poll_thing", doc, waiting=True)
    assert out == "Poll a thing.\n\nBound the wait with ``timeout=``, or ``timeout=``."


def test_async_only_advice_on_a_non_waiting_member_needs_an_override() -> None:
    doc = "Fetch a thing.\n\nBound it with ``trio.fail_after``."
    with pytest.raises(GenerationError, match="retrieve_thing.*fail_after"):
        sync_docstring("retrieve_thing", doc, waiting=False)
    # A timeout example written as code cannot be rewritten by a rule either.
    example = "Wait.\n\n>>> with trio.fail_after(5):\n...     await client.poll_thing(1)"
    with pytest.raises(GenerationError, match="fail_after"):
        sync_docstring("poll_thing", example, waiting=True)


def test_code_becomes_blocking() -> None:
    doc = (
        "List things; an async iterator of things.\n\n"
        "Use ``await client.count()`` or ``async for t in client.list_things()``.\n\n"
        ">>> async for t in client.list_things():  # doctest: +SKIP\n"
        "...     await client.touch(t)\n"
        ">>> async with client.stream() as s:\n"
        "...     data = await s.read_all()"
    )
    out = sync_docstring("list_things", doc, waiting=False)
    assert out.splitlines()[0] == "List things; an iterator of things."
    assert "Use ``client.count()`` or ``for t in client.list_things()``." in out
    assert out.endswith(
        ">>> for t in client.list_things():  # doctest: +SKIP\n"
        "...     client.touch(t)\n"
        ">>> with client.stream() as s:\n"
        "...     data = s.read_all()"
    )


def test_changed_prose_is_rewrapped_and_structure_is_kept() -> None:
    long_prose = " ".join(["word"] * 40) + " then ``await client.go()`` and more words."
    bullets = "* ``await x`` in a bullet\n* second bullet"
    untouched = "An untouched\nparagraph keeps its line breaks."
    doc = f"Summary.\n\n{long_prose}\n\n{bullets}\n\n{untouched}"
    out = sync_docstring("thing", doc, waiting=False)
    summary, prose, listed, kept = out.split("\n\n")
    assert summary == "Summary."
    assert all(len(line) <= 92 for line in prose.splitlines())
    assert len(prose.splitlines()) > 1
    assert " ".join(prose.split()) == " ".join(long_prose.split()).replace("await ", "")
    assert listed == "* ``x`` in a bullet\n* second bullet"
    assert kept == untouched


def test_overrides_replace_one_paragraph(monkeypatch: pytest.MonkeyPatch) -> None:
    overrides = {"thing": {"Async order:": "Sync order: ``a, c, b``."}}
    monkeypatch.setattr(sync_docstrings, "DOC_OVERRIDES", overrides)
    doc = "Do a thing.\n\nAsync order: ``a, b,\nc``.\n\nMore."
    out = sync_docstring("thing", doc, waiting=False)
    assert out == "Do a thing.\n\nSync order: ``a, c, b``.\n\nMore."
    with pytest.raises(GenerationError, match="DOC_OVERRIDES"):
        sync_docstring("thing", "Do a thing.\n\nThe order changed.", waiting=False)


def test_the_real_overrides_still_match() -> None:
    for name in sync_docstrings.DOC_OVERRIDES:
        doc = getattr(AsyncRossumAPIClient, name).__doc__
        sync_docstring(name, doc, waiting=gen_sync.is_waiting(name))


# -- a member the client does not have yet ---------------------------------------------------


class _FutureClient:
    """Stands in for methods the async client may grow (the generator reads any class)."""

    async def wait_for_thing(self, thing_id: int, *, sleep_s: float = 1) -> list[int]:
        """Wait for a thing. Bound the wait with ``trio.fail_after``."""
        return [thing_id]

    def list_things(self, ordering: tuple[str, ...] = ()) -> Listing[int]:
        """Iterate things.

        >>> async for t in client.list_things():
        ...     print(t)
        """
        raise NotImplementedError

    def stream_things(self) -> AsyncIterator[int]:
        """An async iterator that is not a listing."""
        raise NotImplementedError


def test_new_members_are_mirrored_from_their_source() -> None:
    imports = gen_sync._Imports()
    waiting = gen_sync._member(_FutureClient, "wait_for_thing", imports)
    assert "def wait_for_thing(self, thing_id: int, *, sleep_s: float = 1, timeout:" in waiting
    assert (
        "return self._call_waiting(timeout, self._async.wait_for_thing, thing_id, sleep_s=sleep_s)"
        in waiting
    )  # noqa: E501
    assert "Bound the wait with ``timeout=``." in waiting
    listing = gen_sync._member(_FutureClient, "list_things", imports)
    assert "-> Iterator[int]:" in listing
    assert ">>> for t in client.list_things():" in listing
    assert "return self._iterate(self._async.list_things(ordering))" in listing


def test_an_async_iterator_that_is_not_a_listing_is_refused() -> None:
    """The blocking client reads a listing one window per trio.run (``next_batch``); a bare
    async iterator cannot be kept across runs, so the generator asks for ``Listing[X]``."""
    with pytest.raises(GenerationError, match=r"stream_things.*Listing\[X\]"):
        gen_sync._member(_FutureClient, "stream_things", gen_sync._Imports())
