"""Plain unit tests: no AUT (the first tier of the demo)."""


def make_project(name):
    return {"name": name, "files": []}


def test_new_project_is_empty():
    assert make_project("a")["files"] == []


def test_project_keeps_its_name():
    assert make_project("demo")["name"] == "demo"


def test_names_are_case_sensitive():
    assert make_project("A") != make_project("a")
