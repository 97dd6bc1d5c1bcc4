"""The build session: one profile for many workbooks, picklable for worker processes, results returned not printed."""

from __future__ import annotations

import pickle
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from pipeline import BuildSession, resolve_profile
from pipeline.cli import app
from pipeline.errors import TemplateProblem

from .conftest import ROOT, SAMPLE
from .test_golden import document_text

runner = CliRunner()


def _copies(n: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = Path(f"dept{i}.xlsx")
        shutil.copy(SAMPLE, path)
        paths.append(path)
    return paths


def test_the_template_is_prepared_once_for_a_batch(capsys: pytest.CaptureFixture[str]) -> None:
    session = BuildSession(resolve_profile(None), Path("out"))
    first, second = (session.run(p) for p in _copies(2))
    assert first.ok and second.ok
    renderer = session.renderer()
    compiled = dict(renderer.env._compiled)
    assert compiled, "the template's parts were compiled"
    session.run(Path("dept0.xlsx"))
    assert renderer.env._compiled == compiled, "a third report compiles nothing new"
    assert capsys.readouterr() == ("", ""), "a session prints nothing"


def test_sessions_of_one_process_share_a_prepared_template_until_its_file_changes() -> None:
    """The web page's jobs are new sessions in processes forked from one that prepared the templates: a session
    takes the process's prepared template of the same file and number style, and never one of an older file."""
    shutil.copytree(ROOT / "templates" / "default", "mine")
    first, second = (BuildSession(resolve_profile(Path("mine")), Path(f"out{i}")) for i in (1, 2))
    assert first.run(_copies(1)[0]).ok
    assert second.renderer() is first.renderer()
    template = docx.Document("mine/report.docx")
    template.add_paragraph("模板改过了")
    template.save("mine/report.docx")
    third = BuildSession(resolve_profile(Path("mine")), Path("out3"))
    assert third.renderer() is not first.renderer()
    result = third.run(Path("dept0.xlsx"))
    assert result.ok and result.output is not None
    assert "模板改过了" in [p.text for p in docx.Document(str(result.output)).paragraphs]


def test_the_web_jobs_forkserver_prepares_every_offered_template() -> None:
    from pipeline.render.docx import shared_renderer
    from pipeline.render.prepared import PreparedTemplate
    from pipeline.session import render_options
    from pipeline.template.profile import list_templates
    from pipeline.web import jobs, warm

    assert jobs.PRELOAD[-1] == "pipeline.web.warm"
    offered = list_templates()
    assert len(offered) >= 2 and warm.warm() == len(offered)
    for entry in offered:
        profile = resolve_profile(entry.folder)
        assert profile.document is not None
        renderer = shared_renderer(profile.document, render_options(profile))
        assert isinstance(renderer._prepared, PreparedTemplate), entry.name


def _run(session: BuildSession, path: Path) -> tuple[bool, str]:
    result = session.run(path)
    return result.ok, str(result.output)


def test_a_session_pickles_and_runs_in_worker_processes() -> None:
    session = BuildSession(resolve_profile(None), Path("out").resolve())
    session.run(_copies(1)[0])  # prepared here; the pickle leaves the renderer behind
    clone = pickle.loads(pickle.dumps(session))
    assert clone.profile == session.profile
    paths = [p.resolve() for p in _copies(2)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_run, [clone] * 2, paths))
    assert results == [(True, str(Path("out").resolve() / p.name.replace(".xlsx", ".docx"))) for p in paths]
    assert document_text(Path("out/dept1.docx")) == document_text(Path("out/dept0.docx"))


def test_a_template_by_name_and_an_unknown_one() -> None:
    assert resolve_profile("default").document == resolve_profile(None).document
    with pytest.raises(
        TemplateProblem,
        match=r"^找不到模板“nosuch”（可用的模板：default、township；或给出 \.docx 文件或文件夹的路径）$",
    ):
        resolve_profile("nosuch")
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "-t", "default", "-o", "out"])
    assert result.exit_code == 0, result.output


def test_validate_takes_a_folder_of_rules_alone_and_build_says_what_is_missing() -> None:
    Path("tpl").mkdir()
    shutil.copy(Path(__file__).parent.parent / "templates" / "default" / "rules.toml", "tpl/rules.toml")
    shutil.copy(SAMPLE, "2022.xlsx")
    assert runner.invoke(app, ["validate", "2022.xlsx", "-t", "tpl"]).exit_code == 0
    result = runner.invoke(app, ["build", "2022.xlsx", "-t", "tpl", "-o", "out"])
    assert (result.exit_code, result.stderr) == (1, "错误：tpl/report.docx：找不到模板文件\n")
