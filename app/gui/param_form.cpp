#include "param_form.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>
#include <algorithm>
#include <climits>
#include <cmath>

#include "engine_text.hpp"

namespace attnscope {

ParamForm::ParamForm(QWidget* parent) : QWidget(parent), layout_(new QFormLayout(this)) {
  layout_->setContentsMargins(0, 0, 0, 0);
}

void ParamForm::setSchema(const std::vector<ParamSpec>& schema) {
  while (layout_->rowCount() > 0) layout_->removeRow(0);
  editors_.clear();
  for (const ParamSpec& spec : schema) {
    QWidget* editor = nullptr;
    const QString tip = paramToolTip(spec);
    switch (spec.type) {
      case ParamType::Int: {
        auto* box = new QSpinBox;
        box->setRange(static_cast<int>(std::max<double>(spec.min, INT_MIN)), static_cast<int>(std::min<double>(spec.max, INT_MAX)));
        box->setValue(static_cast<int>(std::get<int64_t>(spec.defaultValue)));
        if (!spec.unit.empty()) box->setSuffix(QString(" %1").arg(engineText(spec.unit)));
        connect(box, &QSpinBox::valueChanged, this, &ParamForm::changed);
        editor = box;
        break;
      }
      case ParamType::Float: {
        auto* box = new QDoubleSpinBox;
        box->setDecimals(4);
        box->setRange(spec.min, spec.max);
        box->setSingleStep(std::max(1e-4, (spec.max - spec.min) / 100.0));
        box->setValue(std::get<double>(spec.defaultValue));
        connect(box, &QDoubleSpinBox::valueChanged, this, &ParamForm::changed);
        editor = box;
        break;
      }
      case ParamType::Bool: {
        auto* box = new QCheckBox;
        box->setChecked(std::get<bool>(spec.defaultValue));
        connect(box, &QCheckBox::toggled, this, &ParamForm::changed);
        editor = box;
        break;
      }
      case ParamType::Enum: {
        auto* box = new QComboBox;
        for (const auto& c : spec.choices) box->addItem(QString::fromStdString(c));
        box->setCurrentText(QString::fromStdString(std::get<std::string>(spec.defaultValue)));
        connect(box, &QComboBox::currentTextChanged, this, &ParamForm::changed);
        editor = box;
        break;
      }
      case ParamType::IndexList:
      case ParamType::String: {
        auto* line = new QLineEdit(QString::fromStdString(formatParamValue(spec.defaultValue)));
        line->setPlaceholderText(spec.type == ParamType::IndexList ? tr("e.g. 0,17,512") : QString());
        connect(line, &QLineEdit::editingFinished, this, &ParamForm::changed);
        editor = line;
        break;
      }
    }
    editor->setToolTip(tip);
    editor->setObjectName(QString::fromStdString(spec.name));
    auto* label = new QLabel(QString::fromStdString(spec.name));
    label->setToolTip(tip);
    layout_->addRow(label, editor);
    editors_.push_back({spec, editor});
  }
}

std::vector<std::string> ParamForm::assignments() const {
  std::vector<std::string> out;
  for (const Field& f : editors_) {
    std::string value;
    if (auto* s = qobject_cast<QSpinBox*>(f.editor)) value = std::to_string(s->value());
    else if (auto* d = qobject_cast<QDoubleSpinBox*>(f.editor)) value = formatParamValue(d->value());
    else if (auto* c = qobject_cast<QCheckBox*>(f.editor)) value = c->isChecked() ? "true" : "false";
    else if (auto* e = qobject_cast<QComboBox*>(f.editor)) value = e->currentText().toStdString();
    else if (auto* l = qobject_cast<QLineEdit*>(f.editor)) value = l->text().toStdString();
    out.push_back(f.spec.name + "=" + value);
  }
  return out;
}

void ParamForm::applyTo(Params& params) const {
  for (const std::string& a : assignments()) params.assign(a);
}

void ParamForm::setValues(const Params& params) {
  const QSignalBlocker blocker(this);
  for (const Field& f : editors_) {
    const QSignalBlocker editorBlocker(f.editor);
    try {
      const ParamValue& v = params.value(f.spec.name);
      if (auto* s = qobject_cast<QSpinBox*>(f.editor)) s->setValue(static_cast<int>(std::get<int64_t>(v)));
      else if (auto* d = qobject_cast<QDoubleSpinBox*>(f.editor)) d->setValue(std::get<double>(v));
      else if (auto* c = qobject_cast<QCheckBox*>(f.editor)) c->setChecked(std::get<bool>(v));
      else if (auto* e = qobject_cast<QComboBox*>(f.editor)) e->setCurrentText(QString::fromStdString(std::get<std::string>(v)));
      else if (auto* l = qobject_cast<QLineEdit*>(f.editor)) l->setText(QString::fromStdString(formatParamValue(v)));
    } catch (const std::exception&) {
      // Parameters of another schema: the field keeps what it shows.
    }
  }
}

QWidget* ParamForm::editor(const std::string& name) const {
  for (const Field& f : editors_)
    if (f.spec.name == name) return f.editor;
  return nullptr;
}

}  // namespace attnscope
