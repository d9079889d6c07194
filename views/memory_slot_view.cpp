#include "memory_slot_view.hpp"

#include "chart_support.hpp"

#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "heatmap_view.hpp"
#include "engine_message.hpp"

namespace attnscope {

namespace {
// Okabe-Ito, then greys: slots beyond the palette stay readable as a bundle.
QColor slotColor(int slot) {
  static const QColor colors[] = {QColor(0, 114, 178), QColor(230, 159, 0), QColor(0, 158, 115), QColor(204, 121, 167),
                                  QColor(86, 180, 233), QColor(213, 94, 0), QColor(240, 228, 66), QColor(0, 0, 0)};
  return slot < 8 ? colors[slot] : QColor(150, 150, 150);
}
constexpr int kMaxSlotSeries = 16;  // beyond this many slots, norms show as min / mean / max
}  // namespace

ProvenanceStrip::ProvenanceStrip(QWidget* parent) : QWidget(parent) { setMinimumHeight(64); }

QColor ProvenanceStrip::barColor() { return QColor(213, 94, 0); }

void ProvenanceStrip::setProvenance(int slot, std::vector<float> weights, const SlotProvenance& top, int64_t endToken, int64_t totalTokens) {
  slot_ = slot;
  weights_ = std::move(weights);
  top_ = top;
  endToken_ = endToken;
  totalTokens_ = std::max<int64_t>(1, totalTokens);
  update();
}

void ProvenanceStrip::clearSlot(int64_t endToken, int64_t totalTokens, std::vector<double> meanPositions) {
  slot_ = -1;
  weights_.clear();
  top_ = {};
  meanPositions_ = std::move(meanPositions);
  endToken_ = endToken;
  totalTokens_ = std::max<int64_t>(1, totalTokens);
  update();
}

QRect ProvenanceStrip::axisRect() const {
  const int textHeight = fontMetrics().height();
  return QRect(8, textHeight + 4, std::max(10, width() - 16), std::max(10, height() - 2 * textHeight - 10));
}

double ProvenanceStrip::tokenX(int64_t t) const {
  const QRect axis = axisRect();
  return axis.left() + (t + 0.5) * axis.width() / static_cast<double>(std::max<int64_t>(1, totalTokens_));
}

void ProvenanceStrip::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  const QRect axis = axisRect();
  const QColor text = palette().color(QPalette::WindowText);
  p.fillRect(axis, palette().base());
  // Tokens not read yet at this segment are greyed.
  if (endToken_ < totalTokens_) {
    const int x = static_cast<int>(std::lround(axis.left() + endToken_ * axis.width() / static_cast<double>(totalTokens_)));
    p.fillRect(QRect(QPoint(x, axis.top()), axis.bottomRight()), palette().color(QPalette::Mid));
  }
  p.setPen(text);
  p.drawRect(axis.adjusted(0, 0, -1, -1));
  p.drawText(QRect(axis.left(), axis.bottom() + 2, 120, fontMetrics().height()), Qt::AlignLeft, tr("token 0"));
  p.drawText(QRect(axis.right() - 120, axis.bottom() + 2, 120, fontMetrics().height()), Qt::AlignRight, QString::number(totalTokens_ - 1));
  if (slot_ < 0) {
    p.drawText(QRect(0, 0, width(), fontMetrics().height() + 2), Qt::AlignHCenter, tr("Hover a slot to see the tokens it holds"));
    p.setPen(QPen(slotColor(0), 1));
    for (double m : meanPositions_) {
      const int x = static_cast<int>(std::lround(tokenX(static_cast<int64_t>(m))));
      p.drawLine(x, axis.top() + axis.height() / 3, x, axis.bottom() - 1);
    }
    return;
  }
  p.drawText(QRect(0, 0, width(), fontMetrics().height() + 2), Qt::AlignHCenter,
             tr("slot %1: mean position %2, weight %3").arg(slot_).arg(top_.meanPosition, 0, 'f', 1).arg(top_.total, 0, 'g', 3));
  // Bars scaled to the heaviest token; the full weights when the variant kept them, else the top tokens.
  float peak = 0;
  for (float w : weights_) peak = std::max(peak, std::abs(w));
  for (const ProvenanceToken& t : top_.top) peak = std::max(peak, static_cast<float>(std::abs(t.weight)));
  if (peak <= 0) return;
  p.setPen(Qt::NoPen);
  p.setBrush(barColor());
  const double cell = axis.width() / static_cast<double>(totalTokens_);
  auto bar = [&](int64_t t, double w) {
    const double h = std::abs(w) / peak * (axis.height() - 2);
    const double x = axis.left() + t * cell;
    p.drawRect(QRectF(x, axis.bottom() - h, std::max(1.0, cell), h));
  };
  if (!weights_.empty()) {
    for (size_t t = 0; t < weights_.size(); ++t)
      if (weights_[t] != 0) bar(static_cast<int64_t>(t), weights_[t]);
  } else {
    for (const ProvenanceToken& t : top_.top) bar(t.token, t.weight);
  }
  p.setPen(QPen(text, 1, Qt::DashLine));
  const int mx = static_cast<int>(std::lround(tokenX(static_cast<int64_t>(top_.meanPosition))));
  p.drawLine(mx, axis.top(), mx, axis.bottom());
}

MemorySlotView::MemorySlotView(QWidget* parent)
    : QWidget(parent),
      titleLabel_(new QLabel),
      map_(new HeatmapView),
      slider_(new QSlider(Qt::Horizontal)),
      play_(new QToolButton),
      segmentLabel_(new QLabel),
      strip_(new ProvenanceStrip),
      chartView_(new QChartView),
      chart_(new QChart),
      notes_(new QLabel),
      playTimer_(new QTimer(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  titleLabel_->setWordWrap(true);
  titleLabel_->setAlignment(Qt::AlignHCenter);
  notes_->setWordWrap(true);
  auto* controls = new QHBoxLayout;
  play_->setCheckable(true);
  play_->setText(tr("Play"));
  play_->setToolTip(tr("Replay the writes segment by segment"));
  slider_->setToolTip(tr("Segment whose slot contents are shown"));
  controls->addWidget(play_);
  controls->addWidget(slider_, 1);
  controls->addWidget(segmentLabel_);
  chartView_->setChart(chart_);
  chartView_->setRenderHint(QPainter::Antialiasing);
  chartView_->setMinimumHeight(150);
  chart_->setMargins(QMargins(2, 2, 2, 2));
  chart_->legend()->setAlignment(Qt::AlignBottom);
  layout->addWidget(titleLabel_);
  layout->addWidget(map_, 3);
  layout->addLayout(controls);
  layout->addWidget(strip_);
  layout->addWidget(chartView_, 2);
  layout->addWidget(notes_);
  playTimer_->setInterval(600);
  connect(slider_, &QSlider::valueChanged, this, &MemorySlotView::setSegment);
  connect(play_, &QToolButton::toggled, this, &MemorySlotView::setPlaying);
  connect(playTimer_, &QTimer::timeout, this, [this] {
    if (segmentCount() == 0) return setPlaying(false);
    setSegment((current_ + 1) % segmentCount());
  });
  connect(map_, &HeatmapView::tokenHovered, this, [this](int64_t slot, int64_t) { selectSlot(static_cast<int>(slot)); });
  clear();
}

void MemorySlotView::clear() {
  snapshots_.clear();
  trace_ = {};
  title_.clear();
  setMessage(tr("No memory: this variant keeps none"));
}

void MemorySlotView::setMessage(const QString& message) {
  setPlaying(false);
  snapshots_.clear();
  current_ = slot_ = -1;
  titleLabel_->setText(title_.isEmpty() ? tr("Memory") : title_);
  map_->setData({});
  map_->hide();
  slider_->hide();
  play_->hide();
  segmentLabel_->hide();
  strip_->hide();
  notes_->setText(message);
  rebuildChart();
}

void MemorySlotView::setMemory(const std::vector<MemorySnapshot>& snapshots, const MemoryTrace& trace, const QString& title) {
  setPlaying(false);
  snapshots_ = snapshots;
  trace_ = trace;
  title_ = title;
  current_ = slot_ = -1;
  titleLabel_->setText(title_.isEmpty() ? tr("Memory") : title_);
  titleLabel_->setToolTip(titleLabel_->text());
  QStringList notes;
  for (const std::string& n : trace.notes) notes << engineMessage(n);
  // One scale for every segment, so the replay shows slots filling, not each segment's own contrast.
  scaleMax_ = 0;
  for (const MemorySnapshot& s : snapshots_)
    if (s.slotValues.size() > 0) scaleMax_ = std::max(scaleMax_, static_cast<double>(s.slotValues.cwiseAbs().maxCoeff()));
  const bool hasSlots = showsSlots();
  map_->setVisible(hasSlots);
  slider_->setVisible(hasSlots);
  play_->setVisible(hasSlots && segmentCount() > 1);
  segmentLabel_->setVisible(hasSlots);
  strip_->setVisible(hasSlots);
  if (!hasSlots) {
    notes.prepend(trace.massPerSegment.empty() ? tr("No memory: this variant keeps none")
                                               : tr("No slots: the cached segment's share of each segment's attention is shown."));
  }
  notes_->setText(notes.join(QLatin1Char('\n')));
  rebuildChart();
  if (hasSlots) {
    const QSignalBlocker block(slider_);
    slider_->setRange(0, segmentCount() - 1);
    slider_->setValue(segmentCount() - 1);
    setSegment(segmentCount() - 1);
  }
}

QString MemorySlotView::titleText() const { return titleLabel_->text(); }
QString MemorySlotView::segmentText() const { return segmentLabel_->text(); }

void MemorySlotView::setSegment(int index) {
  if (index < 0 || index >= segmentCount()) return;
  if (index == current_) return;
  current_ = index;
  if (slider_->value() != index) {
    const QSignalBlocker block(slider_);
    slider_->setValue(index);
  }
  showSegment();
  emit segmentChanged(index);
}

void MemorySlotView::selectSlot(int slot) {
  if (!showsSlots() || slot < 0 || slot >= snapshots_[static_cast<size_t>(current_)].slotValues.rows() || slot == slot_) return;
  slot_ = slot;
  updateProvenance();
  emit slotSelected(slot);
}

void MemorySlotView::setPlaying(bool playing) {
  if (playing && segmentCount() > 1) playTimer_->start();
  else playTimer_->stop();
  if (play_->isChecked() != playTimer_->isActive()) {
    const QSignalBlocker block(play_);
    play_->setChecked(playTimer_->isActive());
  }
}

void MemorySlotView::showSegment() {
  const MemorySnapshot& s = snapshots_[static_cast<size_t>(current_)];
  HeatmapData d;
  d.title = tr("slot contents after segment %1").arg(s.segment).toStdString();
  d.rows = s.slotValues.rows();
  d.cols = s.slotValues.cols();
  d.i1 = d.rows;
  d.j1 = d.cols;
  d.values.assign(s.slotValues.data(), s.slotValues.data() + s.slotValues.size());
  d.valueName = tr("|slot value|").toStdString();
  d.rowName = tr("slot").toStdString();
  d.colName = tr("dim").toStdString();
  d.scale = ColorScale::Linear;
  d.scaleMax = scaleMax_;
  map_->setData(std::move(d));
  segmentLabel_->setText(tr("segment %1 (%2 of %3), tokens 0..%4 read").arg(s.segment).arg(current_ + 1).arg(segmentCount()).arg(s.endToken - 1));
  updateProvenance();
  rebuildChart();
}

void MemorySlotView::updateProvenance() {
  if (!showsSlots() || current_ < 0) return;
  const MemorySnapshot& s = snapshots_[static_cast<size_t>(current_)];
  const MemorySnapshotSummary* summary = current_ < static_cast<int>(trace_.snapshots.size()) ? &trace_.snapshots[static_cast<size_t>(current_)] : nullptr;
  const int64_t total = std::max(snapshots_.back().endToken, s.endToken);
  if (slot_ < 0 || slot_ >= s.slotValues.rows()) {
    std::vector<double> means;
    if (summary)
      for (const SlotProvenance& p : summary->provenance) means.push_back(p.meanPosition);
    strip_->clearSlot(s.endToken, total, std::move(means));
    return;
  }
  std::vector<float> weights;
  if (slot_ < s.provenance.rows()) weights.assign(s.provenance.data() + slot_ * s.provenance.cols(), s.provenance.data() + (slot_ + 1) * s.provenance.cols());
  SlotProvenance top;
  if (summary && slot_ < static_cast<int>(summary->provenance.size())) top = summary->provenance[static_cast<size_t>(slot_)];
  strip_->setProvenance(slot_, std::move(weights), top, s.endToken, total);
}

void MemorySlotView::rebuildChart() {
  resetChart(chart_, this);
  const bool dark = palette().color(QPalette::Window).lightness() < 128;
  const std::vector<double>& mass = trace_.massPerSegment;
  if (trace_.snapshots.empty() && mass.empty()) {
    chartView_->hide();
    return;
  }
  chartView_->show();
  auto* x = new QValueAxis;
  x->setTitleText(tr("segment"));
  x->setLabelFormat(QStringLiteral("%d"));
  chart_->addAxis(x, Qt::AlignBottom);
  double xMax = std::max<double>(1.0, static_cast<double>(mass.size()) - 1);
  for (const MemorySnapshotSummary& s : trace_.snapshots) xMax = std::max(xMax, static_cast<double>(s.segment));
  x->setRange(0, xMax);
  // Whole segments only: dynamic ticks on integers.
  x->setTickType(QValueAxis::TicksDynamic);
  x->setTickAnchor(0);
  x->setTickInterval(std::max(1.0, std::ceil(xMax / 8)));
  auto attach = [&](QLineSeries* series, QAbstractAxis* y) {
    chart_->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
  };
  if (!trace_.snapshots.empty()) {
    auto* y = new QValueAxis;
    y->setTitleText(tr("slot norm"));
    chart_->addAxis(y, Qt::AlignLeft);
    const int64_t nSlots = trace_.slotCount;
    double top = 0;
    for (const auto& s : trace_.snapshots)
      for (double v : s.slotNorms) top = std::max(top, v);
    y->setRange(0, top > 0 ? top * 1.05 : 1.0);
    if (nSlots <= kMaxSlotSeries) {
      for (int64_t k = 0; k < nSlots; ++k) {
        auto* series = new QLineSeries;
        series->setName(tr("slot %1").arg(k));
        series->setPen(QPen(slotColor(static_cast<int>(k)), k == slot_ ? 3 : 1.5));
        for (const auto& s : trace_.snapshots)
          if (k < static_cast<int64_t>(s.slotNorms.size())) series->append(static_cast<double>(s.segment), s.slotNorms[static_cast<size_t>(k)]);
        attach(series, y);
      }
      chart_->legend()->setVisible(nSlots <= 8);
    } else {
      QLineSeries* lo = new QLineSeries, *mean = new QLineSeries, *hi = new QLineSeries;
      lo->setName(tr("min over slots"));
      mean->setName(tr("mean"));
      hi->setName(tr("max"));
      for (const auto& s : trace_.snapshots) {
        if (s.slotNorms.empty()) continue;
        double sum = 0;
        for (double v : s.slotNorms) sum += v;
        lo->append(static_cast<double>(s.segment), *std::min_element(s.slotNorms.begin(), s.slotNorms.end()));
        mean->append(static_cast<double>(s.segment), sum / static_cast<double>(s.slotNorms.size()));
        hi->append(static_cast<double>(s.segment), *std::max_element(s.slotNorms.begin(), s.slotNorms.end()));
      }
      for (QLineSeries* series : {lo, mean, hi}) attach(series, y);
      chart_->legend()->setVisible(true);
    }
    if (current_ >= 0) {
      // Where the slider is.
      auto* now = new QLineSeries;
      now->setName(QString());
      now->setPen(QPen(palette().color(QPalette::Highlight), 1, Qt::DashLine));
      const double seg = static_cast<double>(snapshots_[static_cast<size_t>(current_)].segment);
      now->append(seg, 0);
      now->append(seg, y->max());
      attach(now, y);
      for (QLegendMarker* marker : chart_->legend()->markers(now)) marker->setVisible(false);
    }
  }
  if (!mass.empty()) {
    auto* y = new QValueAxis;
    y->setTitleText(tr("memory mass"));
    y->setRange(0, 1);
    chart_->addAxis(y, trace_.snapshots.empty() ? Qt::AlignLeft : Qt::AlignRight);
    auto* series = new QLineSeries;
    series->setObjectName(QStringLiteral("mass"));
    series->setName(tr("attention mass on memory"));
    series->setPen(QPen(QColor(0, 0, 0), 2, Qt::DotLine));
    if (dark) series->setPen(QPen(QColor(230, 230, 230), 2, Qt::DotLine));
    for (size_t k = 0; k < mass.size(); ++k) series->append(static_cast<double>(k), mass[k]);
    attach(series, y);
    if (trace_.snapshots.empty()) chart_->legend()->setVisible(true);
  }
}

}  // namespace attnscope
