#include "spectrum_view.hpp"

#include "chart_support.hpp"

#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

std::vector<double> eckartYoungErrors(const std::vector<double>& sigma, double totalEnergy) {
  std::vector<double> errors;
  if (totalEnergy <= 0) return errors;
  errors.reserve(sigma.size() + 1);
  // Subtract from the total instead of summing the tail: a randomized
  // spectrum knows the leading values and the total only.
  double kept = 0;
  errors.push_back(1.0);
  for (double s : sigma) {
    kept += s * s;
    errors.push_back(std::sqrt(std::max(0.0, totalEnergy - kept) / totalEnergy));
  }
  return errors;
}

double eckartYoungError(const Spectrum& s, int64_t rank) {
  const std::vector<double> errors = eckartYoungErrors(s.sigma, s.totalEnergy);
  if (rank < 0 || rank >= static_cast<int64_t>(errors.size())) return std::numeric_limits<double>::quiet_NaN();
  return errors[static_cast<size_t>(rank)];
}

int64_t rankForError(const Spectrum& s, double error) {
  const std::vector<double> errors = eckartYoungErrors(s.sigma, s.totalEnergy);
  for (size_t r = 0; r < errors.size(); ++r)
    if (errors[r] <= error) return static_cast<int64_t>(r);
  return -1;
}

namespace {
// Okabe-Ito: readable for colour-blind users, distinct on light and dark backgrounds.
const QColor kSigma(0, 114, 178), kEnergy(0, 158, 115), kBound(230, 159, 0), kVariant(204, 121, 167);
QString num(double v, int digits = 3) { return QString::number(v, 'g', digits); }
}  // namespace

QColor SpectrumView::markColor(int index) {
  static const QColor colors[] = {QColor(213, 94, 0), QColor(86, 180, 233), QColor(0, 0, 0)};
  return colors[index % 3];
}

SpectrumView::SpectrumView(QWidget* parent)
    : QWidget(parent), titleLabel_(new QLabel), view_(new QChartView), chart_(new QChart), legend_(new QLabel), summary_(new QLabel) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  titleLabel_->setWordWrap(true);
  titleLabel_->setAlignment(Qt::AlignHCenter);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  view_->setChart(chart_);
  view_->setRenderHint(QPainter::Antialiasing);
  // Qt Charts' legend elides long names in a narrow column; a wrapping label keeps them whole.
  chart_->legend()->hide();
  legend_->setWordWrap(true);
  legend_->setTextFormat(Qt::RichText);
  chart_->setMargins(QMargins(2, 2, 2, 2));
  layout->addWidget(titleLabel_);
  layout->addWidget(view_, 1);
  layout->addWidget(legend_);
  layout->addWidget(summary_);
  clear();
}

void SpectrumView::setSpectrum(const Spectrum& s, const QString& title) {
  spectrum_ = s;
  title_ = title;
  rebuild();
}

void SpectrumView::setDenseReference(const Spectrum& dense, double variantError) {
  dense_ = dense;
  variantError_ = variantError;
  rebuild();
}

void SpectrumView::clearDenseReference() {
  dense_.reset();
  variantError_ = -1;
  rebuild();
}

void SpectrumView::clear() {
  spectrum_.reset();
  dense_.reset();
  variantError_ = -1;
  title_.clear();
  rebuild();
}

void SpectrumView::setMessage(const QString& message) {
  spectrum_.reset();
  rebuild();
  summary_->setText(message);
}

QString SpectrumView::summaryText() const { return summary_->text(); }
QString SpectrumView::titleText() const { return titleLabel_->text(); }

QStringList SpectrumView::legendNames() const {
  QStringList names;
  for (QAbstractSeries* s : chart_->series())
    if (!s->name().isEmpty()) names << s->name();
  return names;
}

QPointF SpectrumView::positionOf(double x, double fraction) const {
  const auto series = chart_->series();
  for (QAbstractSeries* s : series)
    if (s->objectName() == QLatin1String("energy")) return view_->mapTo(this, view_->mapFromScene(chart_->mapToScene(chart_->mapToPosition(QPointF(x, fraction), s))));
  return {-1, -1};
}

QPointF SpectrumView::positionOfValue(double x, double sigma) const {
  for (QAbstractSeries* s : chart_->series())
    if (s->objectName() == QLatin1String("sigma")) return view_->mapTo(this, view_->mapFromScene(chart_->mapToScene(chart_->mapToPosition(QPointF(x, sigma), s))));
  return {-1, -1};
}

void SpectrumView::rebuild() {
  resetChart(chart_, this);
  titleLabel_->setText(title_.isEmpty() ? tr("Rank spectrum") : title_);
  titleLabel_->setToolTip(titleLabel_->text());
  std::vector<double> positive;
  if (spectrum_)
    for (double v : spectrum_->sigma)
      if (v > 0 && std::isfinite(v)) positive.push_back(v);
  legend_->clear();
  if (!spectrum_ || positive.empty()) {
    summary_->setText(spectrum_ ? tr("The spectrum has no positive singular values.") : tr("No spectrum yet"));
    return;
  }
  const Spectrum& s = *spectrum_;
  const int64_t count = static_cast<int64_t>(s.sigma.size());

  auto* xAxis = new QValueAxis;
  xAxis->setTitleText(tr("index r"));
  xAxis->setLabelFormat(QStringLiteral("%d"));
  int64_t xMax = count;
  for (const SpectrumMark& m : s.marks) xMax = std::max(xMax, m.index);
  if (dense_) xMax = std::max<int64_t>(xMax, std::min<int64_t>(static_cast<int64_t>(dense_->sigma.size()), std::max<int64_t>(count, 1) * 2));
  xAxis->setRange(0, static_cast<double>(std::max<int64_t>(xMax, 2)));
  auto* yLog = new QLogValueAxis;
  yLog->setTitleText(tr("singular value"));
  yLog->setLabelFormat(QStringLiteral("%.0e"));
  // Values under the numerical tolerance are noise (a rank-k map's tail): the
  // axis stops a decade below it, and labels every few decades stay legible.
  const double hi = *std::max_element(positive.begin(), positive.end());
  double lo = *std::min_element(positive.begin(), positive.end());
  if (s.tolerance > 0) lo = std::max(lo, s.tolerance / 10);
  const int top = static_cast<int>(std::ceil(std::log10(hi) + 1e-9));
  int bottom = static_cast<int>(std::floor(std::log10(lo)));
  const int step = std::max(1, (top - bottom + 5) / 6);
  bottom = top - ((top - bottom + step - 1) / step) * step;
  yLog->setBase(std::pow(10.0, step));
  yLog->setRange(std::pow(10.0, bottom), std::pow(10.0, top));
  auto* yFraction = new QValueAxis;
  yFraction->setTitleText(tr("fraction of ||A||_F"));
  yFraction->setRange(0, 1);
  chart_->addAxis(xAxis, Qt::AlignBottom);
  chart_->addAxis(yLog, Qt::AlignLeft);
  chart_->addAxis(yFraction, Qt::AlignRight);

  auto attach = [&](QAbstractSeries* series, QAbstractAxis* y) {
    chart_->addSeries(series);
    series->attachAxis(xAxis);
    series->attachAxis(y);
  };
  auto* sigma = new QLineSeries;
  sigma->setObjectName(QStringLiteral("sigma"));
  sigma->setName(tr("singular values (log)"));
  sigma->setPen(QPen(kSigma, 2));
  for (int64_t r = 0; r < count; ++r)
    if (s.sigma[static_cast<size_t>(r)] > 0) sigma->append(static_cast<double>(r + 1), s.sigma[static_cast<size_t>(r)]);
  attach(sigma, yLog);
  auto* energy = new QLineSeries;
  energy->setObjectName(QStringLiteral("energy"));
  energy->setName(tr("cumulative energy"));
  energy->setPen(QPen(kEnergy, 2));
  for (int64_t r = 0; r < static_cast<int64_t>(s.cumulativeEnergy.size()); ++r) energy->append(static_cast<double>(r + 1), s.cumulativeEnergy[static_cast<size_t>(r)]);
  attach(energy, yFraction);
  // Hovering either curve names the rank under the cursor.
  for (QLineSeries* series : {sigma, energy})
    connect(series, &QLineSeries::hovered, this, [this](const QPointF& p, bool entered) {
      if (!entered) return QToolTip::hideText();
      QToolTip::showText(QCursor::pos(), describeRank(static_cast<int64_t>(std::lround(p.x()))), this);
    });

  // The ranks the variant is built around, as vertical lines.
  QStringList lines;
  for (size_t k = 0; k < s.marks.size(); ++k) {
    const SpectrumMark& m = s.marks[k];
    auto* mark = new QLineSeries;
    mark->setObjectName(QStringLiteral("mark"));
    mark->setName(tr("%1 = %2").arg(QString::fromStdString(m.name)).arg(m.index));
    mark->setPen(QPen(markColor(static_cast<int>(k)), 2, Qt::DashLine));
    mark->append(static_cast<double>(m.index), 0.0);
    mark->append(static_cast<double>(m.index), 1.0);
    attach(mark, yFraction);
    if (m.ratioAfter >= 0) lines << tr("σ_%1+1 / σ_1 = %2").arg(QString::fromStdString(m.name)).arg(num(m.ratioAfter));
  }

  // Effective rank.
  QString rank = tr("effective rank: entropy %1").arg(num(s.entropyRank));
  rank += s.rank90 >= 0 ? tr(", 90% energy at r = %1").arg(s.rank90) : tr(", 90% energy beyond r = %1").arg(count);
  rank += s.rank99 >= 0 ? tr(", 99% at r = %1").arg(s.rank99) : tr(", 99% beyond r = %1").arg(count);
  const QString method = s.method == "exact" ? tr("exact") : s.method == "randomized" ? tr("randomized") : QString::fromStdString(s.method);
  rank += tr(" (%1 values, %2)").arg(count).arg(method);
  lines.prepend(rank);

  if (dense_) {
    const std::vector<double> bound = eckartYoungErrors(dense_->sigma, dense_->totalEnergy);
    auto* best = new QLineSeries;
    best->setObjectName(QStringLiteral("bound"));
    best->setName(tr("best rank-r error of dense (Eckart–Young)"));
    best->setPen(QPen(kBound, 2));
    for (size_t r = 0; r < bound.size(); ++r) best->append(static_cast<double>(r), bound[r]);
    attach(best, yFraction);
    if (variantError_ >= 0) {
      auto* actual = new QLineSeries;
      actual->setObjectName(QStringLiteral("variant"));
      actual->setName(tr("this variant's error %1").arg(num(variantError_)));
      actual->setPen(QPen(kVariant, 2, Qt::DotLine));
      actual->append(0, std::min(1.0, variantError_));
      actual->append(xAxis->max(), std::min(1.0, variantError_));
      attach(actual, yFraction);
      if (!s.marks.empty()) {
        // The variant's error at its own rank, on the bound's scale.
        auto* point = new QScatterSeries;
        point->setObjectName(QStringLiteral("variant_point"));
        point->setColor(kVariant);
        point->setMarkerSize(10);
        point->append(static_cast<double>(s.marks.front().index), std::min(1.0, variantError_));
        attach(point, yFraction);
        const SpectrumMark& m = s.marks.front();
        const double e = eckartYoungError(*dense_, m.index);
        if (std::isfinite(e))
          lines << tr("at %1 = %2 the best possible error is %3; this variant's is %4 (%5× the bound)")
                       .arg(QString::fromStdString(m.name)).arg(m.index).arg(num(e)).arg(num(variantError_))
                       .arg(e > 0 ? num(variantError_ / e) : QStringLiteral("∞"));
      }
      const int64_t r = rankForError(*dense_, variantError_);
      if (r == 0) lines << tr("the zero map is as close to dense as this variant (error ≥ 1)");
      else if (r > 0) lines << tr("a rank-%1 map of dense reaches this variant's error").arg(r);
      else lines << tr("no rank up to %1 of dense reaches this variant's error").arg(dense_->sigma.size());
    }
  }
  summary_->setText(lines.join(QLatin1Char('\n')));
  updateLegend();
}

QString SpectrumView::describeRank(int64_t r) const {
  if (!spectrum_ || r < 1 || r > static_cast<int64_t>(spectrum_->sigma.size())) return {};
  const size_t k = static_cast<size_t>(r - 1);
  QString text = tr("r = %1\nσ = %2").arg(r).arg(num(spectrum_->sigma[k], 4));
  if (k < spectrum_->cumulativeEnergy.size()) text += QLatin1Char('\n') + tr("cumulative energy %1").arg(num(spectrum_->cumulativeEnergy[k], 4));
  if (dense_) {
    const double e = eckartYoungError(*dense_, r);
    if (std::isfinite(e)) text += QLatin1Char('\n') + tr("best rank-%1 error of dense %2").arg(r).arg(num(e, 4));
  }
  return text;
}

void SpectrumView::updateLegend() {
  QStringList entries;
  for (QAbstractSeries* series : chart_->series()) {
    auto* line = qobject_cast<QLineSeries*>(series);
    if (!line || line->name().isEmpty() || qobject_cast<QScatterSeries*>(series)) continue;
    entries << QStringLiteral("<span style=\"color:%1\">&#9632;</span>&nbsp;%2").arg(line->pen().color().name(), line->name().toHtmlEscaped());
  }
  legend_->setText(entries.join(QStringLiteral(" &nbsp; ")));
}

}  // namespace attnscope
