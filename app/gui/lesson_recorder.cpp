#include "lesson_recorder.hpp"

#include <QCoreApplication>
#include <QFileInfo>

#include "attention/registry.hpp"

namespace attnscope {

RecordedStep recordStep(const SessionState& state, const QString& page, const nlohmann::json& pageState, const QString& title, const QString& text,
                        const QString& language) {
  RecordedStep r;
  LessonStep& step = r.step;
  const std::string key = language.isEmpty() ? std::string("en") : language.toStdString();
  step.title.byLanguage[key] = title.trimmed().toStdString();
  step.text.byLanguage[key] = text.trimmed().toStdString();
  const RunSpec& base = state.base;
  // A lesson names built-in samples only: a step over a file keeps whatever input the viewer has.
  if (!base.sample.empty()) {
    step.preset.sample = base.sample;
  } else {
    const QString file = QString::fromStdString(base.inputFile.empty() ? base.qkvFile : base.inputFile);
    r.notes << QCoreApplication::translate("attnscope::LessonRecorder", "the input %1 is not part of the lesson (lessons use the built-in samples); the step keeps the viewer's input")
                   .arg(QFileInfo(file).fileName());
  }
  if (base.n > 0) step.preset.n = base.n;  // 0: the whole file
  step.preset.heads = base.features.heads;
  step.preset.d = base.features.d;
  step.preset.causal = base.attention.causal;
  for (size_t k = 0; k < state.variants.size(); ++k) {
    AttentionSpec spec = k < state.variantSpecs.size() ? state.variantSpecs[k] : makeSpec(state.variants[k]);
    spec.variant = state.variants[k];
    step.preset.variants.push_back(std::move(spec));
  }
  step.view = page.toStdString();
  if (pageState.is_object() && !pageState.empty()) step.pageState = pageState.dump();
  return r;
}

}  // namespace attnscope
