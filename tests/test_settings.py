import pytest

from archive.settings import SETTINGS, SettingsError, load_settings


def test_defaults_without_environment():
    s = load_settings(environ={})
    assert s.search_backend == "whoosh"
    assert s.data_dir == "./var"
    assert s.catalog_url.endswith("/var/catalog.sqlite")


def test_environment_overrides_and_parses():
    s = load_settings(environ={"HERITAGE_SEARCH_BACKEND": "elasticsearch", "HERITAGE_WORKERS": "3",
                               "HERITAGE_ELASTICSEARCH_URL": "http://127.0.0.1:9201/"})
    assert (s.search_backend, s.workers, s.elasticsearch_url) == ("elasticsearch", 3, "http://127.0.0.1:9201")


def test_unknown_setting_is_named():
    with pytest.raises(SettingsError) as err:
        load_settings(environ={"HERITAGE_SERCH_BACKEND": "whoosh"})
    assert "HERITAGE_SERCH_BACKEND: unknown setting" in str(err.value)


def test_every_malformed_value_is_named_at_once():
    with pytest.raises(SettingsError) as err:
        load_settings(environ={"HERITAGE_WORKERS": "many", "HERITAGE_SEARCH_BACKEND": "solr"})
    assert len(err.value.problems) == 2
    assert any("HERITAGE_WORKERS='many'" in p for p in err.value.problems)
    assert any("HERITAGE_SEARCH_BACKEND='solr': must be one of whoosh, elasticsearch" in p for p in err.value.problems)


def test_every_setting_has_help():
    assert all(s.help and s.name.islower() for s in SETTINGS)


def test_cli_stops_on_bad_setting(heritage, monkeypatch):
    from click.testing import CliRunner
    from archive.cli import main

    result = CliRunner().invoke(main, ["fixity"], env={"HERITAGE_BOGUS": "1"})
    assert result.exit_code == 2
    assert "HERITAGE_BOGUS: unknown setting" in result.output


def test_map_tiles_is_a_template_on_one_host():
    assert load_settings(environ={}).map_tiles == ""
    template = "https://tiles.example.org/osm/{z}/{x}/{y}.png"
    assert load_settings(environ={"HERITAGE_MAP_TILES": template}).map_tiles == template
    for bad, reason in (("tiles.example.org/{z}/{x}/{y}.png", "http:// or https://"),
                        ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", "one host"),
                        ("https://tiles.example.org/{z}/{x}.png", "{z}, {x} and {y}"),
                        ("https://tiles.example.org/{z}/{x}/{y}{foo}.png", "no other placeholder")):
        with pytest.raises(SettingsError) as err:
            load_settings(environ={"HERITAGE_MAP_TILES": bad})
        assert f"HERITAGE_MAP_TILES={bad!r}" in str(err.value) and reason in str(err.value), err.value
