"""The official statistics templates: every row and column key with its labels.

This module is the one place that knows the templates (../spec/CODEBOOK.md
§1-§3). Parsers match labels from here; identities (identities.py), the
figures keys (FIGURES.md) and the warehouse's label columns are derived from
it. Labels are written as they appear in simplified Chinese; `match` holds the
key tokens a label is recognised by after spaces and punctuation are removed.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Key:
    key: str          # stable English key used in figures, staging and marts
    label: str        # the label as printed on the template
    match: tuple[str, ...] = ()   # token sets: any one matching (all its parts present) identifies the row
    group: str = ""   # derived group (denied, unable, ignored, other) for outcome rows
    templates: tuple[str, ...] = ("2019", "2021")


# ---- New format (2019 and 2021): section 三, applications -------------------

APPLICANT_COLUMNS: tuple[Key, ...] = (
    Key("natural_person", "自然人", ("自然人",)),
    Key("commercial", "商业企业", ("商业企业",)),
    Key("research", "科研机构", ("科研机构",)),
    Key("social_welfare", "社会公益组织", ("社会公益",)),
    Key("legal_service", "法律服务机构", ("法律服务",)),
    Key("other_org", "其他", ("其他",)),
    Key("total", "总计", ("总计",)),
)
APPLICANT_TYPES = tuple(c.key for c in APPLICANT_COLUMNS[:-1])

# Row order is the template's order; the parser relies on it only where a
# layout lost its labels and the row count makes the placement certain.
APPLICATION_ROWS: tuple[Key, ...] = (
    # Alternatives: the wordings a report's own typing drifts to (本年度新收, 上年度结转 …).
    Key("new_received", "一、本年新收政府信息公开申请数量", ("本年新收", "本年度新收")),
    Key("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转", "上年度结转")),
    Key("granted", "（一）予以公开", ("予以公开",), group="granted"),
    Key("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ("部分公开",), group="partial"),
    Key("denied_state_secret", "1.属于国家秘密", ("国家秘密",), group="denied"),
    Key("denied_prohibited", "2.其他法律行政法规禁止公开", ("行政法规禁止",), group="denied"),
    Key("denied_security", "3.危及“三安全一稳定”", ("三安全一稳定", "危及国家安全"), group="denied"),
    Key("denied_third_party", "4.保护第三方合法权益", ("第三方合法权益",), group="denied"),
    Key("denied_internal", "5.属于三类内部事务信息", ("内部事务",), group="denied"),
    Key("denied_process", "6.属于四类过程性信息", ("过程性信息",), group="denied"),
    Key("denied_enforcement", "7.属于行政执法案卷", ("行政执法案卷",), group="denied"),
    Key("denied_query", "8.属于行政查询事项", ("行政查询",), group="denied"),
    Key("unable_not_held", "1.本机关不掌握相关政府信息", ("不掌握",), group="unable"),
    Key("unable_creation", "2.没有现成信息需要另行制作", ("另行制作",), group="unable"),
    Key("unable_unclear", "3.补正后申请内容仍不明确", ("仍不明确",), group="unable"),
    Key("ignored_petition", "1.信访举报投诉类申请", ("信访举报",), group="ignored"),
    Key("ignored_duplicate", "2.重复申请", ("重复申请",), group="ignored"),
    Key("ignored_publication", "3.要求提供公开出版物", ("公开出版物",), group="ignored"),
    Key("ignored_massive", "4.无正当理由大量反复申请", ("大量反复",), group="ignored"),
    Key("ignored_confirm", "5.要求行政机关确认或重新出具已获取信息", ("重新出具",), group="ignored"),
    Key("other", "（六）其他处理", ("其他处理",), group="other", templates=("2019",)),
    Key("other_overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ("逾期不补正",), group="other", templates=("2021",)),
    Key("other_overdue_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("缴纳费用",), group="other", templates=("2021",)),
    Key("other_other", "3.其他", ("3其他",), group="other", templates=("2021",)),
    Key("handled_total", "（七）总计", ("七总计",)),   # parse_new reads 合计 too
    Key("carried_forward", "四、结转下年度继续办理", ("结转下年度", "结转下一年度")),
)
OUTCOME_GROUPS = ("granted", "partial", "denied", "unable", "ignored", "other")

# ---- New format: section 四, reviews and lawsuits (one row of 15 cells) ----

REVIEW_GROUPS: tuple[Key, ...] = (
    Key("review", "行政复议", ("行政复议",)),
    Key("litigation_direct", "行政诉讼·未经复议直接起诉", ("未经复议直接起诉",)),
    Key("litigation_after_review", "行政诉讼·复议后起诉", ("复议后起诉",)),
)
REVIEW_COLUMNS: tuple[Key, ...] = (
    Key("upheld", "结果维持", ("维持",)),
    Key("corrected", "结果纠正", ("纠正",)),
    Key("other", "其他结果", ("其他结果",)),
    Key("pending", "尚未审结", ("尚未审结",)),
    Key("total", "总计", ("总计",)),
)

# ---- New format: section 二 (第二十条), column headers of one template only ----
# The 2021 revision replaced the 2019 columns of these tables (CODEBOOK §3). They tell the
# template where table 三 does not: a fragment, rows that lost their labels.

SECTION_TWO_HEADERS: dict[str, tuple[str, ...]] = {
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量"),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额"),
}

# ---- Old format (2008-2018): statistics appendix rows and prose keys -------

# Old-format tokens are matched by parse_old.py on a label with spaces and
# punctuation removed; a token "a+b+!c" needs parts a and b present and c
# absent. The same tokens read appendix rows (national 2014 form, provincial
# forms such as Fujian's 受理依申请公开信息总数 / 否决公开答复数) and prose
# ("不予公开38件", "依法纠错3件"). Review and litigation sub-rows share labels:
# the parent row (行政复议 or 行政诉讼) decides which key they take.
OLD_APPLICATION_ROWS: tuple[Key, ...] = (
    Key("received", "收到申请数", ("收到申请数", "受理+申请+!复议+!诉讼", "收到+申请+!复议+!诉讼",
                                   "接到+申请+!复议+!诉讼", "新收+申请+!复议+!诉讼", "申请+总数+!答复"),
        templates=("pre2019",)),
    Key("received_in_person", "当面申请数", ("当面",), templates=("pre2019",)),
    Key("received_fax", "传真申请数", ("传真+!信函",), templates=("pre2019",)),
    Key("received_online", "网络申请数", ("网络申请", "网上+!电子邮件", "网络+!电子邮件"), templates=("pre2019",)),
    Key("received_letter", "信函申请数", ("信函+!传真",), templates=("pre2019",)),
    Key("completed", "申请办结数", ("申请办结数", "办结+申请+!按时+!延期"), templates=("pre2019",)),
    Key("completed_on_time", "按时办结数", ("按时办结",), templates=("pre2019",)),
    Key("completed_extended", "延期办结数", ("延期办结",), templates=("pre2019",)),
    Key("answered", "申请答复数", ("申请答复数", "答复+总数", "对申请的答复", "办理答复", "答复+!率+!其他+!其它"), templates=("pre2019",)),
    Key("answered_already_public", "属于已主动公开范围数", ("已主动公开",), templates=("pre2019",)),
    Key("answered_granted", "同意公开答复数", ("同意公开+!不同意+!部分", "予以公开+!部分+!不予"), templates=("pre2019",)),
    Key("answered_partial", "同意部分公开答复数", ("部分公开+!不予+!不同意",), templates=("pre2019",)),
    Key("answered_denied", "不同意公开答复数", ("不同意公开", "不予公开", "否决公开", "免于公开", "免予公开"),
        templates=("pre2019",)),
    Key("denied_state_secret", "涉及国家秘密", ("国家秘密",), templates=("pre2019",)),
    Key("denied_commercial_secret", "涉及商业秘密", ("商业秘密",), templates=("pre2019",)),
    Key("denied_privacy", "涉及个人隐私", ("个人隐私",), templates=("pre2019",)),
    Key("denied_security", "危及国家安全、公共安全、经济安全和社会稳定", ("危及国家安全", "三安全一稳定"), templates=("pre2019",)),
    Key("denied_not_gov_info", "不是《条例》所指政府信息", ("所指政府信息", "不是政府信息", "非政府信息"), templates=("pre2019",)),
    Key("denied_other_law", "法律法规规定的其他情形", ("法律法规规定+其他",), templates=("pre2019",)),
    Key("answered_not_this_agency", "不属于本行政机关公开数", ("不属于本行政机关", "不属于本机关", "非本机关", "非本行政机关", "非本部门"),
        templates=("pre2019",)),
    Key("answered_not_exist", "申请信息不存在数", ("信息不存在",), templates=("pre2019",)),
    Key("answered_amend", "告知作出更改补充数", ("更改补充",), templates=("pre2019",)),
    Key("answered_redirect", "告知通过其他途径办理数", ("其他途径",), templates=("pre2019",)),
)
OLD_REVIEW_ROWS: tuple[Key, ...] = (
    Key("review_total", "行政复议数量", ("行政复议+!申诉+!举报",), templates=("pre2019",)),
    Key("review_upheld", "维持具体行政行为数", ("维持",), templates=("pre2019",)),
    Key("review_corrected", "被依法纠错数", ("纠错", "纠正"), templates=("pre2019",)),
    Key("review_other", "其他情形数", ("其他情形", "其他结果"), templates=("pre2019",)),
    Key("litigation_total", "行政诉讼数量", ("行政诉讼+!申诉+!举报",), templates=("pre2019",)),
    Key("litigation_upheld", "维持具体行政行为或者驳回原告诉讼请求数", ("维持",), templates=("pre2019",)),
    Key("litigation_corrected", "被依法纠错数", ("纠错", "纠正"), templates=("pre2019",)),
    Key("litigation_other", "其他情形数", ("其他情形", "其他结果"), templates=("pre2019",)),
)
# Which old row a row or prose category sits under (for identities and for
# unmapped categories such as a combined reason under answered_denied).
OLD_PARENT: dict[str, str] = {
    **{k: "received" for k in ("received_in_person", "received_fax", "received_online", "received_letter")},
    **{k: "completed" for k in ("completed_on_time", "completed_extended")},
    **{k: "answered" for k in ("answered_already_public", "answered_granted", "answered_partial", "answered_denied",
                               "answered_not_this_agency", "answered_not_exist", "answered_amend", "answered_redirect")},
    **{k: "answered_denied" for k in ("denied_state_secret", "denied_commercial_secret", "denied_privacy",
                                      "denied_security", "denied_not_gov_info", "denied_other_law")},
    **{f"review_{k}": "review_total" for k in ("upheld", "corrected", "other")},
    **{f"litigation_{k}": "litigation_total" for k in ("upheld", "corrected", "other")},
}

TEMPLATES = ("pre2019", "2019", "2021")


@lru_cache(maxsize=None)
def rows_for(template: str) -> tuple[Key, ...]:
    """Section 三 rows of a new-format template, in order."""
    return tuple(r for r in APPLICATION_ROWS if template in r.templates)


@lru_cache(maxsize=None)
def row_keys(template: str) -> tuple[str, ...]:
    """The keys of rows_for(template), in order."""
    return tuple(r.key for r in rows_for(template))


@lru_cache(maxsize=None)
def figure_key(table: str, row: str, col: str = "") -> str:
    """The flat key of FIGURES.md: applications.<row>.<col> or applications.<row>.
    Cached: one string per key, shared by the millions of cells of a batch."""
    return f"{table}.{row}.{col}" if col else f"{table}.{row}"
