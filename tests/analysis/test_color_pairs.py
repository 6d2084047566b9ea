"""Text/background pairs read from markup and styles: the cascade as a browser applies it for the
page as it first shows (inheritance, specificity, Tailwind, inline styles, translucency)."""

from flexos_mcp.analysis.extraction import extract_mockup


def pairs(html: str, css: str | None = None) -> dict[tuple[str, str], int]:
    return {
        (p["text"], p["background"]): p["count"] for p in extract_mockup(html, css)["extracted_patterns"]["color_pairs"]
    }


def test_text_inherits_and_sits_on_the_nearest_painted_background():
    html = """<body style="color:#111111"><div style="background:#EEEEEE"><section><p>a</p><p>b</p></section></div>
              <p>c</p></body>"""
    assert pairs(html) == {("#111111", "#EEEEEE"): 2, ("#111111", "#FFFFFF"): 1}


def test_the_page_starts_black_on_white_and_elements_without_text_do_not_count():
    assert pairs("<div style='background:#FF0000'></div><p>x</p>") == {("#000000", "#FFFFFF"): 1}


def test_stylesheet_rules_cascade_by_specificity_then_order():
    css = """p { color: #222222 } .note { color: #333333 } #lead.note { color: #444444 }
             .box { background: var(--paper) } :root { --paper: #FAFAFA } p.note { color: #555555 }
             .note:hover { color: #FF0000 } @media (min-width: 600px) { p { color: #00FF00 } }"""
    html = '<div class="box"><p>plain</p><p class="note">note</p><p class="note" id="lead">lead</p></div>'
    assert pairs(html, css) == {("#222222", "#FAFAFA"): 1, ("#555555", "#FAFAFA"): 1, ("#444444", "#FAFAFA"): 1}


def test_tailwind_utilities_beat_stylesheets_and_inline_styles_beat_both():
    css = "span { color: #123456 }"
    html = (
        '<div class="bg-slate-900 text-white hover:text-red-600 md:bg-white"><span>a</span>'
        '<span class="text-slate-300">b</span><span class="text-slate-300" style="color: rgb(255, 0, 0)">c</span></div>'
    )
    assert pairs(html, css) == {("#123456", "#0F172A"): 1, ("#CBD5E1", "#0F172A"): 1, ("#FF0000", "#0F172A"): 1}


def test_translucent_backgrounds_blend_and_images_make_the_background_unknown():
    html = (
        '<div style="background:#000000"><p style="background: rgba(255,255,255,0.5); color:#FFFFFF">half</p></div>'
        '<div style="background: url(x.png) #FFFFFF"><p>on an image</p></div>'
        '<div class="bg-gradient-to-r from-red-600 to-blue-600"><p>on a gradient</p></div>'
    )
    assert pairs(html) == {("#FFFFFF", "#808080"): 1}


def test_content_that_is_never_rendered_is_left_out():
    html = "<head><title>t</title><style>p{}</style></head><body><script>var a = 1</script><template><p>x</p></template><p>y</p></body>"
    assert pairs(html) == {("#000000", "#FFFFFF"): 1}
