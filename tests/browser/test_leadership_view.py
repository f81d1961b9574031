"""The share link as leadership meets it, on a laptop and on a phone: the answer on the first screen, nothing
wider than the screen, every column of the status table on a laptop."""
from __future__ import annotations

from playwright.sync_api import expect
from share_link_support import share_the_sample

TIMEOUT = 60_000
OVERFLOW = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  return {page: document.documentElement.scrollWidth, main: main.scrollWidth, mainVisible: main.clientWidth};
}"""


def _open(browser, link: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    view = context.new_page()
    view.goto(link)
    expect(view.get_by_test_id("stMainBlockContainer").get_by_text("Marketing SLA", exact=True)).to_be_visible(
        timeout=TIMEOUT)
    expect(view.get_by_test_id("stMetricValue").first).to_be_visible(timeout=TIMEOUT)
    expect(view.get_by_test_id("stVegaLiteChart")).to_have_count(3, timeout=TIMEOUT)
    expect(view.locator(".sla-table")).to_be_visible(timeout=TIMEOUT)
    return context, view


def test_the_share_view_reads_on_a_phone_and_a_laptop(page, browser, app_url, artifacts):
    link = share_the_sample(page, app_url, "Leadership")
    for width, height in ((390, 844), (1440, 900)):
        context, view = _open(browser, link, width, height)
        try:
            # the answer first: the month, both sides and their verdicts on the first screen, without scrolling
            expect(view.get_by_role("combobox", name="Month")).to_have_value("January 2025 (in progress)")
            for card in ("Marketing SLA", "Sales SLA"):
                box = view.get_by_test_id("stMainBlockContainer").locator("strong", has_text=card).bounding_box()
                assert box is not None and box["y"] + box["height"] <= height, f"{card} below the first screen"
            expect(view.get_by_text("Has 101 of 200 leads, 14 of 31 days into January 2025")).to_be_visible()
            expect(view.get_by_text("on track", exact=True).first).to_be_visible()
            view.screenshot(path=str(artifacts / f"leadership_share_{width}_first_screen.png"))
            view.set_viewport_size({"width": width, "height": 4000 if width < 600 else 2400})  # the whole page
            view.wait_for_timeout(1500)
            view.screenshot(path=str(artifacts / f"leadership_share_{width}.png"))
            widths = view.evaluate(OVERFLOW)
            assert widths["page"] <= width, widths  # nothing wider than the screen
            assert widths["main"] <= widths["mainVisible"], widths
            assert view.get_by_role("heading", name="SLA health month by month").count() == 1  # never twice
            heads = view.locator(".sla-table th")
            assert heads.all_inner_texts() == [
                "Month", "Status", "Marketing", "Sales SLA", "Attainment", "Speed", "Depth", "Misses in a row"]
            # a laptop sees every column of the status table; a phone the answer columns without scrolling sideways
            seen = heads.all() if width > 1000 else heads.all()[:4]
            assert all(box["x"] + box["width"] <= width for box in (h.bounding_box() for h in seen)), width
        finally:
            context.close()
