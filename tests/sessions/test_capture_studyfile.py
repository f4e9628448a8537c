"""study.toml's fields for element capture: [capture] origins and screens, a task's
success_url, expected_path and a first_click naming an element; each mistake is one
sentence with its line, and a rectangle first_click still reads as before."""
from __future__ import annotations

import pytest

from sessions.study import StudyError, parse_study
from sessions.studyfile_capture import element_target

GOOD = """
title = "Web"
[capture]
origins = ["http://127.0.0.1:5001", "HTTPS://Shop.example"]
screens = ["/orders/*"]
[[task]]
id = "export"
prompt = "Export the orders."
success_url = "/orders/export/done"
first_click = "button 'Export'"
expected_path = ["/", "/orders/*"]
[[task]]
id = "old"
prompt = "A task with a rectangle."
first_click = [1, 2, 3, 4]
[[task]]
id = "css"
prompt = "A task with a selector."
first_click = "#export > span"
"""


def test_the_web_fields_read_back(tmp_path):
    study = parse_study(GOOD, tmp_path / "study.toml")
    assert study.capture.web.origins == ("http://127.0.0.1:5001", "https://shop.example")
    assert study.capture.web.screens == ("/orders/*",)
    export, old, css = study.tasks
    assert export.web.success_url.search("http://x/orders/export/done?x=1")
    assert str(export.web.first_click) == "button 'Export'" and export.first_click is None
    assert export.web.expected_path == ("/", "/orders/*")
    assert old.first_click == (1, 2, 3, 4) and old.web.first_click is None
    assert css.web.first_click.selector == "#export > span"


def test_an_origin_may_allow_any_port_of_its_host(tmp_path):
    study = parse_study(GOOD.replace('"HTTPS://Shop.example"]', '"HTTPS://Shop.example", "http://localhost:*"]'),
                        tmp_path / "study.toml")
    web = study.capture.web
    assert web.allows("http://localhost:8123") and web.allows("http://127.0.0.1:5001")
    assert not web.allows("http://localhost") and not web.allows("http://127.0.0.1:5002")
    assert not web.allows("http://localhost.evil.example:80") and not web.allows("https://localhost:8123")
    with pytest.raises(StudyError, match="one port or ':\\*'"):
        parse_study(GOOD.replace('"HTTPS://Shop.example"]', '"http://a.example:80:*"]'), tmp_path / "study.toml")


def test_an_element_target_matches_by_role_or_tag_and_name_or_selector():
    named = element_target("button 'Export'")
    assert named.matches({"tag": "button", "role": "button", "name": "export"})
    assert named.matches({"tag": "button", "role": None, "name": None, "text": " Export "})
    assert not named.matches({"tag": "a", "role": "link", "name": "Export"})
    assert element_target("#go").matches({"selector": "#go"})
    assert not element_target("#go").matches({"selector": "#stop"})


@pytest.mark.parametrize("line, message", [
    ('[capture]\norigins = ["localhost:8000"]', "expected an origin"),
    ('[capture]\norigins = ["http://a.example/path"]', "expected an origin"),
    ('[capture]\norigins = "http://a.example"', "expected a list of non-empty strings"),
    ('[capture]\nscreens = ["orders/*"]', "starting with '/'"),
    ('[[task]]\nid = "t"\nprompt = "p"\nsuccess_url = "(("', "not a valid regular expression"),
    ('[[task]]\nid = "t"\nprompt = "p"\nfirst_click = "  "', "a CSS selector or a rectangle"),
    ('[[task]]\nid = "t"\nprompt = "p"\nexpected_path = [1]', "expected a list of non-empty strings"),
])
def test_each_mistake_is_one_sentence_with_its_line(tmp_path, line, message):
    text = 'title = "Web"\n' + line + ('\n[[task]]\nid = "a"\nprompt = "p"\n' if "[[task]]" not in line else "\n")
    with pytest.raises(StudyError) as refused:
        parse_study(text, tmp_path / "study.toml")
    assert message in refused.value.message and ", line " in refused.value.message
    assert len(refused.value.message.splitlines()) == 1


def test_product_url_is_an_allowed_origins_page_and_its_link_carries_the_join_token(tmp_path):
    text = GOOD.replace('screens = ["/orders/*"]', 'screens = ["/orders/*"]\nproduct_url = "https://shop.example/start?lang=en#top"')
    web = parse_study(text, tmp_path / "study.toml").capture.web
    assert (web.product_url, web.product_name) == ("https://shop.example/start?lang=en#top", "shop.example")
    assert web.product_link("tok-1") == "https://shop.example/start?lang=en&uxlab_join=tok-1#top"
    named = parse_study(text.replace("#top\"", "#top\"\nproduct_name = \"the shop\""), tmp_path / "study.toml")
    assert named.capture.web.product_name == "the shop"
    assert parse_study(GOOD, tmp_path / "study.toml").capture.web.product_link("tok-1") is None
    for line, message in (('product_url = "http://elsewhere.example/"', "not in [capture] origins"),
                          ('product_url = "shop.example"', "expected a web address"),
                          ('product_url = 3', "expected a web address"),
                          ('product_name = ""', "expected a name of 1 to 60 characters")):
        with pytest.raises(StudyError) as refused:
            parse_study(GOOD.replace('screens = ["/orders/*"]', 'screens = ["/orders/*"]\n' + line),
                        tmp_path / "study.toml")
        assert message in refused.value.message and ", line 6" in refused.value.message
