"""Reference lists for synthetic people: surnames, given-name characters, real region codes.

Region codes are real GB/T 2260 county-level codes so that 身份证号 and 户籍地 look like
the ones reviewers see every day; the lists are small on purpose (plausible, not exhaustive).
"""

from __future__ import annotations

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严武戴莫孔向汤"
)

MALE_GIVEN = (
    "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林斌峰建国东海文志成春庆兵亮晨"
    "博坤振宏德胜利永广家毅"
)

FEMALE_GIVEN = (
    "芳娜敏静丽艳娟霞燕玲桂英秀兰萍红梅琳雪婷慧颖晶倩佳欣月洁莉蕾琴云凤丹悦璐茜薇嘉雯怡晓"
)

# region code -> 户籍 address prefix
REGIONS: dict[str, str] = {
    "210302": "辽宁省鞍山市铁东区",
    "210303": "辽宁省鞍山市铁西区",
    "210304": "辽宁省鞍山市立山区",
    "210311": "辽宁省鞍山市千山区",
    "210321": "辽宁省鞍山市台安县",
    "210381": "辽宁省海城市",
    "210102": "辽宁省沈阳市和平区",
    "330106": "浙江省杭州市西湖区",
    "330102": "浙江省杭州市上城区",
    "330105": "浙江省杭州市拱墅区",
    "330108": "浙江省杭州市滨江区",
    "330110": "浙江省杭州市余杭区",
    "330302": "浙江省温州市鹿城区",
    "150102": "内蒙古自治区呼和浩特市新城区",
    "150103": "内蒙古自治区呼和浩特市回民区",
    "150104": "内蒙古自治区呼和浩特市玉泉区",
    "150105": "内蒙古自治区呼和浩特市赛罕区",
    "150902": "内蒙古自治区乌兰察布市集宁区",
    "150924": "内蒙古自治区乌兰察布市兴和县",
    "150981": "内蒙古自治区丰镇市",
    "110105": "北京市朝阳区",
    "130102": "河北省石家庄市长安区",
    "140105": "山西省太原市小店区",
    "220102": "吉林省长春市南关区",
    "230102": "黑龙江省哈尔滨市道里区",
    "320106": "江苏省南京市鼓楼区",
    "340104": "安徽省合肥市蜀山区",
    "360102": "江西省南昌市东湖区",
    "370102": "山东省济南市历下区",
    "410105": "河南省郑州市金水区",
    "510107": "四川省成都市武侯区",
}

# province prefix -> abbreviation used in synthetic 残疾军人证 numbers
PROVINCE_ABBR = {"21": "辽", "33": "浙", "15": "蒙"}

STREETS = (
    "人民路",
    "解放路",
    "建设街",
    "胜利路",
    "中山路",
    "和平街",
    "新华路",
    "友谊路",
    "光明街",
    "幸福路",
    "文化路",
    "团结街",
)

CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
# how often each category occurs among employed people (肢体 and 听力 dominate)
CATEGORY_WEIGHTS = (8, 20, 4, 50, 6, 6, 6)


def local_regions(region: str) -> list[str]:
    """Region codes in the same province as `region` (where most staff come from)."""
    return [code for code in REGIONS if code[:2] == region[:2]]
