"""Token contrast through a real MCP client: check_design_system names the text/background token
pairs the current mockups use together, with WCAG 2.2 ratios and verdicts (no browser needed)."""

from __future__ import annotations

import uuid

from helpers.mcp_client import call, connect, error_of

PAGE = """<html><head><style>body { background: #F8FAFC; color: #0F172A; }
header { background: #DC2626; color: #FFFFFF; } .card { background: #FFFFFF; }</style></head>
<body><header><strong>Lesson Library</strong></header><main><h1>My shelf</h1><div class="card">Lessons</div></main></body></html>"""
FAULTY = '<main><h1>Lessons</h1><p style="color: #AAAAAA; font-size: 12px">Low-contrast text</p></main>'


async def _page(client, project: str, html: str, name: str) -> dict:
    return await call(client, "create_page", project_id=project, name=name, html_content=html)


async def test_check_design_system_reports_token_contrast_of_the_pairs_the_mockups_use(database_url, db):
    async with connect(database_url) as client:
        project = (await call(client, "create_project", name="Contrast", type="web-app"))["id"]
        assert "no design system yet" in await error_of(client, "check_design_system", project_id=project)
        await _page(client, project, PAGE, "Shelf")
        await _page(client, project, FAULTY, "Faulty")
        legacy = await _page(client, project, '<p style="color:#94A3B8">Grey on white</p>', "Legacy")
        # A row written by older software: no colour pairs stored; they are worked out on the fly.
        await db.execute(
            "UPDATE mockups SET extracted_patterns = extracted_patterns - 'color_pairs' WHERE id = $1",
            uuid.UUID(legacy["current_mockup_id"]),
        )
        await call(client, "analyze_design_system", project_id=project)
        report = await call(client, "check_design_system", project_id=project)
        assert report["mockups_checked"] == 3
        pairs = {(p["text"]["value"], p["background"]["value"]): p for p in report["token_contrast"]}
        white_on_red = pairs[("#FFFFFF", "#DC2626")]
        assert white_on_red["ratio"] == 4.83 and white_on_red["aa"] and not white_on_red["aaa"]
        assert (
            white_on_red["text"]["token"] and white_on_red["background"]["token"] and white_on_red["pages"] == ["shelf"]
        )
        grey = pairs[("#AAAAAA", "#FFFFFF")]
        assert grey["verdict"] == "fail" and not grey["aa"] and grey["pages"] == ["faulty"]
        assert pairs[("#94A3B8", "#FFFFFF")]["pages"] == ["legacy"]  # from the row without stored pairs
        verdicts = [p["verdict"] for p in report["token_contrast"]]
        assert verdicts == sorted(verdicts, key=["fail", "AA-large", "AA", "AAA"].index)  # failing first
        assert report["failing_aa"] == sum(1 for p in report["token_contrast"] if not p["aa"]) >= 2
