#include "lesson_player.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <algorithm>

#include <nlohmann/json.hpp>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "pages/page.hpp"

// The resources live in a static library: naming them keeps them linked.
static void initResources() { Q_INIT_RESOURCE(attnscope); }

namespace attnscope {

SessionState applyPreset(const SessionState& current, const LessonPreset& preset) {
  SessionState s = current;
  if (preset.sample) {
    s.base.sample = *preset.sample;
    s.base.inputFile.clear();
    s.base.qkvFile.clear();
  }
  if (preset.n) s.base.n = *preset.n;
  if (preset.heads) s.base.features.heads = *preset.heads;
  if (preset.d) s.base.features.d = *preset.d;
  if (preset.heads) s.mapHead = std::min(s.mapHead, *preset.heads - 1);
  if (!preset.variants.empty()) {
    s.variants.clear();
    s.variantSpecs.clear();
    for (const AttentionSpec& spec : preset.variants) {
      s.variants.push_back(spec.variant);
      s.variantSpecs.push_back(spec);
    }
  }
  if (preset.causal) s.base.attention.causal = *preset.causal;
  const bool causal = s.base.attention.causal;
  const Precision precision = s.base.attention.precision;
  for (AttentionSpec& spec : s.variantSpecs) {
    spec.causal = causal;
    spec.precision = precision;
  }
  if (!s.variantSpecs.empty()) s.base.attention = s.variantSpecs.front();
  return s;
}

std::vector<Lesson> builtInLessons() {
  initResources();
  std::vector<Lesson> lessons;
  const QDir dir(QStringLiteral(":/attnscope/lessons"));
  for (const QString& name : dir.entryList({"*.json"}, QDir::Files, QDir::Name)) {
    QFile file(dir.filePath(name));
    if (!file.open(QIODevice::ReadOnly)) continue;
    // Shipped lessons are checked by the tests; one that fails here is a build defect, left out rather than fatal.
    try {
      lessons.push_back(parseLesson(file.readAll().toStdString(), ":lessons/" + name.toStdString()));
    } catch (const Error&) {
    }
  }
  return lessons;
}

Lesson findLesson(const QString& idOrPath) {
  const std::vector<Lesson> shipped = builtInLessons();
  for (const Lesson& lesson : shipped)
    if (QString::fromStdString(lesson.id) == idOrPath) return lesson;
  if (!QFileInfo::exists(idOrPath)) {
    QStringList ids;
    for (const Lesson& lesson : shipped) ids << QString::fromStdString(lesson.id);
    throw Error(ErrorKind::Io, QCoreApplication::translate("LessonPlayer", "no lesson file or built-in lesson '%1' (built in: %2)")
                                   .arg(idOrPath, ids.join(", "))
                                   .toStdString());
  }
  return loadLessonFile(idOrPath.toStdString());
}

LessonPlayer::LessonPlayer(SessionModel* session, std::function<Page*(const QString&)> showPage, QObject* parent)
    : QObject(parent), session_(session), showPage_(std::move(showPage)) {}

void LessonPlayer::setLanguage(const QString& language) {
  if (language == language_) return;
  language_ = language;
  if (active()) emit stepChanged(step_);
}

void LessonPlayer::start(const Lesson& lesson, int step) {
  lesson_ = lesson;
  step_ = std::clamp(step, 0, stepCount() - 1);
  emit started();
  apply();
}

void LessonPlayer::next() { goTo(step_ + 1); }
void LessonPlayer::previous() { goTo(step_ - 1); }

void LessonPlayer::goTo(int step) {
  if (!active() || step < 0 || step >= stepCount() || step == step_) return;
  step_ = step;
  apply();
}

void LessonPlayer::stop() {
  if (!active()) return;
  lesson_.reset();
  step_ = 0;
  emit stopped();
}

void LessonPlayer::apply() {
  const LessonStep& s = lesson_->steps[static_cast<size_t>(step_)];
  if (session_) {
    // Presets accumulate: a step sets what it names on top of the steps before
    // it, so starting at step 4 shows what stepping there would.
    SessionState state = session_->state();
    for (int k = 0; k <= step_; ++k) state = applyPreset(state, lesson_->steps[static_cast<size_t>(k)].preset);
    state.page = QString::fromStdString(s.view);
    session_->edit(std::move(state));
  }
  emit stepChanged(step_);
  Page* page = showPage_ ? showPage_(QString::fromStdString(s.view)) : nullptr;
  if (!page) {
    emit problem(tr("step %1 asks for the page '%2', which this window does not have").arg(step_ + 1).arg(QString::fromStdString(s.view)));
    return;
  }
  if (!s.pageState.empty()) page->restoreState(nlohmann::json::parse(s.pageState));
  if (s.run) page->runDefault();
}

}  // namespace attnscope
