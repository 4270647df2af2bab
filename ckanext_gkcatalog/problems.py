"""Problems found in input, each with a code, a severity, where it was found, and a message in Chinese
and English. Readers, loaders and validation report through here, so every message names the file,
sheet, row and column the same way; the store keeps them as findings.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .schema import load_schema

ERROR, WARNING, INFO = "error", "warning", "info"

# code -> (severity, Chinese template, English template). Templates use the problem's params.
MESSAGES = {
    "required": (ERROR, "缺少必填要素“{label_zh}”", "required element '{label_en}' is empty"),
    "vocabulary": (ERROR, "“{label_zh}”的值“{value}”不在规范取值中", "value '{value}' of '{label_en}' is not in the vocabulary"),
    "pattern": (ERROR, "“{label_zh}”的值“{value}”格式不对", "value '{value}' of '{label_en}' has the wrong format"),
    "invalid": (ERROR, "“{label_zh}”的值无法识别", "the value of '{label_en}' cannot be read"),
    "local_channel": (INFO, "保留地方增加的公开渠道“{value}”", "kept the locally added channel '{value}'"),
    "unknown_tick": (WARNING, "勾选栏的内容“{value}”无法识别,按未勾选处理", "tick cell '{value}' is not a tick mark; read as not ticked"),
    "unknown_domain": (ERROR, "无法识别领域“{value}”", "unknown domain '{value}'"),
    "domain_mismatch": (ERROR, "该行属于领域“{value}”,与本次载入的领域“{expected}”不符",
                        "the row belongs to domain '{value}', not to '{expected}' being loaded"),
    "no_header": (ERROR, "未找到目录表头(序号、公开事项、公开内容……)", "no catalog header row found (序号, 公开事项, 公开内容 ...)"),
    "no_items": (ERROR, "没有读到任何事项", "no items were read"),
    "missing_column": (WARNING, "表头中没有“{label_zh}”列", "the header has no '{label_en}' column"),
    "name_only_row": (INFO, "该行只有事项名称,其余要素沿用上一行(合并单元格)",
                      "the row carries only a name; its other elements are carried down from the row above (merged cells)"),
    "same_as_above": (INFO, "“同上”取上一行的值", "'同上' (same as above) takes the value of the row above"),
    "carried_down": (INFO, "“{label_zh}”为空,沿用上一行的值(CSV 中合并单元格只在首行有值)",
                     "'{label_en}' is empty: the row above's value is carried down (a merged cell saved as CSV)"),
    "duplicate_item": (ERROR, "事项与第{other_row}行重复", "the item duplicates row {other_row}"),
    "declared_count_mismatch": (WARNING, "声明{level}事项{declared}个,实际读到{found}个",
                                "declared {declared} {level_en} items, found {found}"),
    "file_unreadable": (ERROR, "无法读取文件:{reason}", "the file cannot be read: {reason}"),
    "table_too_large": (ERROR, "表格过大:展开合并单元格后超过 {limit} 个单元格,未读取(上限可用 GKCATALOG_MAX_TABLE_CELLS 调整)",
                        "table too large: more than {limit} cells once merged cells are expanded; not read "
                        "(the limit is GKCATALOG_MAX_TABLE_CELLS)"),
    "format_mismatch": (INFO, "登记的类型为 {declared},文件实际为 {actual},已按实际格式读取",
                        "registered as {declared}, but the file is {actual}; read as {actual}"),
    "charset_mismatch": (INFO, "服务器声明的编码 {declared} 与内容不符,已按内容识别的编码读取",
                         "the server declares the charset {declared}, which the content does not match; read with the detected encoding"),
    "charset_guessed": (INFO, "服务器与文件都没有声明编码,已识别编码后读取(非 UTF-8)",
                        "neither the server nor the file declares the encoding; read with the detected one (not UTF-8)"),
    "table_without_items": (ERROR, "表格只有表头,没有任何事项", "the table has a header but no items"),
    "unexpected_error": (ERROR, "{stage}阶段出现意外错误:{reason}", "unexpected error in the {stage} stage: {reason}"),
    "yaml_invalid": (ERROR, "YAML 格式错误:{reason}", "malformed YAML: {reason}"),
    "baseline_invalid": (ERROR, "基准目录格式错误:{reason}", "malformed baseline: {reason}"),
    "unsupported_format": (ERROR, "不支持的文件格式“{value}”", "unsupported file format '{value}'"),
    "fetch_bad_url": (ERROR, "网址不是 http(s) 地址", "the URL is not an http(s) address"),
    "fetch_failed": (ERROR, "下载失败:{reason}", "download failed: {reason}"),
    "fetch_private_address": (ERROR, "拒绝访问内网地址:{host} 解析为 {address}(可在配置中放行)",
                              "refused: {host} resolves to the non-public address {address} (allow it in the configuration)"),
    "fetch_timeout": (ERROR, "下载超时({seconds} 秒)", "download timed out after {seconds} s"),
    "fetch_redirect_loop": (ERROR, "重定向过多或循环:{target}", "too many or looping redirects: {target}"),
    "fetch_http_error": (ERROR, "服务器返回 HTTP {status} {reason}", "the server answered HTTP {status} {reason}"),
    "fetch_too_large": (ERROR, "文件过大:{size} 字节,上限 {limit} 字节", "file too large: {size} bytes, limit {limit}"),
    "fetch_truncated": (ERROR, "下载不完整:收到 {received} 字节,应为 {expected} 字节",
                        "truncated download: received {received} of {expected} bytes"),
    "ckan_api_error": (ERROR, "CKAN 接口调用失败:{reason}", "the CKAN API call failed: {reason}"),
    "spam_text": (ERROR, "单元格含有被植入的广告文字(“{value}”),已忽略该值;请核对来源是否为被劫持的镜像网站",
                  "the cell carries injected advertising ('{value}'); its value is ignored; check whether the source is a hijacked mirror"),
    # compliance checks against the baseline (checks.py)
    "time_limit_longer": (WARNING, "公开时限“{value}”长于基准目录的“{baseline}”",
                          "time limit '{value}' is longer than the baseline's '{baseline}'"),
    "basis_without_number": (WARNING, "公开依据未注明文号:{value}", "the legal basis cites no document number: {value}"),
    "unmarked": (ERROR, "未标注“{label_zh}”", "'{label_en}' is not marked"),
    "personal_id_number": (ERROR, "公开内容含有身份证号码 {value},应脱敏", "published text carries the ID-card number {value}; it must be masked"),
    "personal_mobile": (ERROR, "公开内容含有手机号码 {value},应脱敏", "published text carries the mobile number {value}; it must be masked"),
    "basis_cites_article": (WARNING, "公开依据应注明文件全称和文号,不需给出具体条款:{value}",
                            "the legal basis should give the document's title and number, not its articles: {value}"),
    "vague_subject": (WARNING, "公开主体“{value}”不是单位的规范名称(应为县级部门、县级公共服务机构、乡镇(街道)服务平台或村(社区)服务站点)",
                      "the responsible body '{value}' is not a unit's standard name (a county department or agency, a township platform or a village station)"),
    "channels_unspecified": (WARNING, "公开渠道选了“其他”而未写明:要具体说明渠道或载体的全称",
                             "a channel is 'other' without saying which: name the channel in full"),
    "service_guide_incomplete": (WARNING, "办事指南缺少要素:{missing}", "the service guide lacks: {missing}"),
    "negative_list": (WARNING, "可能属于负面清单“{category}”(“{value}”),依据{basis},请核实是否应当公开",
                      "may fall in the negative list's '{category_en}' ('{value}'; basis: {basis}): check that it may be disclosed"),
    "duplicate_name": (WARNING, "与“{other}”是同一事项,重复列出", "the same item as '{other}', listed twice"),
    "overlapping_addition": (WARNING, "新增事项与基准事项“{baseline}”重叠", "the added item overlaps the baseline item '{baseline}'"),
    "platform_mismatch": (WARNING, "同一目录在不同平台上不一致:{only_here} 项只见于 {here},{only_there} 项只见于 {there}",
                          "the catalog differs between platforms: {only_here} items only on {here}, {only_there} only on {there}"),
    "stale_catalog": (WARNING, "目录已 {days} 天未更新(发布于 {date})", "the catalog has not been updated for {days} days (published {date})"),
    "domain_not_published": (ERROR, "未发布本领域的目录:没有来源,也没有事项(本地不涉及本领域的,可声明为未涉及领域)",
                             "no catalog of this domain is published: no source and no item (a domain that does not apply locally can be declared so)"),
    "unknown_county": (ERROR, "没有行政区划代码为 {value} 的县", "no county has the division code {value}"),
    "unknown_baseline_item": (ERROR, "启用的基准目录中没有事项“{value}”", "the active baseline has no item '{value}'"),
    "unknown_item": (ERROR, "该县没有编号为 {value} 的事项", "the county has no item {value}"),
    "unknown_decision": (ERROR, "该县没有编号为 {value} 的声明", "the county has no declaration {value}"),
    "no_baseline": (ERROR, "没有领域“{label_zh}”的基准目录,无法比对和评分",
                    "no baseline of the domain '{label_en}': nothing to match or score against"),
    "not_a_baseline": (ERROR, "不是基准目录:{reason}", "not a baseline: {reason}"),
    "no_catalog_table": (ERROR, "页面或文件中没有目录表格", "no catalog table in the page or file"),
    "no_item_links": (ERROR, "列表页上没有找到事项页面的链接", "no links to item pages on the list page"),
    "item_pages_truncated": (WARNING, "列表中有 {found} 个事项页面,只读取了前 {limit} 个",
                             "the list has {found} item pages; only the first {limit} were read"),
    # the public search and its API (search/query.py)
    "search_query_long": (WARNING, "检索词过长,只使用了前 {limit} 个字", "the query is too long; only its first {limit} characters are used"),
    "search_unknown_field": (ERROR, "“{value}”不是可筛选的字段(可用:{allowed})",
                             "'{value}' is not a field to filter or count on (use: {allowed})"),
    "search_bad_syntax": (ERROR, "筛选条件无法解析:{reason}", "the filter query cannot be read: {reason}"),
    "search_bad_number": (ERROR, "参数 {value} 应为不小于 {minimum} 的整数", "parameter {value} must be a whole number of at least {minimum}"),
    "search_bad_sort": (ERROR, "不支持按“{value}”排序(可用:{allowed})", "cannot sort by '{value}' (use: {allowed})"),
    "search_rows_capped": (INFO, "每页最多 {limit} 条", "at most {limit} rows per page"),
}


# the rules a finding can carry, as the pages name them (the messages say what was found)
RULE_NAMES = {
    "required": ("缺少要素", "element missing"), "vocabulary": ("取值不规范", "value outside the vocabulary"),
    "pattern": ("格式不对", "wrong format"), "invalid": ("无法识别", "unreadable value"),
    "local_channel": ("地方渠道", "local channel"), "unknown_tick": ("勾选不明", "unclear tick"),
    "unknown_domain": ("领域不明", "unknown domain"), "no_header": ("无表头", "no header"),
    "missing_column": ("缺少列", "missing column"), "name_only_row": ("合并单元格", "merged cells"),
    "same_as_above": ("同上", "same as above"), "duplicate_item": ("重复行", "duplicate row"),
    "carried_down": ("合并单元格(CSV)", "merged cell (CSV)"),
    "file_unreadable": ("文件无法读取", "file unreadable"), "table_too_large": ("表格过大", "table too large"),
    "format_mismatch": ("格式与登记不符", "format mismatch"), "charset_mismatch": ("编码声明不符", "charset mismatch"),
    "charset_guessed": ("未声明编码", "charset guessed"), "table_without_items": ("只有表头", "header only"),
    "unexpected_error": ("意外错误", "unexpected error"), "unsupported_format": ("格式不支持", "unsupported format"),
    "fetch_bad_url": ("网址无效", "bad URL"), "fetch_failed": ("下载失败", "download failed"),
    "fetch_private_address": ("内网地址", "private address"), "fetch_timeout": ("下载超时", "download timed out"),
    "fetch_redirect_loop": ("重定向循环", "redirect loop"), "fetch_http_error": ("服务器错误", "HTTP error"),
    "fetch_too_large": ("文件过大", "file too large"), "fetch_truncated": ("下载不完整", "truncated download"),
    "ckan_api_error": ("CKAN 接口错误", "CKAN API error"), "spam_text": ("植入广告", "injected advertising"),
    "no_catalog_table": ("无目录表格", "no catalog table"),
    "no_item_links": ("无事项链接", "no item links"), "item_pages_truncated": ("事项页面过多", "too many item pages"),
    "time_limit_longer": ("时限长于基准", "time limit longer than the baseline's"),
    "basis_without_number": ("依据无文号", "basis without document number"),
    "unmarked": ("未标注", "not marked"), "personal_id_number": ("身份证号", "ID-card number"),
    "personal_mobile": ("手机号码", "mobile number"), "basis_cites_article": ("依据列出条款", "basis cites articles"),
    "vague_subject": ("主体不规范", "vague responsible body"), "channels_unspecified": ("渠道未写明", "channel unspecified"),
    "service_guide_incomplete": ("办事指南不全", "incomplete service guide"), "negative_list": ("负面清单", "negative list"),
    "duplicate_name": ("重复列出", "listed twice"), "overlapping_addition": ("新增事项重叠", "overlapping addition"),
    "platform_mismatch": ("平台不一致", "platforms differ"), "stale_catalog": ("目录陈旧", "stale catalog"),
    "domain_not_published": ("未发布", "not published"),
}
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass
class Location:
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # spreadsheet letter or position, e.g. "E"
    field: str | None = None  # the schema field the column holds

    def describe(self, lang: str) -> str:
        fields = load_schema().fields
        label = fields[self.field].label("zh_Hans_CN" if lang == "zh" else "en") if self.field in fields else self.field
        parts = []
        if lang == "zh":
            if self.file:
                parts.append(f"文件 {self.file}")
            if self.sheet:
                parts.append(f"工作表 {self.sheet}")
            if self.row:
                parts.append(f"第{self.row}行")
            if self.column or label:
                parts.append(f"{self.column + '列' if self.column else ''}{f'({label})' if label else ''}")
            return ",".join(parts)
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column or label:
            parts.append(" ".join(filter(None, (f"column {self.column}" if self.column else "", f"({label})" if label else ""))))
        return ", ".join(parts)


@dataclass
class Problem:
    code: str
    location: Location = field(default_factory=Location)
    params: dict = field(default_factory=dict)
    severity: str | None = None

    def __post_init__(self):
        if self.severity is None:
            self.severity = MESSAGES[self.code][0]

    def _params(self) -> dict:
        params = dict(self.params)
        fld = load_schema().fields.get(params.get("field") or self.location.field or "")
        if fld:
            params.setdefault("label_zh", fld.label("zh_Hans_CN"))
            params.setdefault("label_en", fld.label("en"))
        params.setdefault("label_zh", params.get("field", ""))
        params.setdefault("label_en", params.get("field", ""))
        return params

    def text(self, lang: str = "zh") -> str:
        """The message alone, in 'zh' or 'en'."""
        _, zh, en = MESSAGES[self.code]
        return (zh if lang == "zh" else en).format_map(_DefaultDict(self._params()))

    def message(self, lang: str = "zh") -> str:
        """Where, then what: '文件 a.csv,第7行,E列(公开时限):…'."""
        where = self.location.describe(lang)
        sep = ":" if lang == "zh" else ": "
        return f"{where}{sep}{self.text(lang)}" if where else self.text(lang)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def check_columns(self) -> dict:
        """A compliance check's finding as stored (on an item, or as a snapshot's Finding row): the message
        without the location, which has its own column."""
        return {"rule": self.code, "severity": self.severity, "message_zh": self.text("zh"),
                "message_en": self.text("en"), "location": asdict(self.location)}

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "location": asdict(self.location),
                "params": self.params, "message_zh": self.message("zh"), "message_en": self.message("en")}


# A harvest job's closing message: stored as a code and its params (gk_job.message_code/_params), and
# worded when shown, in the reader's language.
JOB_MESSAGES = {
    "unchanged": ("来源自上次采集以来没有变化", "the source has not changed since the last harvest"),
    "nothing_read": ("未能从 {files} 读到任何内容,保留上次成功采集的数据",
                     "nothing could be read from {files}; the last good harvest is kept"),
    "fetch_failed": ("下载失败,保留上次成功采集的数据", "fetch failed; the last good harvest is kept"),
    "unexpected_error": ("{stage}阶段出现意外错误({reason}),保留上次成功采集的数据",
                         "unexpected error in the {stage} stage ({reason}); the last good harvest is kept"),
    "interrupted": ("采集进程在任务结束前退出,已由下一次运行关闭",
                    "the harvesting process ended before the job did; closed by the next run"),
    "legacy": ("{text}", "{text}"),  # a message stored as text before the codes (migration 0007)
}
# words stored as codes, as pages, exports and commands show them: a job's status, its stages, a
# finding's severity, a baseline change
CODE_LABELS = {
    "running": ("进行中", "running"), "finished": ("已完成", "finished"), "failed": ("失败", "failed"),
    "aborted": ("已中止", "aborted"), "unchanged": ("未变化", "unchanged"),
    "gather": ("收集", "gather"), "fetch": ("下载", "fetch"), "parse": ("解析", "parse"), "validate": ("校验", "validate"),
    "match": ("匹配", "match"), "index": ("索引", "index"), "import": ("入库", "import"), "score": ("评分", "score"),
    "assess": ("评估", "assess"),
    "error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info"),
    "added": ("新增", "added"), "removed": ("删除", "removed"), "renamed": ("更名", "renamed"),
    "changed": ("要素变化", "elements changed"),
    # source kinds (sources.KINDS)
    "auto": ("自动识别", "auto"), "item_pages": ("逐项页面", "item pages"), "html": ("网页", "web page"),
    "docx": ("Word 文档", "Word document"), "xlsx": ("Excel 表格", "Excel workbook"),
    "xls": ("Excel 97 表格", "Excel 97 workbook"), "csv": ("CSV 表格", "CSV table"), "json": ("JSON 数据", "JSON data"),
}


def code_label(code: str | None, lang: str = "zh") -> str:
    """A stored code in 'zh' or 'en' (an unknown code as it is)."""
    zh, en = CODE_LABELS.get(code or "", (code or "",) * 2)
    return en if lang == "en" else zh


def job_message(code: str | None, params: dict | None, lang: str = "zh") -> str:
    """A job's message in 'zh' or 'en'; '' for none, the code itself for one this version does not know."""
    if not code:
        return ""
    if code not in JOB_MESSAGES:
        return code
    params = dict(params or {})
    if "stage" in params:
        params["stage"] = code_label(params["stage"], lang)
    zh, en = JOB_MESSAGES[code]
    return (zh if lang == "zh" else en).format_map(_DefaultDict(params))


class _DefaultDict(dict):
    def __missing__(self, key):
        return "?"



