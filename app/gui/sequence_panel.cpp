#include "sequence_panel.hpp"

#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <climits>

#include "engine_text.hpp"
#include "experiment/limits.hpp"
#include "job_runner.hpp"
#include "sequence/samples.hpp"
#include "engine_message.hpp"

namespace attnscope {

namespace {

int clampInt(int64_t v) { return static_cast<int>(std::clamp<int64_t>(v, INT_MIN, INT_MAX)); }

void setRange(QSpinBox* box, limits::Range r) { box->setRange(clampInt(r.min), clampInt(r.max)); }

// Input box entries: "sample:NAME" or "file:PATH".
QString sampleKey(const QString& name) { return "sample:" + name; }
QString fileKey(const QString& path) { return "file:" + path; }

QString kindText(SequenceKind kind) {
  switch (kind) {
    case SequenceKind::Text: return SequencePanel::tr("text");
    case SequenceKind::Dna: return SequencePanel::tr("DNA");
    case SequenceKind::TimeSeries: return SequencePanel::tr("time series");
    case SequenceKind::Tensor: return SequencePanel::tr("tensor");
  }
  return {};
}

}  // namespace

SequencePanel::SequencePanel(QWidget* parent)
    : QWidget(parent), input_(new QComboBox), length_(new QSpinBox), heads_(new QSpinBox), width_(new QSpinBox), positions_(new QComboBox),
      mapHead_(new QSpinBox), info_(new QLabel), warnings_(new QLabel) {
  auto* form = new QFormLayout(this);
  form->setContentsMargins(0, 0, 0, 0);
  input_->setObjectName("inputBox");
  for (const SampleInfo& s : sampleList()) {
    input_->addItem(QString::fromStdString(s.name), sampleKey(QString::fromStdString(s.name)));
    input_->setItemData(input_->count() - 1, engineText(s.description), Qt::ToolTipRole);
  }
  auto* open = new QPushButton(tr("Open file…"));
  open->setToolTip(tr("Text, FASTA, CSV/TSV, .npy or .safetensors (embeddings or Q/K/V); you can also drop a file on the window"));
  setRange(length_, {0, limits::kLength.max});
  length_->setSpecialValueText(tr("whole input"));
  length_->setSuffix(tr(" tokens"));
  length_->setToolTip(tr("Keep the first n positions (whole input: the file's own length, or the sample's default)"));
  setRange(heads_, limits::kHeads);
  setRange(width_, limits::kHeadWidth);
  positions_->addItem(tr("none"), "none");
  positions_->addItem(tr("sinusoidal"), "sinusoidal");
  positions_->addItem(tr("RoPE"), "rope");
  setRange(mapHead_, limits::kMapHead);
  mapHead_->setToolTip(tr("The head whose map, spectrum and metrics every column shows"));
  info_->setWordWrap(true);
  info_->setObjectName("inputInfo");
  info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  form->addRow(tr("Input"), input_);
  form->addRow(QString(), open);
  form->addRow(tr("Length n"), length_);
  form->addRow(tr("Heads"), heads_);
  form->addRow(tr("Head width d"), width_);
  form->addRow(tr("Positions"), positions_);
  form->addRow(tr("Show head"), mapHead_);
  form->addRow(info_);
  warnings_->setWordWrap(true);
  warnings_->setObjectName("inputWarnings");
  warnings_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  warnings_->hide();
  form->addRow(warnings_);

  connect(open, &QPushButton::clicked, this, &SequencePanel::openRequested);
  connect(input_, &QComboBox::currentIndexChanged, this, [this] {
    // A sample is featurized again: its settings apply until a load says otherwise.
    if (input_->currentData().toString().startsWith("sample:")) enableFeaturizer(true, {});
    emit changed();
  });
  connect(heads_, &QSpinBox::valueChanged, this, [this](int heads) { mapHead_->setMaximum(std::max(0, heads - 1)); });
  for (QSpinBox* box : {length_, heads_, width_, mapHead_}) connect(box, &QSpinBox::valueChanged, this, &SequencePanel::changed);
  connect(positions_, &QComboBox::currentIndexChanged, this, &SequencePanel::changed);
}

void SequencePanel::writeTo(SessionState& state) const {
  RunSpec& base = state.base;
  const QString key = input_->currentData().toString();
  base.sample.clear();
  base.inputFile.clear();
  base.qkvFile.clear();
  if (key.startsWith("file:")) {
    base.inputFile = key.mid(5).toStdString();
    base.n = length_->value();
  } else {
    base.sample = key.mid(7).toStdString();
    base.n = length_->value();
    if (base.n == 0)
      for (const SampleInfo& s : sampleList())
        if (s.name == base.sample) base.n = s.defaultLength;
  }
  base.features.heads = heads_->value();
  base.features.d = width_->value();
  base.features.positions = parsePositions(positions_->currentData().toString().toStdString());
  state.mapHead = mapHead_->value();
}

void SequencePanel::readFrom(const SessionState& state) {
  const QSignalBlocker b0(input_), b1(length_), b2(heads_), b3(width_), b4(positions_), b5(mapHead_);
  const RunSpec& base = state.base;
  const QString file = QString::fromStdString(!base.inputFile.empty() ? base.inputFile : base.qkvFile);
  if (!file.isEmpty()) {
    if (input_->findData(fileKey(file)) < 0) addFile(file);
    input_->setCurrentIndex(input_->findData(fileKey(file)));
  } else {
    const int index = input_->findData(sampleKey(QString::fromStdString(base.sample)));
    if (index >= 0) input_->setCurrentIndex(index);
    enableFeaturizer(true, {});
  }
  length_->setValue(clampInt(base.n));
  heads_->setValue(base.features.heads);
  width_->setValue(base.features.d);
  const int pos = positions_->findData(QString(positionsName(base.features.positions)));
  if (pos >= 0) positions_->setCurrentIndex(pos);
  mapHead_->setValue(state.mapHead);
}

void SequencePanel::addFile(const QString& path) {
  const QSignalBlocker blocker(input_), lengthBlocker(length_);
  // A file runs at its own length unless the user crops it.
  length_->setValue(0);
  const int existing = input_->findData(fileKey(path));
  if (existing >= 0) input_->removeItem(existing);
  input_->addItem(tr("file: %1").arg(QFileInfo(path).fileName()), fileKey(path));
  input_->setItemData(input_->count() - 1, path, Qt::ToolTipRole);
  input_->setCurrentIndex(input_->count() - 1);
}

void SequencePanel::removeFile(const QString& path) {
  const QSignalBlocker blocker(input_);
  const int index = input_->findData(fileKey(path));
  if (index >= 0) input_->removeItem(index);
}

void SequencePanel::enableFeaturizer(bool enabled, const QString& why) {
  for (QWidget* w : std::initializer_list<QWidget*>{heads_, width_, positions_}) {
    w->setEnabled(enabled);
    w->setToolTip(why);
  }
}

void SequencePanel::showInput(const PreparedInput& input) {
  const QSignalBlocker b1(heads_), b2(width_), b3(mapHead_);
  const Qkv& qkv = input.qkv;
  if (input.fromQkv) {
    // The file's own Q/K/V: heads and d are what it holds, positions do not apply.
    heads_->setValue(qkv.heads());
    width_->setValue(static_cast<int>(qkv.d()));
    enableFeaturizer(false, tr("Set by the loaded Q/K/V"));
  } else {
    enableFeaturizer(true, {});
  }
  mapHead_->setMaximum(std::max(0, qkv.heads() - 1));
  QString text = tr("%1 (%2): n = %3, %4 heads of d = %5%6")
                     .arg(QString::fromStdString(input.name), kindText(input.kind))
                     .arg(qkv.n())
                     .arg(qkv.heads())
                     .arg(qkv.d())
                     .arg(input.fromQkv ? tr(", Q/K/V from the file") : QString());
  if (input.sourceLength > qkv.n()) text += "\n" + tr("cropped from %1 positions").arg(input.sourceLength);
  info_->setText(text);
  // The loader's own warnings, in the window's language.
  QStringList said;
  for (const std::string& w : input.warnings)
    if (const QString line = QStringLiteral("⚠ ") + engineMessage(w); !said.contains(line)) said << line;
  warnings_->setText(said.join('\n'));
  warnings_->setVisible(!said.isEmpty());
  info_->setToolTip(QString::fromStdString(qkv.origin));
}

}  // namespace attnscope
