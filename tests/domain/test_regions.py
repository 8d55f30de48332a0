import pytest

from domain import regions
from domain.regions import InvalidRegion, RegionLevel

ANSHAN_COUNTIES = {
    "210302": "铁东区",
    "210303": "铁西区",
    "210304": "立山区",
    "210311": "千山区",
    "210321": "台安县",
    "210323": "岫岩满族自治县",
    "210381": "海城市",
}


def test_thirty_one_provinces():
    provinces = regions.children(None)
    assert len(provinces) == 31
    assert all(p.level == RegionLevel.PROVINCE and p.parent is None for p in provinces)
    names = {p.name for p in provinces}
    assert {"北京市", "内蒙古自治区", "新疆维吾尔自治区", "西藏自治区", "海南省"} <= names
    assert [p.code for p in provinces] == sorted(p.code for p in provinces)


def test_codes_are_unique_and_parents_are_prefixes():
    seen = set()

    def walk(code):
        for child in regions.children(code, include_historical=True):
            assert child.code not in seen
            seen.add(child.code)
            assert child.parent == code
            prefix = 2 if child.level == RegionLevel.CITY or code.endswith("0000") else 4
            assert child.code[:prefix] == code[:prefix]
            walk(child.code)

    for province in regions.children(None):
        seen.add(province.code)
        walk(province.code)
    assert len(seen) > 150


def test_anshan_has_all_its_districts_and_counties():
    found = {r.code: r.name for r in regions.children("210300")}
    assert found == ANSHAN_COUNTIES


@pytest.mark.parametrize(
    ("code", "cities"),
    [("210000", 14), ("330000", 11)],
)
def test_demo_provinces_list_all_cities(code, cities):
    assert len(regions.children(code)) == cities
    assert all(c.level == RegionLevel.CITY for c in regions.children(code))


@pytest.mark.parametrize(
    ("code", "full"),
    [
        ("330106", "浙江省/杭州市/西湖区"),
        ("210302", "辽宁省/鞍山市/铁东区"),
        ("150924", "内蒙古自治区/乌兰察布市/兴和县"),
        ("150102", "内蒙古自治区/呼和浩特市/新城区"),
        ("220102", "吉林省/长春市/南关区"),
        ("120103", "天津市/河西区"),
        ("310151", "上海市/崇明区"),
        ("110105", "北京市/朝阳区"),
        ("210000", "辽宁省"),
        ("210300", "辽宁省/鞍山市"),
    ],
)
def test_full_name(code, full):
    assert regions.full_name(code) == full


def test_beijing_has_sixteen_current_districts():
    assert len(regions.children("110000")) == 16
    assert {r.level for r in regions.children("110000")} == {RegionLevel.COUNTY}


def test_historical_chongming_county_still_resolves():
    old = regions.get("310230")
    assert old.historical and old.successor == "310151"
    assert regions.full_name("310230") == "上海市/崇明县"
    assert regions.current_code("310230") == "310151"
    assert regions.current_code("310151") == "310151"
    assert "310230" not in {r.code for r in regions.children("310000")}
    assert "310230" in {r.code for r in regions.children("310000", include_historical=True)}
    with pytest.raises(InvalidRegion, match="已撤销"):
        regions.validate_region("310230")


@pytest.mark.parametrize(
    ("code", "ancestor", "expected"),
    [
        ("210302", "210300", True),
        ("210302", "210000", True),
        ("210302", "210302", True),
        ("210300", "210302", False),
        ("210302", "330000", False),
        ("330106", "330100", True),
        ("120103", "120000", True),
        ("310230", "310000", True),
        ("999999", "210000", False),
        ("210302", "999999", False),
    ],
)
def test_is_within_for_jurisdictions(code, ancestor, expected):
    assert regions.is_within(code, ancestor) is expected


def test_path_and_province_of():
    assert [r.code for r in regions.path("210381")] == ["210000", "210300", "210381"]
    assert regions.province_of("210381").name == "辽宁省"
    assert regions.province_of("120103").code == "120000"


@pytest.mark.parametrize(
    ("code", "level", "message"),
    [
        ("", None, "请选择行政区划"),
        ("21030", None, "行政区划代码应为6位数字"),
        ("21030a", None, "行政区划代码应为6位数字"),
        ("210399", None, "所选行政区划不存在"),
        ("210302", "city", "请选择市级行政区划"),
        ("210300", RegionLevel.COUNTY, "请选择县级行政区划"),
    ],
)
def test_validate_region_messages(code, level, message):
    with pytest.raises(InvalidRegion) as caught:
        regions.validate_region(code, level)
    assert caught.value.message == message


def test_validate_region_accepts_the_right_level():
    assert regions.validate_region("210300", "city").name == "鞍山市"
    assert regions.validate_region("210302").level == RegionLevel.COUNTY


def test_children_of_unknown_code_is_an_error():
    with pytest.raises(InvalidRegion):
        regions.children("999900")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("152630", "150000"),  # old 乌兰察布盟 code on a seed ID: falls back to the province
        ("210302", "210302"),
        ("210399", "210300"),
        ("abc", None),
        ("990000", None),
    ],
)
def test_nearest_known_for_codes_from_id_numbers(code, expected):
    region = regions.nearest_known(code)
    assert (region.code if region else None) == expected
