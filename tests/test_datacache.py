"""Parsed YAML kept between runs: the same data as a parse, a changed file parsed again,
an invalid one raising what PyYAML raises, and no PyYAML needed for an unchanged one."""

import datetime
import os

import pytest
import yaml

from peso import datacache


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(datacache, "_INDEX", None)
    return tmp_path


def test_unchanged_file_comes_from_the_index_without_parsing(fresh, monkeypatch):
    path = fresh / "rules.yaml"
    path.write_text("- id: A\n  policies: [x, y]\n- id: B\n")
    first = datacache.load_yaml(str(path))
    assert first == yaml.safe_load(path.read_text())
    monkeypatch.setattr(datacache, "_INDEX", None)  # as a new process: read the index file
    monkeypatch.setattr(yaml, "load", lambda *a, **k: pytest.fail("parsed again"))
    again = datacache.load_yaml(str(path))
    assert again == first and again is not first
    again[0]["id"] = "changed by a caller"
    assert datacache.load_yaml(str(path))[0]["id"] == "A"


def test_a_changed_file_is_parsed_again(fresh):
    path = fresh / "profiles.yaml"
    path.write_text("a: 1\n")
    assert datacache.load_yaml(str(path)) == {"a": 1}
    path.write_text("a: 22\n")
    os.utime(path, ns=(1, 1))  # even with an old modification time: size and change time differ
    assert datacache.load_yaml(str(path)) == {"a": 22}


def test_invalid_yaml_raises_and_dates_are_not_kept(fresh):
    bad = fresh / "bad.yaml"
    bad.write_text("a: [1\n")
    with pytest.raises(yaml.YAMLError):
        datacache.load_yaml(str(bad))
    dated = fresh / "dated.yaml"
    dated.write_text("until: 2026-01-31\n")
    assert datacache.load_yaml(str(dated)) == {"until": datetime.date(2026, 1, 31)}
    assert str(dated) not in datacache._index()
