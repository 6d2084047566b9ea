"""Design-system aggregation and flow layout on big projects run in the compute pool, give what
the analysis gives inline, and a design system computed outside its transaction is stored only
if nothing moved meanwhile (a mockup changed during the computation is seen, not overwritten)."""

from __future__ import annotations

from flexos_mcp import compute
from flexos_mcp.analysis import flow_graph, mermaid
from flexos_mcp.analysis.design_tokens import emerge_design_system
from flexos_mcp.analysis.extraction import extract_mockup
from flexos_mcp.domain import design_systems, flow_nodes, flow_reports, flows, mockups
from flexos_mcp.domain.design_systems import current_mockup_patterns

from helpers.big_project import big_project_pages, store_pages
from helpers.mcp_client import call, connect, new_email
from helpers.project_fixtures import make_project


async def test_a_big_design_system_is_computed_in_the_pool_and_sees_a_mockup_changed_meanwhile(
    database_url, db, monkeypatch
):
    email = new_email()
    project = await make_project(db, email)
    pages = big_project_pages(design_systems.INLINE_MOCKUPS + 10, size=6_000)
    await store_pages(db, project, pages)
    await db.executemany(
        """UPDATE mockups m SET extracted_patterns = $3 FROM pages p
            WHERE m.id = p.current_mockup_id AND p.project_id = $1 AND p.slug = $2""",
        [(project, p["slug"], extract_mockup(p["html"], None)["extracted_patterns"]) for p in pages],
    )
    red = extract_mockup('<div style="color:#dc2626;background:#fef2f2;padding:13px">Sale</div>' * 40, None)[
        "extracted_patterns"
    ]
    computed = []

    async def run_cpu_and_edit(big, fn, *args, **kwargs):
        computed.append(big)
        if len(computed) == 1:  # someone saves a mockup while the pool computes
            await db.execute(
                """UPDATE mockups m SET extracted_patterns = $2 FROM pages p
                                 WHERE m.id = p.current_mockup_id AND p.project_id = $1 AND p.slug = $3""",
                project,
                red,
                pages[0]["slug"],
            )
        return await compute.run_cpu_if(big, fn, *args, **kwargs)

    monkeypatch.setattr(design_systems, "run_cpu_if", run_cpu_and_edit)
    async with connect(database_url, email=email, toolsets=("design",)) as client:
        result = await call(client, "analyze_design_system", project_id=str(project))
    assert computed == [True, True]  # in the pool; the first result was not stored, the second was
    assert result["mockups_analyzed"] == len(pages)
    expected = emerge_design_system(await current_mockup_patterns(db, project), {}, None)
    stored = await db.fetchrow("SELECT tokens, confidence_scores FROM design_systems WHERE project_id = $1", project)
    assert stored["tokens"] == expected["tokens"] and stored["confidence_scores"] == expected["confidence_scores"]


def long_journey(count: int) -> dict:
    """A journey of `count` screens with a retry loop every 10 steps."""
    nodes = [
        {"id": f"s{i}", "type": "screen", "position": {"x": 0, "y": 0}, "data": {"label": f"Step {i}"}}
        for i in range(count)
    ]
    edges = [{"id": f"e{i}", "source": f"s{i}", "target": f"s{i + 1}"} for i in range(count - 1)]
    edges += [{"id": f"back{i}", "source": f"s{i}", "target": f"s{i - 5}"} for i in range(10, count, 10)]
    return {"nodes": nodes, "edges": edges}


async def test_a_big_flow_is_laid_out_and_read_in_the_pool_like_inline(database_url, monkeypatch):
    canvas = long_journey(flows.INLINE_NODES + 50)
    pooled = []

    async def counted(big, fn, *args, **kwargs):
        pooled.append((fn.__name__, big))
        return await compute.run_cpu_if(big, fn, *args, **kwargs)

    monkeypatch.setattr(flow_nodes, "run_cpu_if", counted)
    monkeypatch.setattr(flow_reports, "run_cpu_if", counted)
    async with connect(database_url, toolsets=("projects", "flows")) as client:
        project = (await call(client, "create_project", name="Long", type="web-app"))["id"]
        flow = await call(client, "create_flow", project_id=project, name="Onboarding", canvas=canvas)
        layout = await call(client, "auto_layout_flow", flow_id=flow["id"])
        analysis = await call(client, "analyze_flow", flow_id=flow["id"])
        diagram = await call(client, "export_flow_mermaid", flow_id=flow["id"])
    assert pooled == [("auto_layout", True), ("analyze_flow", True), ("flow_to_mermaid", True)]
    assert layout["positions"] == flow_graph.auto_layout(canvas["nodes"], canvas["edges"])
    assert analysis["entries"] == ["s0"] and len(analysis["cycles"]) > 0
    assert diagram["mermaid"] == mermaid.flow_to_mermaid(
        canvas["nodes"], canvas["edges"], direction="LR", page_names={}
    )


async def test_a_big_mockup_is_extracted_in_the_pool_like_inline(database_url, db, monkeypatch):
    html = big_project_pages(1, size=100_000)[0]["html"]  # past the size that goes to the pool (64 KB)
    pooled = []

    async def counted(big, fn, *args, **kwargs):
        pooled.append(big)
        return await compute.run_cpu_if(big, fn, *args, **kwargs)

    monkeypatch.setattr(mockups, "run_cpu_if", counted)
    async with connect(database_url, toolsets=("projects", "pages")) as client:
        project = (await call(client, "create_project", name="Big page", type="web-app"))["id"]
        page = await call(client, "create_page", project_id=project, name="Long", path="/long", html_content=html)
    assert pooled == [True]
    stored = await db.fetchval("SELECT extracted_patterns FROM mockups WHERE page_id = $1", page["id"])
    assert stored == extract_mockup(html, None)["extracted_patterns"] and stored["colors"]
