"""No request makes a 500: Hypothesis walks the app's whole URL map and sends odd values (Unicode digits, huge and
negative numbers, empty and very long strings, control characters, CR/LF, NUL, `..`, percent-encoded junk, open EDTF
intervals) for every path segment, every query parameter the views read, the forms and JSON bodies of the
state-changing routes and the upload headers; as an anonymous visitor and as a signed-in administrator. The last test
prints what was covered (routes, parameters, requests)."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from werkzeug.routing import IntegerConverter

from archive.web import create_app
from search.documents import FACETS
from tests.conftest import make_settings
from tests.media import make_jpeg, make_wav

from .staff_client import add_user, import_items, sign_in

NASTY = ["²", "٣", "１２", "99999999999999999999", "9" * 5000, "-1", "-0001", "0", "1e400", "NaN", "", " ", "a" * 5000,
         "\r\n", "line\r\nbreak.jpg", "\x00", "\x1f\x7f", "..", "../../etc/passwd", "%00", "%ff%fe", "2019-10/..",
         "../1975", "date:2019-10/..", "199X-13", "漢字", "🙂", "<script>alert(1)</script>", "' OR 1=1 --",
         "pct:" + "9" * 5000, "pct:-1,0,10,10", "0,0,99999999999999999999,1", "full", "max", "^max", "!" + "9" * 400,
         "vi", "en", "true", "[]", "{}", "null"]
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40),
                   st.integers(min_value=-10**30, max_value=10**30).map(str))
# What the views read from the query string and forms (search parameters, paging, filters, the staff forms).
QUERY = ["q", "page", "per_page", "sort", "lang", "date_from", "date_to", *FACETS, "version", "status", "mine", "id",
         "next", "action", "actor", "since", "target", "t", "access", "embargo_until", "username", "password", "role",
         "display_name", "title.vi", "title.en", "date", "festival", "community", "place", "subjects", "filename",
         "size", "sensitivity_note.vi", "decade", "year"]
HEADERS = ["Upload-Offset", "Upload-Length", "Content-Range", "If-None-Match", "Range", "Accept-Language"]
COVERED: dict[str, set] = defaultdict(set)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    settings_ = make_settings(root / "var", workers=1)
    application = create_app(settings_)
    archive = application.config["ARCHIVE"]
    import_items(archive, root, [{"title": {"vi": "Lễ hội", "en": "Festival"}, "community": "cham",
                                  "date": "2019-10"}])
    from ingest.pipeline import Ingest
    media = root / "media"
    make_jpeg(media / "photo.jpg", size=(900, 700))
    make_wav(media / "voice.wav", seconds=1)
    Ingest(archive, progress=False).run([media])
    add_user(archive, "admin1", "admin")
    application.testing = False  # an unexpected exception answers 500 as in production, for the assertion below
    application.config["WTF_CSRF_ENABLED"] = False  # the POST pass reaches the views (CSRF itself is tested apart)
    return application


@pytest.fixture(scope="module")
def clients(app):
    admin = app.test_client()
    assert sign_in(admin, "admin1").status_code == 302
    return {"anonymous": app.test_client(), "admin": admin}


def _rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: (r.rule, r.endpoint))


def _rule_ids():
    probe = create_app(make_settings(__import__("pathlib").Path("/nonexistent-fuzz-probe"), workers=1))
    return [f"{r.endpoint}:{sorted(r.methods - {'HEAD', 'OPTIONS'})[0]}" for r in _rules(probe)]


def _path(app, rule, values: dict) -> str:
    """The URL of ``rule`` with these values, quoted as a browser would send them."""
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, {"lang": "vi", **values}, method=sorted(
            rule.methods - {"HEAD", "OPTIONS"})[0], append_unknown=False)


@pytest.mark.parametrize("route", _rule_ids())
@settings(max_examples=50, deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_request_answers_500(app, clients, route, data):
    endpoint, method = route.rsplit(":", 1)
    rule = next(r for r in _rules(app) if r.endpoint == endpoint and method in r.methods)
    values = {name: data.draw(VALUES, label=name) for name in rule.arguments if name != "lang"}
    for name, converter in rule._converters.items():  # int converters: any digits (huge ones too) reach the view
        if isinstance(converter, IntegerConverter):
            values[name] = int(data.draw(st.sampled_from(["1", "99999999999999999999", "9" * 400]), label=name))
    params = {name: data.draw(VALUES, label=name)
              for name in data.draw(st.lists(st.sampled_from(QUERY), max_size=4, unique=True), label="params")}
    headers = {name: data.draw(VALUES, label=name).replace("\r", "").replace("\n", "").replace("\x00", "")
               for name in data.draw(st.lists(st.sampled_from(HEADERS), max_size=2, unique=True), label="headers")}
    who = data.draw(st.sampled_from(["anonymous", "admin"]), label="who")
    path = _path(app, rule, values)
    kwargs = {"headers": headers}
    if method == "GET":
        kwargs["query_string"] = params
    elif endpoint.endswith("staff_api.start"):
        body = data.draw(st.one_of(st.just(params), st.sampled_from([[], "x", 5, None, {"filename": "a.jpg",
                                                                                       "size": 10**30}])))
        kwargs.update(data=json.dumps(body), content_type="application/json")
    else:
        kwargs["data"] = params
    response = clients[who].open(path, method=method, **kwargs)
    COVERED["routes"].add(route)
    COVERED["parameters"].update(f"{route}?{p}" for p in params)
    COVERED["path segments"].update(f"{route}/{v}" for v in values)
    COVERED["requests"].add((route, path, json.dumps(params, ensure_ascii=False), who))
    assert response.status_code < 500, (method, path, params, headers, who, response.get_data(as_text=True)[:2000])


def test_coverage_report(app):
    """Every route was walked; prints the figures for the closing note."""
    if not COVERED["routes"]:
        pytest.fail("run with the fuzz tests (this file as a whole)")
    assert COVERED["routes"] == set(_rule_ids())
    print(f"\nroute fuzz: {len(COVERED['routes'])} routes (method × rule), "
          f"{len({p.split('?', 1)[1] for p in COVERED['parameters']})} query/form parameters "
          f"({len(COVERED['parameters'])} route × parameter pairs), {len(COVERED['path segments'])} path segments, "
          f"{len(COVERED['requests'])} distinct requests")
