#include "profile_page.hpp"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include "span_table.hpp"
#include "timeline_view.hpp"

namespace attnscope {

ProfilePage::ProfilePage(const PageContext& context, QWidget* parent) : Page(parent), context_(context) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Run of"), this));
  items_ = new QComboBox(this);
  items_->setMinimumWidth(220);
  controls->addWidget(items_);
  export_ = new QPushButton(tr("Export trace…"), this);
  export_->setToolTip(tr("Chrome trace JSON: open it in Perfetto (ui.perfetto.dev) or chrome://tracing"));
  export_->setEnabled(false);
  controls->addWidget(export_);
  controls->addStretch(1);
  layout->addLayout(controls);
  status_ = new QLabel(tr("Run a comparison: each variant's spans (load, featurize, warm-up, repeats, kernel phases) appear here."), this);
  status_->setWordWrap(true);
  layout->addWidget(status_);
  // The table above, the timeline below; picking a span in one shows it in the other.
  auto* split = new QSplitter(Qt::Vertical, this);
  table_ = new SpanTable(split);
  timeline_ = new TimelineView(split);
  split->addWidget(table_);
  split->addWidget(timeline_);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  layout->addWidget(split, 1);
  connect(timeline_, &TimelineView::spanSelected, table_, &SpanTable::selectSpan);
  connect(table_, &SpanTable::spanSelected, timeline_, &TimelineView::showSpan);

  connect(items_, &QComboBox::activated, this, [this](int row) { showItem(items_->itemData(row).toInt()); });
  connect(export_, &QPushButton::clicked, this, &ProfilePage::chooseExportPath);
  if (context_.runner) connect(context_.runner, &JobRunner::compareItem, this, &ProfilePage::addItem);
}

void ProfilePage::addItem(JobId id, std::shared_ptr<const CompareItem> item) {
  if (!item) return;
  if (id != batch_) {
    // A new batch: the previous one's traces give way, the chosen variant is kept if it is in the new one.
    if (shown_ >= 0 && shown_ < static_cast<int>(batchItems_.size())) wantVariant_ = QString::fromStdString(batchItems_[static_cast<size_t>(shown_)]->spec.attention.variant);
    batch_ = id;
    batchItems_.clear();
    items_->clear();
    shown_ = -1;
  }
  batchItems_.push_back(item);
  const QString variant = QString::fromStdString(item->spec.attention.variant);
  items_->addItem(item->run ? variant : tr("%1 (failed)").arg(variant), item->index);
  const bool wanted = !wantVariant_.isEmpty() && variant == wantVariant_;
  if (item->run && (shown_ < 0 || wanted)) {
    showItem(item->index);
    if (wanted) wantVariant_.clear();
  }
}

bool ProfilePage::showItem(int index) {
  for (size_t k = 0; k < batchItems_.size(); ++k) {
    const CompareItem& item = *batchItems_[k];
    if (item.index != index) continue;
    const QString variant = QString::fromStdString(item.spec.attention.variant);
    items_->setCurrentIndex(items_->findData(index));
    if (!item.run) {
      status_->setText(tr("%1 failed: %2").arg(variant, item.error));
      return false;
    }
    shown_ = static_cast<int>(k);
    table_->setTrace(item.run->trace, tr("%1 at n = %2 on %3").arg(variant).arg(item.run->shape.n).arg(QString::fromStdString(item.spec.backend)));
    timeline_->setTrace(item.run->trace);
    status_->setText(tr("Median %1 ms over %2 repeat(s); the share of a span is its duration over the whole run (nested spans overlap).")
                         .arg(item.run->time.medianMs, 0, 'f', 3)
                         .arg(item.run->time.samplesMs.size()));
    export_->setEnabled(true);
    emit resultsShown();
    return true;
  }
  return false;
}

bool ProfilePage::exportTrace(const QString& path, QString* error) const {
  if (shown_ < 0) {
    if (error) *error = tr("no trace to export: run a comparison first");
    return false;
  }
  const std::string json = batchItems_[static_cast<size_t>(shown_)]->run->trace.toChromeJson();
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || file.write(json.data(), static_cast<qint64>(json.size())) != static_cast<qint64>(json.size()) || !file.commit()) {
    if (error) *error = tr("cannot write %1: %2").arg(QFileInfo(path).absoluteFilePath(), file.errorString());
    return false;
  }
  return true;
}

void ProfilePage::chooseExportPath() {
  QString variant = shown_ >= 0 ? QString::fromStdString(batchItems_[static_cast<size_t>(shown_)]->spec.attention.variant) : QString("trace");
  const QString path = QFileDialog::getSaveFileName(this, tr("Export trace"), variant + ".trace.json", tr("Chrome trace (*.json)"));
  if (path.isEmpty()) return;
  QString error;
  if (exportTrace(path, &error)) emit message(tr("Trace written to %1").arg(path));
  else emit message(error);
}

void ProfilePage::saveState(nlohmann::json& state) const {
  if (shown_ >= 0) state["variant"] = batchItems_[static_cast<size_t>(shown_)]->spec.attention.variant;
}

void ProfilePage::restoreState(const nlohmann::json& state) {
  if (state.is_object() && state.contains("variant") && state["variant"].is_string()) wantVariant_ = QString::fromStdString(state["variant"].get<std::string>());
}

Page* makeProfilePage(const PageContext& context, QWidget* parent) { return new ProfilePage(context, parent); }

}  // namespace attnscope
