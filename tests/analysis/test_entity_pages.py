"""Entity inference page by page (analysis/entities.py's seams): what makes the per-page cache
sound, and that knowledge crosses pages."""

from flexos_mcp.analysis import entities as analysis

from helpers.big_project import DASHBOARD, LESSON_PLAN_FORM, big_project_pages, example_pages
from helpers.entity_fixtures import CYCLE, EXAMPLE_PAGES


def test_a_page_reads_the_same_with_only_the_known_entities_it_can_see():
    """What makes the per-page cache sound: a page read with the slice relevant_known gives it
    finds exactly what it finds with every known entity of the project."""
    for pages in (EXAMPLE_PAGES, CYCLE, example_pages(), big_project_pages(64)):
        seeds = [analysis.page_seeds(p) for p in pages]
        findings = [None] * len(pages)
        while todo := analysis.pages_to_read(seeds, findings, []):
            for i, known in todo.items():
                findings[i] = analysis.read_page(pages[i], known)
        stages = [sorted(s) for s in analysis.known_stages(seeds, findings, [])]
        assert any(len(f["known"][-1]) < len(stages[-1]) for f in findings) or len(stages[-1]) <= 2
        for page, found in zip(pages, findings, strict=True):
            assert analysis.read_page(page, stages)["entities"] == found["entities"], page["slug"]


def test_what_one_page_names_changes_how_another_is_read():
    """The dashboard's "Recent lesson plans" table is LessonPlan while another page's form makes
    LessonPlan known, and Plan without it: the known entities cross pages, in stages."""
    form = {"slug": "plans-new", "path": "/lesson-plans/new", "name": "New", "html": LESSON_PLAN_FORM}
    board = {"slug": "dashboard", "path": "/dashboard", "name": "Dashboard", "html": DASHBOARD}
    both = {e["entity_name"]: e for e in analysis.infer_entities([form, board], [])}
    assert set(both) == {"LessonPlan"}
    assert both["LessonPlan"]["fields"]["published_on"]["inferred_from"] == ["dashboard"]
    alone = {e["entity_name"] for e in analysis.infer_entities([board], [])}
    assert alone == {"Plan"}
