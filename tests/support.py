"""What several test modules build alike: catalog files in memory, the demo baselines and the harvest
settings for the local test servers (the fixtures built on them are in conftest.py)."""
import csv
import io

import openpyxl

from ckanext_gkcatalog.baseline import demo_baseline_files, load_baseline
from ckanext_gkcatalog.harvesters.fetch import FetchLimits
from ckanext_gkcatalog.harvesters.pipeline import HarvestSettings

SETTINGS = HarvestSettings(FetchLimits(timeout=5, connect_timeout=2, allowed_networks=["127.0.0.1/32"]), workers=2)


def demo_baseline(domain):
    path = next(p for p in demo_baseline_files() if p.name == f"demo_{domain}.yaml")
    return load_baseline(path.read_bytes(), path.name)


def csv_bytes(rows, encoding="utf-8"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def make_xlsx_with_merges():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "社会救助"
    ws.append(["社会救助领域基层政务公开标准目录"])
    ws.merge_cells("A1:N1")
    ws.append(["序号", "公开事项", None, "公开内容(要素)", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", None, "公开方式",
               None, "公开层级", None])
    ws.append([None, "一级事项", "二级事项", None, None, None, None, None, "全社会", "特定群众", "主动", "依申请公开", "县级", "乡、村级"])
    for col in "ADEFGH":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("B2:C2"), ws.merge_cells("I2:J2"), ws.merge_cells("K2:L2"), ws.merge_cells("M2:N2")
    basis = "《信息公开条例》及相关规定"
    limit = "制定或获取信息之日起10个工作日内"
    subject = "县级政府民政部门、乡镇政府(街道办事处)"
    ws.append([1, "综合业务", "政策法规文件", "《社会救助暂行办法》", basis, limit, subject, "■政府网站", "√", None, "√", None, "√", "√"])
    ws.append([2, None, "监督检查", "社会救助信访通讯地址", basis, limit, subject, "■政府网站", "√", None, "√", None, "√", "√"])
    ws.merge_cells("B4:B5")
    ws.append([3, "最低生活保障", "政策法规文件", "《最低生活保障审核审批办法(试行)》", basis, limit, subject, "■政府网站", "√", None, "√", None,
               "√", "√"])
    ws.append([4, None, "审核信息", "初审对象名单及相关信息", basis, "制定或获取信息之日起10个工作日内,公示7个工作日", None, None, "√", None,
               "√", None, "√", "√"])
    ws.merge_cells("B6:B7"), ws.merge_cells("G6:G7"), ws.merge_cells("H6:H7")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
