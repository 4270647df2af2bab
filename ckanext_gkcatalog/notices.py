"""Notices after a harvest: what changed for the worse, told to the administrators who watch it.

The news is the difference between the state before the harvest and after it: a source that now fails, a
county-domain with more errors than before, a score that fell into a lower band. A state that stays the
same is not news, and every piece of news has a key that the store remembers per recipient, so nobody is
told the same thing twice. Recipients are e-mail addresses (SMTP, configured by GKCATALOG_SMTP_*) or
webhooks (a JSON POST through the same address guard as the harvest), for the province or scoped to a
city or a county. A delivery that fails is reported and tried again with the next news; it never stops
a harvest.
"""
from __future__ import annotations

import json
import os
import re
import smtplib
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from urllib.parse import urlsplit

from .schema import domain_label
from .scoring import RATING_LABELS

BANDS = list(RATING_LABELS)  # best first: a higher index is a lower band
NEWS_TEXT = {
    "failed": ("{county} {domain}:采集失败({reason})", "{county} {domain}: the harvest failed ({reason})"),
    "errors": ("{county} {domain}:错误从 {before} 个增加到 {after} 个", "{county} {domain}: errors rose from {before} to {after}"),
    "band_drop": ("{county} {domain}:得分 {before} → {after},由“{band_before}”降为“{band_after}”",
                  "{county} {domain}: score {before} → {after}, down from {band_before_en} to {band_after_en}"),
}
SUBJECT = ("【基层政务公开目录】{count} 项新情况", "[Disclosure catalogs] {count} new problems")
SMTP_TIMEOUT = 20.0
EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


@dataclass
class News:
    kind: str  # failed | errors | band_drop
    county_code: str
    county_name: str
    city: str
    domain: str
    key: str  # the same news has the same key: remembered per recipient
    params: dict = field(default_factory=dict)

    def text(self, lang: str) -> str:
        zh, en = NEWS_TEXT[self.kind]
        values = {**self.params, "county": self.county_name, "domain": domain_label(self.domain, lang)}
        if self.kind == "failed" and lang == "en":
            values["reason"] = self.params["reason_en"]
        return (en if lang == "en" else zh).format_map(values)


@dataclass
class Delivery:
    recipient_id: int
    address: str
    sent: int  # pieces of news told
    error: str | None = None


def state(store) -> dict:
    """What the news is computed from: failed sources and the newest score of every county-domain."""
    failed = {key: (job_id, reason) for key, (status, job_id, _, reason) in store.source_states().items()
              if status == "failed"}
    scores = {(s.county_code, s.domain): (s.id, round(s.score, 1), s.rating, int((s.details or {}).get("errors", 0)))
              for s in store.latest_snapshots()}
    return {"failed": failed, "scores": scores}


def news(store, before: dict, after: dict) -> list[News]:
    """What got worse between two states."""
    counties = {c.code: c for c in store.counties()}
    found = []

    def add(kind, key, county_code, domain, **params):
        county = counties.get(county_code)
        if county is not None:
            found.append(News(kind, county_code, county.name, county.city_name or "", domain, key, params))
    for (code, domain), (job_id, reason) in sorted(after["failed"].items()):
        if (code, domain) not in before["failed"]:
            add("failed", f"failed:{code}:{domain}:{job_id}", code, domain, job_id=job_id,
                reason=reason[0] or "无法读取", reason_en=reason[1] or "unreadable")
    for (code, domain), (snapshot_id, score, rating, errors) in sorted(after["scores"].items()):
        old = before["scores"].get((code, domain))
        if old is None or old[0] == snapshot_id:
            continue  # first assessed, or not assessed again: nothing changed
        if errors > old[3]:
            add("errors", f"errors:{code}:{domain}:{snapshot_id}", code, domain, before=old[3], after=errors)
        if BANDS.index(rating) > BANDS.index(old[2]):
            add("band_drop", f"band:{code}:{domain}:{snapshot_id}", code, domain, before=old[1], after=score,
                band_before=RATING_LABELS[old[2]][0], band_after=RATING_LABELS[rating][0],
                band_before_en=RATING_LABELS[old[2]][1], band_after_en=RATING_LABELS[rating][1])
    return found


def address_problem(kind: str, address: str) -> tuple[str, str] | None:
    """Why an address cannot be a recipient, in (zh, en); None when it can."""
    if kind == "email":
        if not EMAIL.fullmatch(address or ""):
            return f"“{address}”不是电子邮件地址", f"'{address}' is not an e-mail address"
    elif kind == "webhook":
        parts = urlsplit(address or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"“{address}”不是 http(s) 网址", f"'{address}' is not an http(s) URL"
    else:
        return f"未知的通知方式“{kind}”", f"unknown kind of notice '{kind}'"
    return None


def in_scope(recipient, item: News) -> bool:
    if recipient.county_code:
        return item.county_code == recipient.county_code
    if recipient.city_name:
        return item.city == recipient.city_name
    return True


def deliver(store, found: list[News], limits=None) -> list[Delivery]:
    """Tell every enabled recipient the news in its scope it has not been told; remember what was told.
    `limits` (harvesters.fetch.FetchLimits) bound a webhook's call and say which networks it may reach."""
    deliveries = []
    for recipient in store.recipients(enabled_only=True):
        mine = [n for n in found if in_scope(recipient, n)]
        told = store.sent_keys(recipient.id, [n.key for n in mine]) if mine else set()
        fresh = [n for n in mine if n.key not in told]
        if not fresh:
            continue
        try:
            if recipient.kind == "email":
                send_email(recipient.address, recipient.lang, fresh)
            else:
                post_webhook(recipient.address, fresh, limits)
        except Exception as exc:  # a mail server or a webhook that is down must not stop the harvest
            deliveries.append(Delivery(recipient.id, recipient.address, 0, f"{type(exc).__name__}: {exc}"[:300]))
            continue
        store.mark_sent(recipient.id, [n.key for n in fresh])
        deliveries.append(Delivery(recipient.id, recipient.address, len(fresh)))
    return deliveries


def send_email(address: str, lang: str, found: list[News]) -> None:
    host = os.environ.get("GKCATALOG_SMTP_HOST")
    if not host:
        raise RuntimeError("GKCATALOG_SMTP_HOST is not set")
    message = EmailMessage()
    message["Subject"] = SUBJECT[lang == "en"].format(count=len(found))
    message["From"] = os.environ.get("GKCATALOG_SMTP_FROM", "gkcatalog@localhost")
    message["To"] = address
    portal = os.environ.get("GKCATALOG_PUBLIC_URL", "").rstrip("/")
    lines = [f"· {item.text(lang)}" + (f"  {portal}/job/{item.params['job_id']}" if portal and "job_id" in item.params else "")
             for item in found]
    message.set_content("\n".join(lines) + (f"\n\n{portal}/" if portal else ""))
    with smtplib.SMTP(host, int(os.environ.get("GKCATALOG_SMTP_PORT", "25")), timeout=SMTP_TIMEOUT) as smtp:
        if os.environ.get("GKCATALOG_SMTP_STARTTLS"):
            smtp.starttls()
        if os.environ.get("GKCATALOG_SMTP_USER"):
            smtp.login(os.environ["GKCATALOG_SMTP_USER"], os.environ.get("GKCATALOG_SMTP_PASSWORD", ""))
        smtp.send_message(message)


def post_webhook(url: str, found: list[News], limits) -> None:
    """A JSON POST: the codes for programs and the words in both languages; through the address guard."""
    from .harvesters.fetch import ApiSession, FetchLimits

    body = {"event": "gkcatalog.news", "news": [
        {**asdict(item), "message_zh": item.text("zh"), "message_en": item.text("en")} for item in found]}
    answer = ApiSession(limits or FetchLimits()).post(url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                                      headers={"Content-Type": "application/json; charset=utf-8"})
    if answer.status_code >= 300:
        raise RuntimeError(f"HTTP {answer.status_code}")
