#include "lesson_bar.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "lesson_player.hpp"

namespace attnscope {

LessonBar::LessonBar(LessonPlayer* player, QWidget* parent) : QWidget(parent), player_(player) {
  setObjectName("lessonBar");
  setAttribute(Qt::WA_StyledBackground);
  setStyleSheet("QWidget#lessonBar { background: palette(alternate-base); border: 1px solid palette(mid); border-radius: 4px; }");
  auto* row = new QHBoxLayout(this);
  auto* text = new QVBoxLayout;
  where_ = new QLabel(this);
  title_ = new QLabel(this);
  title_->setWordWrap(true);
  body_ = new QLabel(this);
  body_->setWordWrap(true);
  body_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  text->addWidget(where_);
  text->addWidget(title_);
  text->addWidget(body_);
  row->addLayout(text, 1);
  auto* buttons = new QVBoxLayout;
  previous_ = new QPushButton(tr("◀ Previous"), this);
  next_ = new QPushButton(tr("Next ▶"), this);
  end_ = new QPushButton(tr("End lesson"), this);
  previous_->setToolTip(tr("Previous step (Alt+Left)"));
  next_->setToolTip(tr("Next step (Alt+Right)"));
  for (QPushButton* b : {previous_, next_, end_}) buttons->addWidget(b);
  buttons->addStretch(1);
  row->addLayout(buttons);
  connect(previous_, &QPushButton::clicked, player_, &LessonPlayer::previous);
  connect(next_, &QPushButton::clicked, player_, &LessonPlayer::next);
  connect(end_, &QPushButton::clicked, player_, &LessonPlayer::stop);
  connect(player_, &LessonPlayer::stepChanged, this, &LessonBar::showStep);
  connect(player_, &LessonPlayer::started, this, &QWidget::show);
  connect(player_, &LessonPlayer::stopped, this, &QWidget::hide);
  applyFonts();
  hide();
}

QString LessonBar::titleText() const { return title_->text(); }
QString LessonBar::bodyText() const { return body_->text(); }

void LessonBar::showStep(int step) {
  const Lesson* lesson = player_->lesson();
  if (!lesson) return;
  const LessonStep& s = lesson->steps[static_cast<size_t>(step)];
  where_->setText(tr("%1 — step %2 of %3").arg(player_->text(lesson->title)).arg(step + 1).arg(player_->stepCount()));
  title_->setText(player_->text(s.title));
  body_->setText(player_->text(s.text));
  previous_->setEnabled(step > 0);
  next_->setEnabled(step + 1 < player_->stepCount());
}

void LessonBar::setPresentation(bool on) {
  presentation_ = on;
  applyFonts();
}

void LessonBar::applyFonts() {
  // Presentation: type for a room (the body near 1.6 times the window's, the title larger still).
  const double scale = presentation_ ? 1.6 : 1.0;
  QFont base = font();
  const double size = base.pointSizeF() > 0 ? base.pointSizeF() : 10.0;
  QFont where = base, title = base, body = base;
  where.setPointSizeF(size * scale * 0.9);
  title.setPointSizeF(size * scale * 1.3);
  title.setBold(true);
  body.setPointSizeF(size * scale * 1.1);
  where_->setFont(where);
  title_->setFont(title);
  body_->setFont(body);
}

}  // namespace attnscope
