"""The review page driven in headless Chromium: play, keys, edit, save, re-align, export.

Needs Debian's `chromium` and `chromium-driver` and the selenium package (CI installs
them in .ci/run); skipped with the reason when they are absent.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import docx
import pytest
from fakes import A2, invoke
from review_fixtures import aligned_study, answer

from pipeline.models import Study
from pipeline.review.api import Review
from pipeline.review.server import ReviewServer, start_server

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="chromium and chromedriver are not installed (apt install chromium chromium-driver)",
)


@pytest.fixture
def study(tmp_path: Path) -> Study:
    return aligned_study(tmp_path / "study")[0]


@pytest.fixture
def server(study: Study) -> Iterator[ReviewServer]:
    from pipeline.workflow import open_study

    served = start_server(Review(*open_study(study.root), "ana"))
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield served
    served.shutdown()
    served.server_close()
    thread.join()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait_for(condition: Callable[[], object], what: str, seconds: float = 15) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def current_time(driver: object) -> float:
    return driver.execute_script("return document.getElementById('audio').currentTime")  # type: ignore[attr-defined]


def test_review_page_plays_edits_and_survives_align(
    study: Study, server: ReviewServer, browser: object
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    driver.get(f"{server.url}interview/felipe-ochoa")  # type: ignore[attr-defined]
    wait_for(lambda: driver.execute_script("return document.body.dataset.ready"), "the page")
    cards = driver.find_elements(By.CSS_SELECTOR, ".question")
    assert [c.get_attribute("data-question") for c in cards] == ["q1", "q2", "q4"]
    assert cards[1].find_element(By.CSS_SELECTOR, ".answer").get_attribute("value").startswith(A2)

    # Clicking question 2 plays the recording from where it was asked (15 s) ...
    cards[1].find_element(By.TAG_NAME, "h3").click()
    wait_for(lambda: current_time(driver) >= 15.0, "the player to seek to question 2")
    first = current_time(driver)
    assert first < 18.0
    wait_for(lambda: current_time(driver) > first + 0.3, "the recording to play on")
    # ... and the sentence being heard is highlighted.
    playing = wait_for(
        lambda: driver.find_elements(By.CSS_SELECTOR, ".segment.playing"), "a highlighted sentence"
    )
    assert float(playing[0].get_attribute("data-start")) == 15.0
    # Space pauses; "n" moves to the next question.
    driver.find_element(By.TAG_NAME, "body").send_keys(" ")
    wait_for(
        lambda: driver.execute_script("return document.getElementById('audio').paused"), "pause"
    )
    driver.find_element(By.TAG_NAME, "body").send_keys("n")
    current = driver.find_element(By.CSS_SELECTOR, ".question.current")
    assert current.get_attribute("data-question") == "q4"
    wait_for(lambda: abs(current_time(driver) - 34.0) < 0.5, "the player at question 3 (q4)")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_UP)
    current = driver.find_element(By.CSS_SELECTOR, ".question.current")
    assert current.get_attribute("data-question") == "q2"

    # Clicking a word of the transcript plays from that word.
    word = driver.find_element(By.CSS_SELECTOR, '.word[data-i="0"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", word)
    word.click()
    wait_for(lambda: current_time(driver) < 3.0, "the player at the first word")

    # Edit question 2's answer and translation, save; text typed for question 1 but not
    # saved stays in its box when the page is drawn again.
    driver.find_element(By.CSS_SELECTOR, "#q-q1 .answer").send_keys(" (unsaved)")
    card = driver.find_element(By.ID, "q-q2")
    area = card.find_element(By.CSS_SELECTOR, ".answer")
    area.clear()
    area.send_keys("Firmamos convenios con tres universidades (corregido).")
    card.find_element(By.CSS_SELECTOR, ".translation").send_keys("We signed agreements.")
    card.find_element(By.CSS_SELECTOR, ".save").click()
    wait_for(lambda: driver.find_element(By.ID, "message").text == "Saved question 2", "the save")
    assert (
        "edited (answer, translation) by ana"
        in driver.find_element(By.CSS_SELECTOR, "#q-q2 .meta").text
    )
    q2 = answer(study, "felipe-ochoa", "q2")
    assert q2.edited_answer == "Firmamos convenios con tres universidades (corregido)."
    unsaved = driver.find_element(By.CSS_SELECTOR, "#q-q1 .answer").get_attribute("value")
    assert unsaved.endswith(" (unsaved)")
    assert answer(study, "felipe-ochoa", "q1").edited_answer == ""

    # Ctrl+S saves the question being typed in.
    translation = driver.find_element(By.CSS_SELECTOR, "#q-q4 .translation")
    translation.send_keys("Citizens should take part.")
    translation.send_keys(Keys.CONTROL, "s")
    wait_for(
        lambda: driver.find_element(By.ID, "message").text == "Saved question 3", "Ctrl+S save"
    )
    assert answer(study, "felipe-ochoa", "q4").translation == "Citizens should take part."

    # The synthesis editor saves too.
    area = driver.find_element(By.CSS_SELECTOR, 'textarea[data-category="cooperation"]')
    area.send_keys("Agreements with three universities.")
    area.find_element(By.XPATH, "../following-sibling::button").click()
    wait_for(
        lambda: "synthesis" in driver.find_element(By.ID, "message").text, "the synthesis save"
    )

    # Alignment runs again: the edit is kept, and it is what Appendix 1 shows.
    result = invoke("align", study.root)
    assert result.exit_code == 0, result.output
    assert "felipe-ochoa: 3/3 questions located; 2 reviewed answers kept" in result.output
    q2 = answer(study, "felipe-ochoa", "q2")
    assert (q2.edited_answer, q2.translation, q2.edited_by) == (
        "Firmamos convenios con tres universidades (corregido).",
        "We signed agreements.",
        "ana",
    )
    result = invoke("export", study.root, "-f", "appendix1-docx,appendix2-docx")
    assert result.exit_code == 0, result.output
    appendix1 = docx.Document(str(study.exports_dir / "appendix1.docx"))
    cells = [cell.text for table in appendix1.tables for row in table.rows for cell in row.cells]
    assert "Firmamos convenios con tres universidades (corregido)." in cells
    appendix2 = docx.Document(str(study.exports_dir / "appendix2.docx"))
    cells = [cell.text for table in appendix2.tables for row in table.rows for cell in row.cells]
    assert "Agreements with three universities." in cells


def test_low_confidence_and_flags_are_highlighted(
    study: Study, server: ReviewServer, browser: object
) -> None:
    import json

    from selenium.webdriver.common.by import By

    from pipeline.transcribe import transcript_path

    path = transcript_path(study, "fabian-bermeo")
    data = json.loads(path.read_text("utf-8"))
    data["segments"][2]["flags"] = ["repetition"]
    for word in data["segments"][4]["words"]:
        word["probability"] = 0.2
    path.write_text(json.dumps(data), encoding="utf-8")
    driver = browser
    driver.get(server.url)  # type: ignore[attr-defined]
    links = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#interviews a"), "the list")
    assert [a.text for a in links] == ["Felipe Ochoa", "Fabián Bermeo"]
    links[1].click()
    wait_for(lambda: driver.execute_script("return document.body.dataset.ready"), "the page")
    flagged = driver.find_elements(By.CSS_SELECTOR, ".segment.flagged")
    low = driver.find_elements(By.CSS_SELECTOR, ".segment.low")
    assert [s.get_attribute("data-start") for s in flagged] == ["10"]
    assert [s.get_attribute("data-start") for s in low] == ["20"]


def test_reanchor_from_the_page(study: Study, server: ReviewServer, browser: object) -> None:
    from fakes import A3, A4, Q4_ES
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(f"{server.url}interview/felipe-ochoa")  # type: ignore[attr-defined]
    wait_for(lambda: driver.execute_script("return document.body.dataset.ready"), "the page")
    driver.find_element(By.CSS_SELECTOR, "#q-q4 .reanchor").click()
    assert "anchoring" in driver.find_element(By.TAG_NAME, "body").get_attribute("class")
    word = next(
        w for w in driver.find_elements(By.CSS_SELECTOR, ".word") if w.text.strip() == "¿Qué"
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", word)
    word.click()
    wait_for(lambda: driver.find_element(By.ID, "message").text == "Saved question 3", "anchor")
    assert driver.find_element(By.CSS_SELECTOR, "#q-q2 .answer").get_attribute("value") == A2
    q4 = answer(study, "felipe-ochoa", "q4")
    assert (q4.answer, q4.edited) == (f"{A3} {Q4_ES} {A4}", ("anchor",))
    assert driver.find_elements(By.CSS_SELECTOR, ".word.anchored")[0].text.strip() == "¿Qué"
