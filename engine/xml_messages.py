"""The XML parser's and the BPMN schema's English messages, said in Chinese.

A process owner who uploads a file from another tool sees what libxml2 or the BPMN XSD
found wrong; "Opening and ending tag mismatch" means nothing to a 残联 office, so the
usual messages are translated (with the names they mention) and an unknown one is kept
as the parser's own words, marked as such, rather than dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NS = r"(?:\{[^}]*\})?"


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Premature end of data in tag ([\w:.-]+)"), lambda m: f"标签“{m[1]}”没有结束，文件不完整"),
    (re.compile(r"Opening and ending tag mismatch: ([\w:.-]+) line \d+ and ([\w:.-]+)"),
     lambda m: f"开始标签“{m[1]}”与结束标签“{m[2]}”不匹配"),
    (re.compile(r"Start tag expected, '<' not found"), lambda m: "找不到开始标签，文件不是XML"),
    (re.compile(r"Document is empty"), lambda m: "文件为空"),
    (re.compile(r"Extra content at the end of the document"), lambda m: "文档结束后还有多余内容"),
    (re.compile(r"EntityRef: expecting ';'"), lambda m: "“&”后的实体引用缺少分号（文字中的“&”须写作“&amp;”）"),
    (re.compile(r"xmlParseEntityRef: no name"), lambda m: "“&”后缺少实体名（文字中的“&”须写作“&amp;”）"),
    (re.compile(r"Entity '(\S+)' not defined"), lambda m: f"实体“{m[1]}”未定义"),
    (re.compile(r"Namespace prefix (\S+) on (\S+) is not defined"),
     lambda m: f"元素“{m[2]}”使用的命名空间前缀“{m[1]}”未声明"),
    (re.compile(r"Attribute (\S+) redefined"), lambda m: f"属性“{m[1]}”重复出现"),
    (re.compile(r"Specification mandates value for attribute (\S+)"), lambda m: f"属性“{m[1]}”缺少取值"),
    (re.compile(r"(?:attributes construct error|Couldn't find end of Start Tag (\S+))"),
     lambda m: f"标签“{m[1]}”的属性写法错误" if m.lastindex else "标签的属性写法错误"),
    (re.compile(r"AttValue: \" or ' expected"), lambda m: "属性值须用引号括起来"),
    (re.compile(r"expected '(.)'"), lambda m: f"此处缺少“{m[1]}”，文件可能不完整"),
    (re.compile(r"StartTag: invalid element name"), lambda m: "标签名称不合法"),
    (re.compile(r"Char 0x[0-9A-Fa-f]+ out of allowed range|PCDATA invalid Char value"),
     lambda m: "文件含有XML不允许的控制字符"),
    # the BPMN 2.0 schema (SpiffWorkflow validates with it)
    (re.compile(rf"Element '{_NS}(\w+)', attribute '{_NS}(\w+)': The attribute '[^']+' is not allowed"),
     lambda m: f"元素“{m[1]}”不允许有属性“{m[2]}”"),
    (re.compile(rf"Element '{_NS}(\w+)': The attribute '(\w+)' is required but missing"),
     lambda m: f"元素“{m[1]}”缺少必需的属性“{m[2]}”"),
    (re.compile(rf"Element '{_NS}(\w+)': This element is not expected"),
     lambda m: f"元素“{m[1]}”不应出现在此处（BPMN规范规定了子元素的种类和顺序）"),
    (re.compile(rf"Element '{_NS}(\w+)': Missing child element"), lambda m: f"元素“{m[1]}”缺少必需的子元素"),
    (re.compile(r"'([^']*)' is not a valid value of the atomic type 'xs:ID'"),
     lambda m: f"“{m[1]}”不是合法的元素ID（须以字母或下划线开头，不含空格和中文标点）"),
    (re.compile(r"'([^']*)' is not a valid value of the atomic type 'xs:(?:IDREF|QName)'"),
     lambda m: f"“{m[1]}”不是合法的元素引用"),
    (re.compile(r"'([^']*)' is not a valid value of the atomic type 'xs:boolean'"),
     lambda m: f"“{m[1]}”不是合法的是/否取值（须为true或false）"),
    (re.compile(r"Element '{?[^']*}?(\w+)': No match found for key-sequence \['([^']*)'\]"),
     lambda m: f"元素“{m[1]}”引用的“{m[2]}”不存在"),
]


def explain(text: str) -> str:
    """The message in Chinese; an unknown one is kept, marked as the parser's words."""
    message = " ".join(str(text).split())
    for pattern, say in _RULES:
        found = pattern.search(message)
        if found:
            return say(found)
    return f"解析器报告：{message[:300]}"
