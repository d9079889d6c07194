#include "main_window.hpp"

#include <QCheckBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMimeData>
#include <algorithm>
#include <QComboBox>
#include <QDockWidget>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStatusBar>
#include <QVBoxLayout>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "common/parse.hpp"
#include "compare_grid.hpp"
#include "heatmap_view.hpp"
#include "map_to_heatmap.hpp"
#include "param_form.hpp"
#include "run_controller.hpp"
#include "sequence/samples.hpp"

namespace attnscope {

MainWindow::MainWindow(const AppOptions& options, QWidget* parent)
    : QMainWindow(parent), options_(options), controller_(new RunController(this)), grid_(new CompareGrid) {
  setWindowTitle(tr("AttnScope"));
  setAcceptDrops(true);
  buildPanels();
  loadSpecIntoPanels(options.spec);
  setComparedVariants(options.compare);

  auto* center = new QWidget;
  auto* layout = new QVBoxLayout(center);
  layout->addWidget(grid_, 1);
  metrics_ = new QLabel(tr("Running…"));
  metrics_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(metrics_);
  setCentralWidget(center);

  statusText_ = new QLabel;
  progress_ = new QProgressBar;
  progress_->setRange(0, 100);
  progress_->setMaximumWidth(200);
  statusBar()->addWidget(statusText_, 1);
  statusBar()->addPermanentWidget(progress_);
  connect(grid_, &CompareGrid::hovered, statusText_, &QLabel::setText);

  connect(controller_, &RunController::started, this, [this] {
    runButton_->setEnabled(true);
    cancelButton_->setEnabled(true);
    progress_->setValue(0);
  });
  connect(controller_, &RunController::progress, this, [this](const QString& stage, double fraction) {
    statusText_->setText(stage);
    progress_->setValue(static_cast<int>(fraction * 100));
  });
  connect(controller_, &RunController::resultReady, this, &MainWindow::onResult);
  connect(controller_, &RunController::itemFailed, this, &MainWindow::onItemFailed);
  connect(controller_, &RunController::batchDone, this, &MainWindow::onBatchDone);
  connect(controller_, &RunController::failed, this, [this](const QString&, bool cancelled) { batchCancelled_ = batchCancelled_ || cancelled; });
  resize(1200, 820);
}

MainWindow::~MainWindow() {
  controller_->cancel();
  controller_->wait();
}

void MainWindow::buildPanels() {
  auto* panel = new QWidget;
  auto* column = new QVBoxLayout(panel);

  auto* sequenceGroup = new QGroupBox(tr("Sequence"));
  auto* seqForm = new QFormLayout(sequenceGroup);
  sampleBox_ = new QComboBox;
  for (const SampleInfo& s : sampleList()) {
    sampleBox_->addItem(QString::fromStdString(s.name));
    sampleBox_->setItemData(sampleBox_->count() - 1, QString::fromStdString(s.description), Qt::ToolTipRole);
  }
  lengthBox_ = new QSpinBox;
  lengthBox_->setRange(1, 1 << 20);
  lengthBox_->setSuffix(tr(" tokens"));
  headsBox_ = new QSpinBox;
  headsBox_->setRange(1, 64);
  widthBox_ = new QSpinBox;
  widthBox_->setRange(1, 1024);
  positionsBox_ = new QComboBox;
  positionsBox_->addItems({"none", "sinusoidal", "rope"});
  mapHeadBox_ = new QSpinBox;
  mapHeadBox_->setRange(0, 63);
  auto* openButton = new QPushButton(tr("Open file…"));
  openButton->setToolTip(tr("Text, FASTA, CSV/TSV, .npy or .safetensors; you can also drop a file on the window"));
  connect(openButton, &QPushButton::clicked, this, &MainWindow::chooseFile);
  seqForm->addRow(tr("Sample"), sampleBox_);
  seqForm->addRow(QString(), openButton);
  seqForm->addRow(tr("Length n"), lengthBox_);
  seqForm->addRow(tr("Heads"), headsBox_);
  seqForm->addRow(tr("Head width d"), widthBox_);
  seqForm->addRow(tr("Positions"), positionsBox_);
  seqForm->addRow(tr("Show head"), mapHeadBox_);
  column->addWidget(sequenceGroup);

  auto* variantGroup = new QGroupBox(tr("Variant"));
  auto* varLayout = new QVBoxLayout(variantGroup);
  variantBox_ = new QComboBox;
  for (const Variant* v : VariantRegistry::instance().all()) {
    variantBox_->addItem(QString::fromStdString(v->info().title), QString::fromStdString(v->info().id));
    variantBox_->setItemData(variantBox_->count() - 1, QString::fromStdString(v->info().complexity + " — " + v->info().useWhen), Qt::ToolTipRole);
  }
  causalBox_ = new QCheckBox(tr("Causal"));
  paramForm_ = new ParamForm;
  varLayout->addWidget(variantBox_);
  varLayout->addWidget(causalBox_);
  varLayout->addWidget(paramForm_);
  column->addWidget(variantGroup);

  // Other variants to run on the same Q, K, V, each with its default parameters.
  auto* compareGroup = new QGroupBox(tr("Compare with"));
  auto* compareLayout = new QVBoxLayout(compareGroup);
  compareList_ = new QListWidget;
  for (const Variant* v : VariantRegistry::instance().all()) {
    auto* item = new QListWidgetItem(QString::fromStdString(v->info().id));
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Unchecked);
    item->setToolTip(QString::fromStdString(v->info().title + " — " + v->info().complexity));
    compareList_->addItem(item);
  }
  compareList_->setMaximumHeight(160);
  compareLayout->addWidget(compareList_);
  column->addWidget(compareGroup);

  auto* buttons = new QHBoxLayout;
  runButton_ = new QPushButton(tr("Run"));
  runButton_->setDefault(true);
  cancelButton_ = new QPushButton(tr("Cancel"));
  cancelButton_->setEnabled(false);
  buttons->addWidget(runButton_);
  buttons->addWidget(cancelButton_);
  column->addLayout(buttons);
  column->addStretch(1);

  connect(variantBox_, &QComboBox::currentIndexChanged, this, &MainWindow::onVariantChanged);
  connect(runButton_, &QPushButton::clicked, this, &MainWindow::runNow);
  connect(cancelButton_, &QPushButton::clicked, controller_, &RunController::cancel);

  auto* dock = new QDockWidget(tr("Settings"));
  dock->setObjectName("settingsDock");
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
  dock->setWidget(panel);
  addDockWidget(Qt::LeftDockWidgetArea, dock);
}

void MainWindow::loadSpecIntoPanels(const RunSpec& spec) {
  sampleBox_->setCurrentText(QString::fromStdString(spec.sample));
  lengthBox_->setValue(static_cast<int>(spec.n));
  headsBox_->setValue(spec.features.heads);
  widthBox_->setValue(spec.features.d);
  positionsBox_->setCurrentText(positionsName(spec.features.positions));
  mapHeadBox_->setValue(options_.mapHead);
  causalBox_->setChecked(spec.attention.causal);
  const int index = variantBox_->findData(QString::fromStdString(spec.attention.variant));
  variantBox_->setCurrentIndex(index);
  onVariantChanged();
}

void MainWindow::onVariantChanged() {
  const std::string id = variantBox_->currentData().toString().toStdString();
  const Variant* v = VariantRegistry::instance().find(id);
  if (!v) return;
  paramForm_->setSchema(v->info().params);
  causalBox_->setEnabled(v->info().supportsCausal);
  if (!v->info().supportsCausal) causalBox_->setChecked(false);
}

RunSpec MainWindow::currentSpec(QString* error) const {
  RunSpec spec = options_.spec;
  if (!inputFile_.isEmpty() && sampleBox_->currentData().toString() == inputFile_) {
    spec.sample.clear();
    spec.inputFile = inputFile_.toStdString();
  } else {
    spec.sample = sampleBox_->currentText().toStdString();
    spec.inputFile.clear();
  }
  spec.n = lengthBox_->value();
  spec.features.heads = headsBox_->value();
  spec.features.d = widthBox_->value();
  spec.features.positions = parsePositions(positionsBox_->currentText().toStdString());
  try {
    spec.attention = makeSpec(variantBox_->currentData().toString().toStdString());
    paramForm_->applyTo(spec.attention.params);
  } catch (const Error& e) {
    if (error) *error = QString::fromStdString(e.what());
  }
  spec.attention.causal = causalBox_->isChecked();
  MapRequest request;
  request.head = std::min(mapHeadBox_->value(), spec.features.heads - 1);
  request.maxCells = 1024;
  spec.map = request;
  return spec;
}

void MainWindow::runNow() {
  QString error;
  const RunSpec spec = currentSpec(&error);
  if (!error.isEmpty()) {
    onFailed(error, false);
    return;
  }
  std::vector<RunSpec> specs{spec};
  std::vector<std::string> titles{spec.attention.variant};
  for (const std::string& id : comparedVariants()) {
    if (id == spec.attention.variant) continue;
    RunSpec other = spec;
    other.attention = makeSpec(id);
    const Variant& v = VariantRegistry::instance().get(id);
    other.attention.causal = spec.attention.causal && v.info().supportsCausal;
    specs.push_back(other);
    titles.push_back(id);
  }
  grid_->setPanels(titles);
  batchHadResult_ = false;
  batchCancelled_ = false;
  metrics_->setText(tr("Running %1 at n = %2…").arg(QString::fromStdString(spec.attention.variant)).arg(spec.n));
  controller_->startBatch(specs);
}

HeatmapView* MainWindow::heatmap() const { return grid_->view(0); }

void MainWindow::chooseFile() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open a sequence or Q/K/V"), QString(),
                                                    tr("Sequences and tensors (*.txt *.md *.fa *.fasta *.fna *.csv *.tsv *.npy *.safetensors);;All files (*)"));
  if (!path.isEmpty()) openFile(path);
}

void MainWindow::openFile(const QString& path) {
  inputFile_ = path;
  // The file becomes one more entry of the input box, selected; picking a sample goes back.
  const int existing = sampleBox_->findData(path);
  if (existing >= 0) sampleBox_->removeItem(existing);
  sampleBox_->addItem(tr("file: %1").arg(QFileInfo(path).fileName()), path);
  sampleBox_->setItemData(sampleBox_->count() - 1, path, Qt::ToolTipRole);
  sampleBox_->setCurrentIndex(sampleBox_->count() - 1);
  runNow();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls() && !event->mimeData()->urls().isEmpty() && event->mimeData()->urls().first().isLocalFile())
    event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QList<QUrl> urls = event->mimeData()->urls();
  if (urls.isEmpty() || !urls.first().isLocalFile()) return;
  event->acceptProposedAction();
  openFile(urls.first().toLocalFile());
}

std::vector<std::string> MainWindow::comparedVariants() const {
  std::vector<std::string> ids;
  for (int i = 0; i < compareList_->count(); ++i)
    if (compareList_->item(i)->checkState() == Qt::Checked) ids.push_back(compareList_->item(i)->text().toStdString());
  return ids;
}

void MainWindow::setComparedVariants(const std::vector<std::string>& ids) {
  for (int i = 0; i < compareList_->count(); ++i) {
    const std::string id = compareList_->item(i)->text().toStdString();
    compareList_->item(i)->setCheckState(std::find(ids.begin(), ids.end(), id) != ids.end() ? Qt::Checked : Qt::Unchecked);
  }
}

void MainWindow::onResult(int index, std::shared_ptr<const RunResult> r) {
  batchHadResult_ = true;
  if (r->result.map) {
    auto labels = std::make_shared<const std::vector<std::string>>(r->labels);
    const std::string title = r->spec.attention.variant + ", head " + std::to_string(r->result.map->head) + ", n = " + std::to_string(r->shape.n);
    grid_->setMap(index, heatmapFromGrid(*r->result.map, title, labels));
  }
  const QString summary = tr("%1 on %2: median %3 ms (min %4, max %5) · %6 GFLOP/s · peak workspace %7")
                              .arg(QString::fromStdString(r->spec.attention.variant), QString::fromStdString(r->spec.backend))
                              .arg(r->time.medianMs, 0, 'f', 2)
                              .arg(r->time.minMs, 0, 'f', 2)
                              .arg(r->time.maxMs, 0, 'f', 2)
                              .arg(r->gflops, 0, 'f', 2)
                              .arg(QString::fromStdString(formatBytes(static_cast<double>(r->peakWorkspaceBytes))));
  grid_->setCaption(index, summary);
  if (index == 0) metrics_->setText(summary + tr(" · %1").arg(QString::fromStdString(r->inputDescription)));
}

void MainWindow::onItemFailed(int index, const QString& message) {
  grid_->setCaption(index, tr("Error: %1").arg(message));
  if (index == 0) {
    metrics_->setText(tr("Error: %1").arg(message));
    emit runFailed(message);
  }
}

void MainWindow::onBatchDone() {
  cancelButton_->setEnabled(false);
  progress_->setValue(batchHadResult_ ? 100 : 0);
  statusText_->setText(batchCancelled_ ? tr("Cancelled") : tr("Done"));
  if (batchCancelled_ && !batchHadResult_) metrics_->setText(tr("Run cancelled."));
  if (batchHadResult_) emit mapDrawn();
}

void MainWindow::onFailed(const QString& message, bool cancelled) {
  cancelButton_->setEnabled(false);
  progress_->setValue(0);
  statusText_->setText(cancelled ? tr("Cancelled") : tr("Failed"));
  metrics_->setText(cancelled ? tr("Run cancelled.") : tr("Error: %1").arg(message));
  if (!cancelled) emit runFailed(message);
}

}  // namespace attnscope
