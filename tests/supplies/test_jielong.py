"""The 接龙 reader on messy chains: pure, no database."""

from decimal import Decimal

import pytest

from supplies.jielong import Item, parse, read_items

MESSY = """【接龙】20栋 2月14日 买菜 🥬🥬
例：20-1702 白菜2斤 鸡蛋1盒

1. 20-1702 白菜2斤 鸡蛋1盒
２．２０栋１８０１　土豆３斤，番茄两斤🍅
3、20#1902 半斤姜 一盒鸡蛋（要土鸡蛋） 牛奶x2
4. 张阿姨 20-2-301 面条 酱油 一瓶
5. 谢谢志愿者辛苦了！👍👍
6. 21-0909 白菜2斤
7. 20-1703
大家几点送到？
8) 20栋1704室 大米 10斤 鸡蛋 2 盒 葱一把
"""


def by_line(parsed):
    return {e.line_no: e for e in parsed.entries}


def test_every_line_lands_in_exactly_one_list():
    parsed = parse(MESSY)
    lines = [e.line_no for e in parsed.entries]
    lines += [u.line_no for u in parsed.unread] + [s.line_no for s in parsed.skipped]
    assert sorted(lines) == list(range(1, len(MESSY.splitlines()) + 1))


def test_title_example_and_blank_lines_are_skipped():
    skipped = {s.line_no for s in parse(MESSY).skipped}
    assert skipped == {1, 2, 3}


def test_rooms_written_every_way_are_read_canonically():
    entries = by_line(parse(MESSY))
    assert entries[4].address.canonical == "20-1702"
    assert entries[5].address.canonical == "20-1801"  # full-width 20栋1801
    assert entries[6].address.canonical == "20-1902"  # 20#1902
    assert entries[7].address.canonical == "20-2-301"  # with a unit, after a name
    assert entries[12].address.canonical == "20-1704"  # 20栋1704室


def test_full_width_digits_and_punctuation_and_chinese_numerals():
    entries = by_line(parse(MESSY))
    assert entries[5].entry_no == 2
    assert entries[5].items == [
        Item("土豆", Decimal("3"), "斤"),
        Item("番茄", Decimal("2"), "斤"),
    ]
    assert entries[6].items == [
        Item("姜", Decimal("0.5"), "斤"),
        Item("鸡蛋", Decimal("1"), "盒", "要土鸡蛋"),
        Item("牛奶", Decimal("2"), ""),
    ]


def test_several_items_missing_units_and_split_quantities():
    entries = by_line(parse(MESSY))
    assert entries[7].items == [Item("面条"), Item("酱油", Decimal("1"), "瓶")]
    assert entries[12].items == [
        Item("大米", Decimal("10"), "斤"),
        Item("鸡蛋", Decimal("2"), "盒"),
        Item("葱", Decimal("1"), "把"),
    ]


def test_emoji_are_dropped_from_items():
    entries = by_line(parse(MESSY))
    assert all("🍅" not in item.name for item in entries[5].items)


def test_chatter_and_a_room_without_items_are_unread_with_their_code():
    unread = {u.line_no: u.code for u in parse(MESSY).unread}
    assert unread == {8: "chatter", 10: "no_items", 11: "chatter"}


def test_an_order_line_without_a_room_is_room_unknown_with_its_items():
    parsed = parse("1. 白菜2斤 鸡蛋1盒")
    assert [(u.code, len(u.items)) for u in parsed.unread] == [("room_unknown", 2)]


def test_a_chain_of_one_building_reads_bare_rooms_and_unit_rooms():
    parsed = parse("1. 1702 白菜2斤\n2. 2-301 鸡蛋1盒\n3. 21栋301 米", building="20")
    assert [e.address.canonical for e in parsed.entries] == ["20-1702", "20-2-301", "21-301"]


def test_a_weight_is_not_taken_for_a_room():
    parsed = parse("1. 1702 猪肉 500g", building="20")
    assert [e.address.canonical for e in parsed.entries] == ["20-1702"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("两斤白菜", [Item("白菜", Decimal("2"), "斤")]),
        ("白菜一斤半", [Item("白菜", Decimal("1.5"), "斤")]),
        ("一品豆腐", [Item("一品豆腐")]),
        ("鸡蛋十二个", [Item("鸡蛋", Decimal("12"), "个")]),
    ],
)
def test_chinese_numerals_need_their_unit(text, expected):
    assert read_items(text) == expected


def test_lines_are_numbered_as_the_text_box_shows_them():
    parsed = parse("1. 20-1702 米\r\n2. 20-1801 油\u2028盐\n")
    assert [e.line_no for e in parsed.entries] == [1, 2]
    assert len(parsed.entries) + len(parsed.unread) + len(parsed.skipped) == 2
