#include "variant_panel.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "attention/registry.hpp"
#include "engine_text.hpp"
#include "param_form.hpp"

namespace attnscope {

namespace {
constexpr int kIdRole = Qt::UserRole + 1;
}

VariantPanel::VariantPanel(QWidget* parent) : QWidget(parent), list_(new QListWidget), forms_(new QStackedWidget), causal_(new QCheckBox(tr("Causal"))), precision_(new QComboBox) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  causal_->setToolTip(tr("Each query sees only earlier keys; a variant without a causal form says so in its column"));
  auto* top = new QHBoxLayout;
  top->addWidget(causal_);
  top->addStretch(1);
  auto* precisionLabel = new QLabel(tr("Precision"));
  precisionLabel->setBuddy(precision_);
  top->addWidget(precisionLabel);
  precision_->setObjectName("precision");
  precision_->addItem(tr("fp32"), static_cast<int>(Precision::Fp32));
  precision_->addItem(tr("bf16"), static_cast<int>(Precision::Bf16));
  precision_->setToolTip(tr("bf16: Q, K, V and the probabilities rounded to bfloat16, products summed in fp32 "
                            "(on the CPU: mask-based variants, on AMX or AVX512-BF16 where the processor has them)"));
  top->addWidget(precision_);
  layout->addLayout(top);
  layout->addWidget(new QLabel(tr("Variants to compare (select one to edit its parameters)")));
  list_->setObjectName("variantList");
  for (const Variant* v : VariantRegistry::instance().all()) {
    const VariantInfo& info = v->info();
    auto* item = new QListWidgetItem(engineText(info.title));
    item->setData(kIdRole, QString::fromStdString(info.id));
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Unchecked);
    item->setToolTip(tr("%1 (%2): %3. Loses: %4")
                         .arg(QString::fromStdString(info.id), QString::fromStdString(info.complexity), engineText(info.useWhen), engineText(info.loses)));
    list_->addItem(item);
    auto* form = new ParamForm;
    form->setObjectName(QString::fromStdString("form_" + info.id));
    form->setSchema(info.params);
    formOf_[info.id] = form;
    auto* page = new QWidget;
    auto* pageLayout = new QVBoxLayout(page);
    pageLayout->setContentsMargins(0, 0, 0, 0);
    pageLayout->addWidget(form);
    if (form->fieldCount() == 0) pageLayout->addWidget(new QLabel(tr("%1 has no parameters.").arg(engineText(info.title))));
    pageLayout->addStretch(1);
    forms_->addWidget(page);
    connect(form, &ParamForm::changed, this, [this, id = info.id] {
      // Editing a variant's parameter only matters when its column is shown.
      const auto ids = checkedVariants();
      if (std::find(ids.begin(), ids.end(), id) != ids.end()) emit changed();
    });
  }
  list_->setMinimumHeight(160);
  list_->setWordWrap(true);
  list_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  layout->addWidget(list_, 1);
  layout->addWidget(forms_);
  connect(list_, &QListWidget::currentRowChanged, forms_, &QStackedWidget::setCurrentIndex);
  connect(list_, &QListWidget::itemChanged, this, [this] { emit changed(); });
  connect(causal_, &QCheckBox::toggled, this, [this] { emit changed(); });
  connect(precision_, &QComboBox::currentIndexChanged, this, [this] { emit changed(); });
  list_->setCurrentRow(0);
}

std::vector<std::string> VariantPanel::checkedVariants() const {
  std::vector<std::string> ids;
  for (int i = 0; i < list_->count(); ++i)
    if (list_->item(i)->checkState() == Qt::Checked) ids.push_back(list_->item(i)->data(kIdRole).toString().toStdString());
  return ids;
}

void VariantPanel::setCheckedVariants(const std::vector<std::string>& ids) {
  const QSignalBlocker blocker(list_);
  for (int i = 0; i < list_->count(); ++i) {
    const std::string id = list_->item(i)->data(kIdRole).toString().toStdString();
    list_->item(i)->setCheckState(std::find(ids.begin(), ids.end(), id) != ids.end() ? Qt::Checked : Qt::Unchecked);
  }
}

AttentionSpec VariantPanel::specFor(const std::string& id) const {
  AttentionSpec spec = makeSpec(id);
  if (ParamForm* f = form(id)) f->applyTo(spec.params);
  spec.causal = causal();
  spec.precision = precision();
  return spec;
}

void VariantPanel::setSpec(const AttentionSpec& spec) {
  if (ParamForm* f = form(spec.variant)) f->setValues(spec.params);
}

bool VariantPanel::causal() const { return causal_->isChecked(); }

void VariantPanel::setCausal(bool causal) {
  const QSignalBlocker blocker(causal_);
  causal_->setChecked(causal);
}

Precision VariantPanel::precision() const { return static_cast<Precision>(precision_->currentData().toInt()); }

void VariantPanel::setPrecision(Precision precision) {
  const QSignalBlocker blocker(precision_);
  const int i = precision_->findData(static_cast<int>(precision));
  precision_->setCurrentIndex(i >= 0 ? i : 0);
}

void VariantPanel::selectVariant(const std::string& id) {
  for (int i = 0; i < list_->count(); ++i)
    if (list_->item(i)->data(kIdRole).toString().toStdString() == id) list_->setCurrentRow(i);
}

ParamForm* VariantPanel::form(const std::string& id) const {
  const auto it = formOf_.find(id);
  return it == formOf_.end() ? nullptr : it->second;
}

}  // namespace attnscope
