"""The region and sex each registered person had when a month's /registrados counts were
frozen (`bot.services.registered`): the people those counts count, one row each."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class MonthEndPerson(Base):
    """A person counted at a month's end, as she was counted: indicator 8 groups the people a
    publication reached by these, so that its registered people (the frozen counts) and its
    reached ones share one moment and one region and sex each (reached <= registered in every
    cell), which a later /perfil change leaves as they were."""

    __tablename__ = "month_end_people"
    __table_args__ = (UniqueConstraint("day", "person_id"),)  # a day's read by its first key

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    region_code: Mapped[str | None] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(20))
