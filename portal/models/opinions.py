"""The unit's opinion (基层单位意见, issue 21.8): the employer's structured evaluation and recommendation of
an applicant (EXP-04, 004 二(九)), its clear recommendation (REV-05, 004 一(四)) and the annual assessment it
attests (PREQ-03, 002 三(一)1). Required at unit approval and printed on the 申报表; the notice's outcome
(PUB-05) is read from the notice record, never typed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.glossary import state_title
from portal.models.base import Base, bounded_text, one_of
from portal.models.clock import utcnow
from portal.models.users import User


class RecommendationMethod(StrEnum):
    """How the unit formed its recommendation (004 二(九): 推荐方式)."""

    VOTE = "vote"  # 民主推荐（投票）
    PANEL = "panel"  # 评议小组评议
    ASSESSMENT = "assessment"  # 考核推荐
    LEADERSHIP = "leadership"  # 领导班子集体研究

    @property
    def title(self) -> str:
        return state_title("recommendation_method", self)


class Recommendation(StrEnum):
    RECOMMEND = "recommend"
    NOT_RECOMMEND = "not_recommend"

    @property
    def title(self) -> str:
        return state_title("recommendation", self)


class UnitOpinion(Base):
    __tablename__ = "unit_opinions"
    __table_args__ = (
        one_of("method", RecommendationMethod),
        one_of("recommendation", Recommendation),
        CheckConstraint("participants_count >= 1", name="participants_count_positive"),
        CheckConstraint(
            "votes_for IS NULL OR (votes_for >= 0 AND votes_for <= participants_count)",
            name="votes_for_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    evaluation: Mapped[str] = bounded_text("evaluation", 1000)  # the applicant's professional work
    method: Mapped[str] = mapped_column(String(12))
    participants: Mapped[str] = bounded_text("participants", 200)  # who took part
    participants_count: Mapped[int]
    votes_for: Mapped[int | None]
    recommendation: Mapped[str] = mapped_column(String(14))
    formation: Mapped[str] = bounded_text("formation", 500)  # how the opinion was formed
    assessment: Mapped[str] = bounded_text("assessment", 100)  # the annual assessment results
    assessment_passed: Mapped[bool]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()

    @property
    def method_title(self) -> str:
        return RecommendationMethod(self.method).title

    @property
    def recommendation_title(self) -> str:
        return Recommendation(self.recommendation).title
