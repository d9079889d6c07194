#include "metrics_card.hpp"
#include "engine_message.hpp"

#include <QCoreApplication>
#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <cmath>

namespace attnscope {

QString formatNumber(double v, int digits) {
  if (std::isnan(v)) return QStringLiteral("–");
  if (std::isinf(v)) return v > 0 ? QStringLiteral("∞") : QStringLiteral("−∞");
  // QString::number always uses the C locale: the same text in every language.
  return QString::number(v, 'g', digits);
}

QString formatDuration(double ms) {
  if (!std::isfinite(ms) || ms < 0) return QStringLiteral("–");
  // Units go through the translator (a Chinese interface may write them its own way); numbers stay in the C locale.
  if (ms < 1.0) return QCoreApplication::translate("Units", "%1 µs").arg(QString::number(ms * 1000.0, 'f', ms < 0.01 ? 2 : 1));
  if (ms < 1000.0) return QCoreApplication::translate("Units", "%1 ms").arg(QString::number(ms, 'f', ms < 10 ? 3 : ms < 100 ? 2 : 1));
  return QCoreApplication::translate("Units", "%1 s").arg(QString::number(ms / 1000.0, 'f', 3));
}

QString formatBytes(double bytes) {
  if (!std::isfinite(bytes) || bytes < 0) return QStringLiteral("–");
  static const char* units[] = {QT_TRANSLATE_NOOP("Units", "B"), QT_TRANSLATE_NOOP("Units", "KiB"), QT_TRANSLATE_NOOP("Units", "MiB"),
                                QT_TRANSLATE_NOOP("Units", "GiB"), QT_TRANSLATE_NOOP("Units", "TiB")};
  int u = 0;
  while (bytes >= 1024.0 && u < 4) {
    bytes /= 1024.0;
    ++u;
  }
  if (u == 0) return QStringLiteral("%1 %2").arg(static_cast<qint64>(bytes)).arg(QCoreApplication::translate("Units", units[0]));
  return QStringLiteral("%1 %2").arg(QString::number(bytes, 'f', bytes < 10 ? 2 : bytes < 100 ? 1 : 0), QCoreApplication::translate("Units", units[u]));
}

QString formatGflops(double gflops) {
  if (!std::isfinite(gflops) || gflops <= 0) return QStringLiteral("–");
  return QStringLiteral("%1 GFLOP/s").arg(QString::number(gflops, 'f', gflops < 10 ? 2 : gflops < 100 ? 1 : 0));
}

QString formatPercent(double fraction) {
  if (!std::isfinite(fraction)) return QStringLiteral("–");
  const double p = fraction * 100.0;
  return QStringLiteral("%1%").arg(QString::number(p, 'f', p != 0 && std::abs(p) < 1 ? 3 : 1));
}

MetricsCard::MetricsCard(QWidget* parent) : QWidget(parent), grid_(new QGridLayout), message_(new QLabel) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  grid_->setHorizontalSpacing(10);
  grid_->setVerticalSpacing(1);
  grid_->setColumnStretch(1, 1);
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(message_);
  layout->addLayout(grid_);
  layout->addStretch(1);
  clear();
}

QSize MetricsCard::sizeHint() const { return QWidget::sizeHint().expandedTo(QSize(320, 0)); }

void MetricsCard::reset() {
  while (QLayoutItem* item = grid_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  keys_.clear();
  row_ = 0;
  error_ = false;
  message_->setStyleSheet(QString());
}

void MetricsCard::clear() {
  reset();
  message_->setText(tr("No run yet"));
  message_->show();
}

void MetricsCard::setError(const QString& reason) {
  reset();
  error_ = true;
  message_->setText(tr("This variant did not run:\n%1").arg(reason));
  // Red in light and dark themes alike.
  message_->setStyleSheet(QStringLiteral("color: #d55e00; font-weight: bold;"));
  message_->show();
}

QString MetricsCard::errorText() const { return error_ ? message_->text() : QString(); }

void MetricsCard::addSection(const QString& name) {
  auto* label = new QLabel(QStringLiteral("<b>%1</b>").arg(name.toHtmlEscaped()));
  grid_->addWidget(label, row_++, 0, 1, 2);
}

void MetricsCard::addRow(const QString& key, const QString& name, const QString& value, const QString& meaning) {
  auto* nameLabel = new QLabel(name);
  auto* valueLabel = new QLabel(value);
  nameLabel->setObjectName(QStringLiteral("name_") + key);
  valueLabel->setObjectName(QStringLiteral("value_") + key);
  nameLabel->setToolTip(meaning);
  valueLabel->setToolTip(meaning);
  valueLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  valueLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  grid_->addWidget(nameLabel, row_, 0);
  grid_->addWidget(valueLabel, row_, 1);
  ++row_;
  keys_ << key;
}

QString MetricsCard::valueText(const QString& key) const {
  const auto* label = findChild<QLabel*>(QStringLiteral("value_") + key);
  return label ? label->text() : QString();
}

QString MetricsCard::valueToolTip(const QString& key) const {
  const auto* label = findChild<QLabel*>(QStringLiteral("value_") + key);
  return label ? label->toolTip() : QString();
}

void MetricsCard::setRun(const RunResult& run, const AnalysisResult* analysis) {
  reset();
  message_->hide();
  const TimingStats& t = run.time;
  addSection(tr("Run"));
  addRow(QStringLiteral("time"), tr("median time"), formatDuration(t.medianMs), tr("Median wall time of one run over %1 repeats, after warm-up").arg(t.samplesMs.size()));
  addRow(QStringLiteral("spread"), tr("spread"), tr("%1 – %2").arg(formatDuration(t.minMs), formatDuration(t.maxMs)),
         tr("Fastest and slowest repeat: a wide spread means a noisy measurement"));
  addRow(QStringLiteral("workspace"), tr("peak workspace"), formatBytes(static_cast<double>(run.memory.workspacePeakBytes)),
         tr("Largest scratch memory the kernels held at once, beyond Q, K, V and the output (predicted %1)").arg(formatBytes(run.memory.workspacePredictedBytes)));
  addRow(QStringLiteral("total_memory"), tr("peak total"), formatBytes(static_cast<double>(run.memory.runBytes)),
         tr("Q, K, V and the output (%1) plus the peak workspace: what the run needs").arg(formatBytes(static_cast<double>(run.memory.tensorBytes))));
  addRow(QStringLiteral("gflops"), tr("throughput"), formatGflops(run.gflops),
         tr("Useful floating-point work (%1 GFLOP by the cost model) divided by the median time").arg(formatNumber(run.predicted.flops / 1e9)));
  if (analysis && analysis->pairs.total > 0)
    addRow(QStringLiteral("pairs"), tr("pairs computed"), formatPercent(analysis->pairs.fraction),
           tr("Share of the n² query-key scores this variant evaluates (%1 of %2, from the %3)")
               .arg(formatNumber(analysis->pairs.computed), formatNumber(analysis->pairs.total),
                    analysis->pairs.source == "layout"       ? tr("layout")
                    : analysis->pairs.source == "cost_model" ? tr("cost_model")
                                                             : QString::fromStdString(analysis->pairs.source)));
  // The kernels' notes on how to read this run (transformer_xl is causal by
  // construction, a Gaussian F's rows need not sum to 1, ...), once each.
  QStringList kernelNotes;
  for (const HeadExtras& e : run.result.extras)
    for (const std::string& n : e.notes)
      if (const QString note = engineMessage(n); !kernelNotes.contains(note)) kernelNotes << note;
  if (!kernelNotes.isEmpty()) {
    addSection(tr("Notes"));
    for (const QString& n : kernelNotes) {
      auto* label = new QLabel(QStringLiteral("• ") + n);
      label->setObjectName(QStringLiteral("note_%1").arg(kernelNotes.indexOf(n)));
      label->setTextFormat(Qt::PlainText);  // "n > 4096" is text, not markup
      label->setWordWrap(true);
      label->setTextInteractionFlags(Qt::TextSelectableByMouse);
      grid_->addWidget(label, row_++, 0, 1, 2);
    }
  }
  if (analysis) {
    QStringList notes;
    for (const std::string& n : analysis->notes) notes << engineMessage(n);
    addRow(QStringLiteral("analysis_device"), tr("map and spectrum on"), QString::fromStdString(analysis->computedOn),
           notes.isEmpty() ? tr("Where A, its map and its spectrum were computed") : notes.join(QLatin1Char('\n')));
  }
  if (!analysis || !analysis->metrics) return;
  const Metrics& m = *analysis->metrics;
  addSection(m.causalReference ? tr("Against causal dense") : tr("Against dense"));
  addRow(QStringLiteral("output_error"), tr("output error"), formatNumber(m.outputRelativeError),
         tr("||O − O_dense||_F / ||O_dense||_F: how far this variant's output is from exact attention"));
  QString kl = m.klDenseToVariant.finite.rows > 0 ? tr("%1 nats").arg(formatNumber(m.klDenseToVariant.finite.mean)) : QStringLiteral("–");
  if (m.klDenseToVariant.infiniteRows == 1) kl += tr(" (∞ in 1 row)");
  else if (m.klDenseToVariant.infiniteRows > 1) kl += tr(" (∞ in %1 rows)").arg(m.klDenseToVariant.infiniteRows);
  addRow(QStringLiteral("kl"), tr("KL(dense ‖ variant)"), kl,
         tr("Mean over queries of the KL divergence from dense attention to this variant's; infinite where the variant gives a key no weight that dense attends to"));
  addRow(QStringLiteral("entropy"), tr("entropy"), tr("%1 nats (dense %2)").arg(formatNumber(m.entropy.mean), formatNumber(m.entropyDense.mean)),
         tr("Mean entropy of a query's attention; a uniform row has log n = %1 nats").arg(formatNumber(m.uniformEntropy)));
  addRow(QStringLiteral("distance"), tr("mean attention distance"), tr("%1 tokens (dense %2)").arg(formatNumber(m.distance.mean), formatNumber(m.distanceDense.mean)),
         tr("Mean over queries of sum_j a_ij |i − j|: how far attention reaches"));
  if (m.global)
    addRow(QStringLiteral("global_mass"), tr("mass on global tokens"), tr("%1 (dense %2)").arg(formatPercent(m.global->variant), formatPercent(m.global->dense)),
           tr("Mean weight a query puts on the global tokens (%1 keys, %2)").arg(m.global->tokens).arg(QString::fromStdString(m.global->source)));
  if (m.memoryMassMean)
    addRow(QStringLiteral("memory_mass"), tr("mass on memory"), formatPercent(*m.memoryMassMean),
           tr("Mean over segments of the attention weight on memory (slots or the cached segment)"));
  if (m.recall.rows > 0)
    addRow(QStringLiteral("recall"), tr("attention recall"), tr("mean %1, worst query %2").arg(formatPercent(m.recall.mean), formatPercent(m.recall.min)),
           tr("Share of dense attention mass that falls on the pairs this variant computes: near 100% means the pattern covers what matters"));
}

}  // namespace attnscope
