"""Notice recipients and what each was told."""
from __future__ import annotations

from sqlalchemy import delete, select

from .database import Database
from .models import NoticeRecipient, NoticeSent


class NoticeStore(Database):
    def add_recipient(self, kind: str, address: str, city_name: str | None = None, county_code: str | None = None,
                      lang: str = "zh") -> NoticeRecipient:
        with self.session() as s:
            recipient = NoticeRecipient(kind=kind, address=address, city_name=city_name or None,
                                        county_code=county_code or None, lang=lang, enabled=True)
            s.add(recipient)
            s.flush()
            return recipient

    def recipients(self, enabled_only: bool = False) -> list[NoticeRecipient]:
        with self.reading() as s:
            query = select(NoticeRecipient).order_by(NoticeRecipient.id)
            if enabled_only:
                query = query.where(NoticeRecipient.enabled)
            return list(s.scalars(query))

    def recipient(self, recipient_id: int) -> NoticeRecipient | None:
        with self.reading() as s:
            return s.get(NoticeRecipient, recipient_id)

    def set_recipient_enabled(self, recipient_id: int, enabled: bool) -> bool:
        with self.session() as s:
            recipient = s.get(NoticeRecipient, recipient_id)
            if recipient is not None:
                recipient.enabled = enabled
            return recipient is not None

    def remove_recipient(self, recipient_id: int) -> bool:
        with self.session() as s:
            s.execute(delete(NoticeSent).where(NoticeSent.recipient_id == recipient_id))
            return s.execute(delete(NoticeRecipient).where(NoticeRecipient.id == recipient_id)).rowcount > 0

    def sent_keys(self, recipient_id: int, keys: list[str]) -> set:
        """Which of `keys` the recipient was already told."""
        with self.reading() as s:
            return set(s.scalars(select(NoticeSent.news_key).where(NoticeSent.recipient_id == recipient_id,
                                                                   NoticeSent.news_key.in_(keys))))

    def mark_sent(self, recipient_id: int, keys: list[str]) -> None:
        with self.session() as s:
            s.add_all(NoticeSent(recipient_id=recipient_id, news_key=key) for key in keys)
