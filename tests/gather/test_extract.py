"""Main-text extraction on small pages we wrote: what a reader keeps, what they never see."""

from __future__ import annotations

import pytest

from jic.errors import InputError
from jic.gather.extract import (
    DEFAULT_LEAD_MODEL,
    DEFAULT_LINE_MODEL,
    FEATURE_NAMES,
    LEAD_FEATURE_NAMES,
    Extracted,
    extract_html,
)
from jic.gather.templates import SiteTemplates, TemplateOptions, site_of

ARTICLE = [
    "The river authority opened the northern floodgates on Tuesday morning after three days "
    "of heavy rain raised the water level above the warning mark at the old stone bridge.",
    "Engineers said the gates would stay open until the level fell by at least half a metre, "
    "and that villages downstream had been told to move livestock away from the banks.",
    "A spokesperson for the authority said the reservoir had reached ninety-two percent of "
    "its capacity, the highest figure recorded since the dam was finished eleven years ago.",
    "Local schools in the valley stayed closed as a precaution, while the regional council "
    "opened two sports halls as shelters for families whose houses lie close to the river.",
]


def page(
    title: str,
    paragraphs: list[str],
    *,
    charset: str = "utf-8",
    related: tuple[str, ...] = ("Minister visits new harbour", "Football club signs coach"),
) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    links = "".join(f'<li><a href="/n/{i}">{t}</a></li>' for i, t in enumerate(related))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}"><title>{title} | Valley Courier</title></head>
<body>
<header><nav><ul>
  <li><a href="/">Home</a></li><li><a href="/world">World</a></li>
  <li><a href="/sport">Sport</a></li><li><a href="/contact">Contact us</a></li>
</ul></nav></header>
<main><article>
  <h1>{title}</h1>
  {body}
</article>
<aside class="related-stories"><h3>Related stories</h3><ul>{links}</ul></aside>
<div class="newsletter-box">
<p>Sign up for our newsletter and get the Courier every morning.</p></div>
</main>
<footer><p>© 2026 Valley Courier Ltd. All rights reserved.</p>
<p><a href="/privacy">Privacy policy</a> · <a href="/imprint">Imprint</a></p></footer>
</body></html>"""


@pytest.fixture(scope="module")
def flood() -> Extracted:
    result = extract_html(page("Floodgates opened on the river", ARTICLE), "https://courier.test/a")
    assert result is not None
    return result


def test_article_text_is_kept(flood: Extracted) -> None:
    for paragraph in ARTICLE:
        assert paragraph in flood.text


def test_navigation_footer_and_newsletter_are_dropped(flood: Extracted) -> None:
    for boilerplate in ("Sport", "Contact us", "All rights reserved", "Sign up for our newsletter"):
        assert boilerplate not in flood.text
    assert flood.title == "Floodgates opened on the river"


def test_page_without_article_gives_none() -> None:
    html = "<html><body><nav><a href='/'>Home</a> <a href='/a'>About</a></nav></body></html>"
    assert extract_html(html) is None
    assert extract_html("") is None


def test_broken_html_still_yields_the_text() -> None:
    # unclosed tags, a stray </div> and no <html>/<body> at all
    broken = "<div><h1>Broken page</h1><p>" + "<p>".join(ARTICLE[:3]) + "</div></div><p>tail"
    result = extract_html(broken)
    assert result is not None
    assert ARTICLE[0] in result.text and ARTICLE[2] in result.text


def test_windows_1252_page_is_decoded() -> None:
    text = [
        p.replace("spokesperson", "spokesperson, Ms Müller,").replace("percent", "percent (€2m)")
        for p in ARTICLE
    ]
    raw = page("Floodgates opened", text, charset="windows-1252").encode("cp1252")
    result = extract_html(raw)
    assert result is not None
    assert "Ms Müller" in result.text and "(€2m)" in result.text


def test_models_have_one_weight_per_feature() -> None:
    assert len(DEFAULT_LINE_MODEL.weights) == len(FEATURE_NAMES)
    assert len(DEFAULT_LEAD_MODEL.weights) == len(LEAD_FEATURE_NAMES)


STANDFIRST = (
    "Three days of rain pushed the river above its warning mark, and the authority says "
    "the gates will stay open until the level falls."
)


def split_story_page() -> str:
    """A layout where the standfirst sits in a header block apart from the story body."""
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Gates open | Valley Courier</title></head>
<body><header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
</ul></nav></header>
<div class="page">
<div class="story-top"><h1>Floodgates opened on the river</h1>
<p class="standfirst">{STANDFIRST}</p></div>
<div class="story-grid"><div class="share-bar"><a href="/share">Share this</a></div>
<div class="story-body">{body}</div></div>
<aside class="related-stories"><h3>Related stories</h3><ul>
<li><a href="/n/1">Minister visits new harbour</a></li></ul></aside>
</div><footer><p>© 2026 Valley Courier Ltd. All rights reserved.</p></footer></body></html>"""


def test_lead_paragraph_outside_the_story_body_is_put_back_first() -> None:
    result = extract_html(split_story_page(), "https://courier.test/gates")
    assert result is not None
    assert result.text.startswith(STANDFIRST)
    assert all(paragraph in result.text for paragraph in ARTICLE)
    # the blocks around it are not the article's start
    for furniture in ("Home", "World", "Share this", "Related stories"):
        assert furniture not in result.text


# Three pages of one site sharing a template whose furniture sits inside the article
# container, where a one-page extractor cannot tell it from the story.
SITE_FURNITURE = [
    "Read the Valley Courier on your phone: download our free app today.",
    "Our reporters are on the ground across the valley, bringing you news as it happens.",
]
STORIES = {
    "https://www.courier.test/2026/bridge": (
        "Bridge reopens",
        [
            "The old stone bridge reopened to traffic on Friday after eight months of repairs "
            "that replaced the worn arches and strengthened the foundations against floods.",
            "Drivers had used a detour of fourteen kilometres through the hills while the work "
            "went on, and shop owners in the town centre said trade had fallen by a third.",
            "The council said the final cost came in slightly under the budget approved last "
            "spring, and that a footpath on the eastern side will be finished in the summer.",
        ],
    ),
    "https://www.courier.test/2026/market": (
        "Market moves to square",
        [
            "The weekly farmers' market will move to the cathedral square from next month, "
            "after traders complained that the car park by the station was too small.",
            "Twenty-six stalls are expected on the first Saturday, selling vegetables, cheese, "
            "bread and flowers grown in the villages around the valley.",
            "The market association said the new site would also allow a small stage for "
            "musicians, which had been impossible on the old car park.",
        ],
    ),
    "https://courier.test/2026/library": (
        "Library extends hours",
        [
            "The town library will open until nine in the evening on weekdays, the council "
            "announced, after a survey showed that students wanted more time to study.",
            "Two extra librarians will be hired with money from a regional education fund, "
            "and the reading room will get new lamps and power sockets at every desk.",
            "The longer hours start in September and will be reviewed after one year, when "
            "the council will count visitors and ask readers again for their views.",
        ],
    ),
}


def site_page(title: str, paragraphs: list[str]) -> str:
    return page(title, [*paragraphs, *SITE_FURNITURE], related=())


@pytest.fixture(scope="module")
def site() -> SiteTemplates:
    templates = SiteTemplates()
    for url, (title, paragraphs) in STORIES.items():
        assert templates.learn(site_page(title, paragraphs), url)
    return templates


def test_site_template_drops_lines_every_page_repeats(site: SiteTemplates) -> None:
    url = "https://www.courier.test/2026/bridge"
    title, paragraphs = STORIES[url]
    html = site_page(title, paragraphs)
    alone = extract_html(html, url)
    learned = extract_html(html, url, templates=site)
    assert alone is not None and learned is not None
    for paragraph in paragraphs:
        assert paragraph in learned.text
    for furniture in SITE_FURNITURE:
        assert furniture in alone.text  # inside the article: one page cannot know
        assert furniture not in learned.text
        assert furniture in learned.dropped


def test_single_page_of_a_site_is_left_alone(site: SiteTemplates) -> None:
    html = site_page("Elsewhere", ARTICLE)
    plain = extract_html(html, "https://other.test/x")
    with_templates = extract_html(html, "https://other.test/x", templates=site)
    assert plain is not None and with_templates is not None
    assert with_templates.text == plain.text


def test_update_of_the_same_article_is_not_taken_for_a_template() -> None:
    templates = SiteTemplates()
    title, paragraphs = STORIES["https://www.courier.test/2026/market"]
    first = site_page(title, paragraphs)
    update = site_page(title + " (updated)", [*paragraphs, "Update: the first market sold out."])
    templates.learn(first, "https://courier.test/market")
    result = extract_html(update, "https://courier.test/market-updated", templates=templates)
    assert result is not None
    for paragraph in paragraphs:
        assert paragraph in result.text


def test_sites_group_hosts_and_archived_copies() -> None:
    assert site_of("https://www.courier.test/a") == site_of("http://courier.test/b")
    assert site_of("https://web.archive.org/web/2020/http://www.courier.test/a") == "courier.test"
    assert site_of(None) is None and site_of("hard::page.html") is None


def test_bad_template_options_are_refused() -> None:
    with pytest.raises(InputError):
        SiteTemplates(TemplateOptions(max_pages_per_site=0))
