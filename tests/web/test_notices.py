"""Notices after a harvest, on a real SMTP server (aiosmtpd) and a real webhook receiver: a source that
starts failing, a catalog that loses items and gains errors; each told once, only to the recipients whose
scope it is in; a receiver that is down never stops a harvest. Recipients are edited in the portal."""
import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from ckanext_gkcatalog import notices
from ckanext_gkcatalog.harvesters.pipeline import harvest
from ckanext_gkcatalog.writers import write_catalog

from support import SETTINGS


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox(monkeypatch):
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("GKCATALOG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GKCATALOG_SMTP_PORT", str(port))
    yield handler.messages
    controller.stop()


@pytest.fixture
def hook():
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_news_is_told_once_to_those_in_scope(store, county_site, inbox, hook):
    url, posted = hook
    store.upsert_county("990102", "白水县", city_name="云泽市")
    province = store.add_recipient("email", "office@province.gov.cn")
    store.add_recipient("email", "baishui@county.gov.cn", county_code="990102")  # another county: told nothing
    store.add_recipient("email", "en@province.gov.cn", city_name="青川市", lang="en")
    store.add_recipient("webhook", url)
    source = store.add_source("990101", f"{county_site.url}/sa.html", "html", "social_assistance")
    harvest(store, [source], SETTINGS)
    assert inbox == [] and posted == []  # a first assessment is not news

    page = county_site.root / "sa.html"
    page.write_bytes(b"<html><body><p>\xe7\xbd\x91\xe7\xab\x99\xe7\xbb\xb4\xe6\x8a\xa4\xe4\xb8\xad</p></body></html>")
    told = []
    (report,) = harvest(store, [source], SETTINGS, on_notice=told.append)
    assert report.status == "failed"
    assert sorted(m[0][0] for m in inbox) == ["en@province.gov.cn", "office@province.gov.cn"]
    zh = next(m for rcpt, m in inbox if rcpt == ["office@province.gov.cn"])
    assert zh["Subject"] == "【基层政务公开目录】1 项新情况" and "青山县 社会救助:采集失败" in body(zh)
    en = next(m for rcpt, m in inbox if rcpt == ["en@province.gov.cn"])
    assert "the harvest failed" in body(en) and "Social assistance" in body(en)
    assert [n["kind"] for n in posted[0]["news"]] == ["failed"] and posted[0]["news"][0]["domain"] == "social_assistance"
    assert posted[0]["news"][0]["params"]["job_id"] == report.job_id and posted[0]["news"][0]["message_zh"]
    assert {d.sent for d in told} == {1} and len(told) == 3

    harvest(store, [source], SETTINGS)  # still failing: the same state is not news
    assert len(inbox) == 2 and len(posted) == 1

    items = county_site.items[:2]
    items[0] = dict(items[0], content=items[0]["content"] + ";联系电话13812345678;身份证110101199003074514")
    page.write_bytes(write_catalog(items, "html", "青山县社会救助领域基层政务公开标准目录"))
    harvest(store, [source], SETTINGS)
    latest = next(body(m) for rcpt, m in inbox[2:] if rcpt == ["office@province.gov.cn"])
    assert "错误从" in latest and "由“" in latest and "降为“不合格”" in latest
    kinds = sorted(n["kind"] for n in posted[-1]["news"])
    assert kinds == ["band_drop", "errors"]

    count = len(inbox)
    harvest(store, [source], SETTINGS)  # nothing changed since: no news
    assert len(inbox) == count and store.recipient(province.id).enabled


def test_the_same_news_is_never_sent_twice_and_a_dead_receiver_stops_nothing(store, county_site, inbox):
    store.add_recipient("email", "office@province.gov.cn")
    dead = store.add_recipient("webhook", f"http://127.0.0.1:{free_port()}/gone")
    news = [notices.News("failed", "990101", "青山县", "青川市", "social_assistance", "failed:990101:sa:7",
                         {"job_id": 7, "reason": "无法读取文件", "reason_en": "unreadable"})]
    first = notices.deliver(store, news, SETTINGS.limits)
    assert [(d.address, d.sent, d.error is None) for d in first] == [
        ("office@province.gov.cn", 1, True), (dead.address, 0, False)]
    second = notices.deliver(store, news, SETTINGS.limits)
    assert [d.address for d in second] == [dead.address] and len(inbox) == 1  # told once; the dead one tried again


def test_admins_edit_the_recipients_in_the_portal(app, store):
    from test_security import login

    client = app.test_client()
    assert client.get("/admin/notices").status_code in (302, 401, 403)
    login(client)
    page = client.get("/admin/notices").get_data(as_text=True)
    assert "通知" in page and 'id="add-recipient"' in page
    added = client.post("/admin/notices", data={"kind": "email", "address": "city@qc.gov.cn", "city": "青川市", "lang": "zh"})
    assert added.status_code == 302
    (recipient,) = store.recipients()
    assert (recipient.address, recipient.city_name, recipient.enabled) == ("city@qc.gov.cn", "青川市", True)
    refused = client.post("/admin/notices", data={"kind": "webhook", "address": "javascript:alert(1)"})
    assert refused.status_code == 400 and "不是 http(s) 网址" in refused.get_data(as_text=True)
    client.post(f"/admin/notices/{recipient.id}/disable")
    assert not store.recipient(recipient.id).enabled
    client.post(f"/admin/notices/{recipient.id}/remove")
    assert store.recipients() == []
