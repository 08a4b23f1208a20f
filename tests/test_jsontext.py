"""jsontext.compact: orjson's text where it gives the standard library's, the standard library's where orjson refuses."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from carehomes.jsontext import compact, compact_bytes


def _standard(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


texts = st.text(st.characters(exclude_categories=("Cs",)))  # any character but a lone surrogate (not in UTF-8)
values = st.recursive(st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | texts,
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4), max_leaves=20)


@settings(max_examples=120, deadline=None)  # each a whole nested value: 120 cover the kinds of value in about a second
@given(values)
def test_compact_is_the_standard_librarys_text_for_what_the_build_writes(value):
    assert compact(value) == _standard(value)
    assert compact_bytes(value) == _standard(value).encode("utf-8")


def test_hostile_text_is_escaped_as_json_escapes_it_and_what_orjson_refuses_is_written_as_before():
    hostile = {"name": 'Care </script><b onmouseover="x">\u2028\x00\x1f\x7f "quoted" \\ é 😀', "n": [1, 2.5, None, True]}
    assert compact(hostile) == _standard(hostile)
    assert json.loads(compact(hostile)) == hostile
    assert compact({1: "a", 2: [2**70]}) == '{"1":"a","2":[1180591620717411303424]}'  # a number key; over 64 bits
    assert compact_bytes((1, "two")) == b'[1,"two"]'
    try:
        compact({"when": object()})
    except TypeError as exc:
        assert "not JSON serializable" in str(exc)
    else:
        raise AssertionError("an object JSON cannot hold was written")
